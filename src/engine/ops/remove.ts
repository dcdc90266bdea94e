/**
 * Hot-remove: try_remove_memory() (docs/kernel-model.md §8.2, §6.6, §7.4, §7.5) and
 * offline_and_remove_memory() with its re-online rollback (§8.3).
 */
import { asKernelError, fail, KernelError, refusal } from '../../kernel/errno.ts';
import { isBlockAlignedRange } from '../../kernel/geometry.ts';
import { hasFeature } from '../../kernel/features.ts';
import { Oops, type Tx } from '../tx.ts';
import type { BlockState } from '../world.ts';
import { blocksIn, checkMemmapAlive, firstSectionOf, hex, kernelBug, kernelWarn, range, sectionsOf } from './common.ts';
import { offlineBlock } from './offline.ts';
import { releaseMemRegionAdjustable } from './resource.ts';
import { onlineBlock } from './online.ts';

/** The era's rule for ranges whose memmap lives on the memory itself. */
function checkVmemmapGranularity(tx: Tx, start: number, size: number, blocks: BlockState[]): KernelError | void {
  const { g } = tx;
  const era = tx.system.kernel;
  const withAltmap = blocks.filter((b) => tx.draft.sections.get(firstSectionOf(tx, b.id))?.memmap.kind === 'altmap');
  if (hasFeature(era, 'flag.MHP_MEMMAP_DEVICE')) {
    if (!tx.params.v2_remove_guard) return;
    // check_vmemmap_granularity(), as sketched in review: a DEVICE altmap goes only as a whole
    const inRange = new Set(blocks.flatMap((b) => sectionsOf(tx, b.id)));
    for (const b of withAltmap) {
      const s = tx.draft.sections.get(firstSectionOf(tx, b.id))!;
      if (s.memmap.kind !== 'altmap') continue;
      const head = tx.draft.vmemmap.get(Math.floor(s.memmap.headPfn / g.pagesPerSection));
      if (head && head.sections.some((nr) => !inRange.has(nr)))
        return refusal('EINVAL', `Refuse to remove ${hex(start)} - ${hex(start + size - 1)},wrong granularity: the vmemmap at pfn ${hex(head.headPfn)} serves sections outside the range`, 'check_vmemmap_granularity');
    }
    return;
  }
  if (!hasFeature(era, 'rule.memmap_on_memory.per_block')) {
    if (withAltmap.length > 0 && tx.params.memmap_on_memory !== 'off' && size !== g.blockSize)
      return refusal('EINVAL', `Refuse to remove ${hex(start)} - ${hex(start + size - 1)},wrong granularity`, 'try_remove_memory');
    return;
  }
  // memory_blocks_have_altmaps() compares against size / memory_block_size_bytes(), not against
  // the blocks that exist: a hole in the range counts as a block without an altmap
  if (withAltmap.length > 0 && withAltmap.length !== size / g.blockSize) {
    kernelWarn(tx, 'memory_blocks_have_altmaps', `WARN_ON_ONCE(num_memblocks != num_altmaps): ${withAltmap.length} of ${size / g.blockSize} blocks in ${range(start, size)} have altmaps`, true);
    return refusal('EINVAL', `not all memory blocks in ${range(start, size)} have altmaps (${withAltmap.length} of ${size / g.blockSize}): mixed ranges cannot be removed`, 'memory_blocks_have_altmaps');
  }
}

/**
 * arch_remove_memory() → __remove_pages() → sparse_remove_section() for one block's sections;
 * `heads` gets the vmemmap heads still referenced after it (a module-level function, not a
 * closure made per call: docs/explore.md "Where the time went").
 */
function removeSections(tx: Tx, b: BlockState, heads: Set<number>): void {
  const { g } = tx;
  for (const nr of sectionsOf(tx, b.id)) {
    const s = tx.draft.sections.get(nr);
    if (!s) continue;
    const m = s.memmap;
    tx.transition('section', nr, { type: 'REMOVE' });
    if (m.kind === 'node') tx.emit({ type: 'account', node: m.node, zone: null, memmapPages: -m.pages, reason: `free memmap of section ${nr}` });
    if (m.kind === 'altmap') {
      // v2: depopulate_section_memmap() defers vmemmap_free() until the head's refcount drops to 0
      const key = Math.floor(m.headPfn / g.pagesPerSection);
      const head = tx.draft.vmemmap.get(key)!;
      const refcount = head.refcount - 1;
      tx.emit({ type: 'vmemmap', action: 'put', headPfn: head.headPfn, nrPages: head.nrPages, refcount, sections: [nr], node: head.node });
      if (refcount === 0) tx.emit({ type: 'vmemmap', action: 'free', headPfn: head.headPfn, nrPages: head.nrPages, refcount: 0, sections: [], node: head.node });
      else heads.add(key);
    }
  }
}

/**
 * try_remove_memory(). Its refusals before anything is removed (a block still online, the
 * vmemmap's granularity) are returned (src/kernel/errno.ts `refusal`); a failure later throws.
 */
export function removeMemory(tx: Tx, start: number, size: number): KernelError | void {
  const { g } = tx;
  // try_remove_memory(): BUG_ON(check_hotplug_memory_range(start, size)) — callers must pass whole
  // blocks; check_hotplug_memory_range() prints its pr_err, then the BUG kills the task
  if (!isBlockAlignedRange(g, start, size)) {
    tx.warn(`Block size [${hex(g.blockSize)}] unaligned hotplug range: start ${hex(start)}, size ${hex(size)}`);
    kernelBug(tx, 'try_remove_memory', 'BUG_ON(check_hotplug_memory_range(start, size))', { start, size });
  }
  if (g.profile.hotRemoveRefused(tx.system.kernel)) return refusal('EBUSY', `${g.profile.name}: arch_remove_memory() refuses removal in ${tx.system.kernel}`, 'arch_remove_memory');
  const blocks = blocksIn(tx, start, size);
  for (const b of blocks)
    if (b.state !== 'offline') {
      const p = b.id * g.blockSize;
      return refusal('EBUSY', `removing memory fails, because memory [${hex(p)}-${hex(p + g.blockSize - 1)}] is onlined`, 'check_memblock_offlined_cb');
    }
  const granularity = checkVmemmapGranularity(tx, start, size, blocks);
  if (granularity) return granularity;
  for (const b of blocks) checkMemmapAlive(tx, b, 'remove');
  warnMissing(tx, start, size, blocks);
  if (blocks.length === 0) return;

  // check_memblock_offlined_cb() records each block's nid in turn: only the last one is tried
  // (try_offline_node(nid), "good enough for the cases we care about")
  let nid = -1;
  for (const b of blocks) nid = b.nid;
  const heads = new Set<number>();
  const perBlockAltmaps = hasFeature(tx.system.kernel, 'rule.memmap_on_memory.per_block') && blocks.every((b) => b.nr_vmemmap_pages > 0);
  if (perBlockAltmaps) {
    // ~6.8 remove_memory_blocks_and_altmaps(): per block, the device goes, then its sections
    for (const b of blocks) {
      tx.transition('memory_block', b.id, { type: 'REMOVE' });
      removeSections(tx, b, heads);
    }
  } else {
    // remove_memory_block_devices() for the whole range, then arch_remove_memory() of it
    for (const b of blocks) tx.transition('memory_block', b.id, { type: 'REMOVE' });
    for (const b of blocks) removeSections(tx, b, heads);
  }
  // vmemmap pages that lived in the removed range but still serve sections elsewhere. The
  // range is one unit: tails point at the head, and the deferred free walks all of it, so
  // losing any part of it (not only the head's block: a 16 GiB DEVICE vmemmap spans two
  // blocks) strands every section it still serves.
  const startPfn = start / g.pageSize;
  const endPfn = (start + size) / g.pageSize;
  for (const key of heads) {
    const head = tx.draft.vmemmap.get(key);
    const overlaps = head && head.headPfn < endPfn && head.headPfn + head.nrPages > startPfn;
    if (head && head.refcount > 0 && overlaps && !head.orphanedBy)
      tx.emit({ type: 'vmemmap', action: 'orphan', headPfn: head.headPfn, nrPages: head.nrPages, refcount: head.refcount, sections: [...head.sections], node: head.node, removed: { start, size } });
  }
  releaseMemRegionAdjustable(tx, start, size);
  tryOfflineNode(tx, nid);
}

/**
 * A range with holes (or none of it present): remove_memory_block_devices()
 * finds no device for a block id (WARN_ON_ONCE(!mem)), then __remove_pages()
 * meets sections that are not valid (WARN_ON_ONCE(!valid_section(ms))). Both
 * skip the hole and go on; the removal still succeeds.
 */
function warnMissing(tx: Tx, start: number, size: number, blocks: BlockState[]): void {
  const { g } = tx;
  const present = new Set(blocks.map((b) => b.id));
  const first = start / g.blockSize;
  const missing: number[] = [];
  for (let id = first; id < first + size / g.blockSize; id++) if (!present.has(id)) missing.push(id);
  if (missing.length === 0) return;
  const ids = missing.length === 1 ? `memory${missing[0]}` : `memory${missing[0]}…memory${missing.at(-1)} (${missing.length} blocks)`;
  kernelWarn(tx, 'remove_memory_block_devices', `WARN_ON_ONCE(!mem): no memory block device for ${ids}`, true);
  const s0 = missing[0]! * g.sectionsPerBlock;
  kernelWarn(tx, '__remove_section', `WARN_ON_ONCE(!valid_section(ms)): section ${s0} is not present`, true);
}

/** try_offline_node(): a hotplugged node with no memory blocks left goes offline (boot nodes have CPUs). */
function tryOfflineNode(tx: Tx, nid: number): void {
  const n = tx.draft.nodes.get(nid);
  if (!n || n.boot || !n.online) return;
  if (tx.draft.blocks.find((b) => b.nid === nid)) return;
  tx.emit({ type: 'node', node: nid, online: false });
}

/** offline_and_remove_memory(): its error returned, a thrown one (from deeper in) and a returned one alike. */
export function offlineAndRemoveMemory(tx: Tx, start: number, size: number): KernelError | void {
  const { g } = tx;
  if (!isBlockAlignedRange(g, start, size)) fail('EINVAL', `unaligned range ${hex(start)}+${hex(size)}`, 'offline_and_remove_memory');
  const offlinedByUs: { id: number; type: 'online_kernel' | 'online_movable' }[] = [];
  let error: KernelError | void = undefined;
  for (const b of blocksIn(tx, start, size)) {
    if (b.state === 'offline') continue;
    const type = b.zone === 'Movable' ? 'online_movable' : 'online_kernel';
    try {
      error = offlineBlock(tx, b.id);
    } catch (e) {
      error = asKernelError(e);
    }
    if (error) break;
    offlinedByUs.push({ id: b.id, type });
  }
  if (!error)
    try {
      error = removeMemory(tx, start, size);
    } catch (e) {
      error = asKernelError(e);
    }
  if (!error) return;
  // an oops kills the task inside try_remove_memory(): there is nobody left to roll back
  if (error instanceof Oops) throw error;
  // rollback (~5.10+): re-online what this call offlined, with the remembered type
  for (const { id, type } of offlinedByUs)
    try {
      onlineBlock(tx, id, type, false, 'rollback');
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      tx.warn(`failed to re-online memory${id}: ${e.message}`);
    }
  return error;
}
