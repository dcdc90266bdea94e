/**
 * Hot-add: add_memory() → register_memory_resource() → add_memory_resource()
 * (docs/kernel-model.md §5, §6, §7.2). Every check runs before the first effect, so a failed
 * add changes nothing.
 */
import { fail, refusal } from '../../kernel/errno.ts';
import { isBlockAlignedRange, nr_vmemmap_pages, STRUCT_PAGE_SIZE } from '../../kernel/geometry.ts';
import { decideMemmapLayout, type MemmapLayout, type MemmapPlacement } from '../../kernel/memmap-on-memory.ts';
import { hasFeature } from '../../kernel/features.ts';
import type { MhpFlag } from '../../kernel/types.ts';
import type { MemoryBlockContext } from '../../../machines/index.ts';
import { KernelError } from '../../kernel/errno.ts';
import { busyConflict } from '../../kernel/resource.ts';
import { requestResource } from './resource.ts';
import type { ResourceRequest } from '../events.ts';
import { Oops, type Tx } from '../tx.ts';
import type { VmemmapState } from '../world.ts';
import { freeKernelPages } from '../../kernel/zones.ts';
import { hex, kernelWarn, range } from './common.ts';
import { onlineBlock } from './online.ts';
import { blockAdded } from './agent-queue.ts';
import { validDriverManagedName } from '../../kernel/drivers.ts';

export function possibleNodes(tx: Tx): number {
  return tx.system.machine.possibleNodes ?? Math.max(...tx.system.boot.map((n) => n.node)) + 1;
}

/**
 * Regular memmap (docs/kernel-model.md §6.1): per section, PMD-sized chunks from the target
 * node's kernel zones, else the nearest other node, else (x86, arm64, s390)
 * base pages, else -ENOMEM. Returns the placement of each section.
 */
/** A node's free kernel pages less what the memmaps planned so far take (a module-level function: tsx names a closure each time it is made). */
function freeForMemmap(tx: Tx, taken: ReadonlyMap<number, number>, n: number): number {
  return freeKernelPages(tx.draft, n) - (taken.get(n) ?? 0);
}

function planRegularMemmap(tx: Tx, nid: number, sections: number[]): MemmapPlacement[] {
  const { g } = tx;
  const need = g.memmapPagesPerSection;
  const order = g.profile.vmemmapChunkOrder;
  const nodeIds = [...tx.draft.nodes.values()].filter((n) => n.online).map((n) => n.id);
  nodeIds.sort((a, b) => Math.abs(a - nid) - Math.abs(b - nid) || a - b);
  const taken = new Map<number, number>();
  return sections.map((s) => {
    let node = nodeIds.find((n) => freeForMemmap(tx, taken, n) >= need && (tx.draft.nodes.get(n)?.maxFreeOrder ?? 0) >= order);
    // order 0: the arch populates with base pages by design (arm64 16K/64K), not as a fallback
    let basePages = order === 0;
    if (node === undefined && g.profile.vmemmapBasePageFallback) {
      node = nodeIds.find((n) => freeForMemmap(tx, taken, n) >= need);
      basePages = node !== undefined;
    }
    if (node === undefined) {
      const why = nodeIds.some((n) => freeForMemmap(tx, taken, n) >= need)
        ? `no node has a free order-${order} block for the vmemmap and ${g.profile.name} cannot fall back to base pages`
        : 'no node has free kernel memory for the memmap';
      fail('ENOMEM', `vmemmap_populate() failed for section ${s}: ${why}`, 'vmemmap_populate');
    }
    taken.set(node, (taken.get(node) ?? 0) + need);
    return { kind: 'node', node, pages: need, basePages };
  });
}

/** How a driver calls in: add_memory_driver_managed()'s name, MHP_MERGE_RESOURCE, MHP_NID_IS_MGID (docs/drivers.md). */
export interface AddOptions {
  /** add_memory_driver_managed(): the resource name ("System RAM (kmem)"); absent: add_memory()'s "System RAM" */
  driverManaged?: string;
  /** MHP_MERGE_RESOURCE: merge with an adjacent resource of the same name afterwards */
  merge?: boolean;
  /** MHP_NID_IS_MGID: `nid` names this memory group, whose node is used */
  group?: number;
  /** pages of each new block the driver keeps fake-offline from the start (virtio-mem Sub Block Mode: its unplugged sub-blocks) */
  fakeOfflinePages?: number;
}

/**
 * add_memory() and its driver variants. The checks before anything is written return their
 * error (src/kernel/errno.ts `refusal`: a range already there is the commonest refusal the model
 * checker meets); a failure after that throws.
 */
export function addMemory(tx: Tx, nid: number, start: number, size: number, flags: readonly MhpFlag[], opts: AddOptions = {}): KernelError | void {
  const { g } = tx;
  const era = tx.system.kernel;
  if (opts.driverManaged !== undefined && !validDriverManagedName(opts.driverManaged))
    return refusal('EINVAL', `add_memory_driver_managed: resource name "${opts.driverManaged}" must look like "System RAM (...)"`, 'add_memory_driver_managed');
  // register_memory_resource(): mhp_range_allowed() (5.11+), then the iomem conflict check
  const rangeAllowed = hasFeature(era, 'rule.mhp_range_allowed');
  if (rangeAllowed && (size <= 0 || start + size > g.maxPhysAddr))
    return refusal('E2BIG', `range ${hex(start)}+${hex(size)} is outside the mappable range`, 'mhp_range_allowed');
  // before mhp_range_allowed() (~5.11) only the iomem root's bounds stop an add past the
  // physical address space: the resource request conflicts (-EEXIST)
  if (!rangeAllowed && size > 0 && start + size > g.maxPhysAddr)
    return refusal('EEXIST', `${range(start, size)} lies beyond the iomem root (MAX_PHYSMEM_BITS ${g.profile.maxPhysmemBits})`, 'register_memory_resource');
  const firstId = Math.floor(start / g.blockSize);
  const endId = Math.ceil((start + size) / g.blockSize);
  for (let id = firstId; id < endId && size > 0; id++)
    if (tx.draft.blocks.get(id)) return refusal('EEXIST', `${range(start, size)} conflicts with System RAM of memory${id}`, 'register_memory_resource');
  // a resource left behind by an earlier removal (release_mem_region_adjustable() over more
  // than one resource releases nothing) still makes register_memory_resource() fail
  const stale = size > 0 ? busyConflict(tx.draft.resources, start, size) : undefined;
  if (stale) return refusal('EEXIST', `${range(start, size)} conflicts with ${stale.name} ${range(stale.start, stale.size)}: Unable to reserve System RAM region`, 'register_memory_resource');
  if (!isBlockAlignedRange(g, start, size))
    return refusal('EINVAL', `Block size [${hex(g.blockSize)}] unaligned hotplug range: start ${hex(start)}, size ${hex(size)}`, 'check_hotplug_memory_range');
  let group: number | null = null;
  if (opts.group !== undefined) {
    // MHP_NID_IS_MGID: memory_group_find_by_id(nid), and the group's node is the node
    const mg = tx.draft.groups.find((x) => x.id === opts.group);
    if (!mg) return refusal('EINVAL', `memory group ${opts.group} does not exist`, 'add_memory_resource');
    group = mg.id;
    nid = mg.nid;
  }
  if (nid < 0 || nid >= possibleNodes(tx)) {
    if (hasFeature(era, 'rule.add.node_possible_warn')) kernelWarn(tx, 'add_memory_resource', `node ${nid} was absent from the node_possible_map`, false);
    return refusal('EINVAL', `node ${nid} is not possible`, 'add_memory_resource');
  }

  const decision = decideMemmapLayout(tx.system, g, tx.params, size, flags);
  for (const w of decision.warnings) tx.warn(w);
  for (const w of decision.kernelWarnings ?? []) kernelWarn(tx, w.site, w.message, false);
  if (decision.errno) return refusal(decision.errno, decision.reason ?? 'memmap_on_memory unsupported', 'mhp_supports_memmap_on_memory');
  const startPfn = start / g.pageSize;
  const nrPages = size / g.pageSize;
  const nBlocks = size / g.blockSize;
  // a plain loop: Array.from({ length }, f) takes V8's generic array-like path, a twentieth of the decision
  const sectionNrs: number[] = [];
  for (let nr = startPfn / g.pagesPerSection; sectionNrs.length < nrPages / g.pagesPerSection; nr++) sectionNrs.push(nr);
  // sections whose vmemmap is still mapped get no memmap of their own: an altmap serves only the rest
  const stillMapped = stillMappedVmemmap(tx, sectionNrs);
  const fresh = stillMapped.size === 0 ? sectionNrs : sectionNrs.filter((s) => !stillMapped.has(s));
  const layout: MemmapLayout =
    decision.layout.kind === 'device' && stillMapped.size > 0 ? { kind: 'device', vmemmapPages: nr_vmemmap_pages(g, fresh.length * g.pagesPerSection) } : decision.layout;
  const planned = layout.kind === 'regular' ? planRegularMemmap(tx, nid, fresh) : null;
  let nextPlanned = 0;
  const placement: MemmapPlacement[] = sectionNrs.map((s) => {
    const orphan = stillMapped.get(s);
    if (orphan !== undefined) return { kind: 'altmap', headPfn: orphan, pages: g.memmapPagesPerSection };
    if (planned) return planned[nextPlanned++]!;
    return { kind: 'altmap', headPfn: headPfnOf(tx, layout, startPfn, s), pages: g.memmapPagesPerSection };
  });
  if (stillMapped.size > 0)
    tx.warn(
      `vmemmap of section${stillMapped.size > 1 ? 's' : ''} ${[...stillMapped.keys()].join(', ')} is still mapped (the deferred vmemmap_free() of the orphaned vmemmap at pfn ${hex(stillMapped.values().next().value!)} is pending): vmemmap_populate() reuses it, so ${range(start, size)} gets struct pages that lived in removed memory`,
    );

  // ---- effects ----
  // (no conditional spreads on this path: they cost 7x as much as setting the fields, docs/explore.md "Where the time went")
  const resourceFlags: string[] = [...flags];
  if (opts.merge) resourceFlags.push('MHP_MERGE_RESOURCE');
  if (group !== null) resourceFlags.push('MHP_NID_IS_MGID');
  const request: ResourceRequest = { start, size, flags: resourceFlags };
  if (opts.driverManaged !== undefined) {
    request.name = opts.driverManaged;
    request.driverManaged = true;
  }
  requestResource(tx, request);
  const node = tx.draft.nodes.get(nid);
  // a node new to the world starts with all its (hot-added) memory free: the arch's largest buddy order
  if (!node?.online) tx.emit(node ? { type: 'node', node: nid, online: true } : { type: 'node', node: nid, online: true, maxFreeOrder: g.profile.maxPageOrder });
  for (let i = 0; i < nBlocks; i++) {
    const id = firstId + i;
    const blockPfn = id * g.pagesPerBlock;
    for (let j = 0; j < g.sectionsPerBlock; j++) {
      const k = i * g.sectionsPerBlock + j;
      tx.transition('section', sectionNrs[k]!, { type: 'ADD', set: { nr: sectionNrs[k], nid, block: id, early: false, memmap: placement[k] } });
    }
    const blockSections = sectionNrs.slice(i * g.sectionsPerBlock, (i + 1) * g.sectionsPerBlock);
    // MEMBLOCK: an altmap per block, which allocates nothing for still-mapped sections (mark_vmemmap_pages() with alloc 0 marks nothing)
    const own = layout.kind !== 'per-block' ? [] : stillMapped.size === 0 ? blockSections : blockSections.filter((s) => !stillMapped.has(s));
    const ownPages = own.length === g.sectionsPerBlock ? vmemmapPagesIn(layout, startPfn, blockPfn, g.pagesPerBlock) : own.length === 0 ? 0 : nr_vmemmap_pages(g, own.length * g.pagesPerSection);
    const set: MemoryBlockContext = { id, nid, zone: null, online_type: 'offline', early: false, pinned: false, nr_vmemmap_pages: layout.kind === 'per-block' ? ownPages : vmemmapPagesIn(layout, startPfn, blockPfn, g.pagesPerBlock), used_pages: 0 };
    if (group !== null) set.group = group;
    if (opts.fakeOfflinePages) set.fake_offline_pages = opts.fakeOfflinePages;
    tx.transition('memory_block', id, { type: 'ADD', set });
    if (own.length > 0) markVmemmap(tx, blockPfn, ownPages, own, nid);
    // the block's device_add() sends its KOBJ_ADD uevent: user space's agents react later
    blockAdded(tx, id);
  }
  if (layout.kind === 'device' && fresh.length > 0) markVmemmap(tx, startPfn, layout.vmemmapPages, fresh, nid);
  if (layout.kind === 'regular') {
    const perNode = new Map<number, number>();
    for (const p of placement) if (p.kind === 'node') perNode.set(p.node, (perNode.get(p.node) ?? 0) + p.pages);
    for (const [n, pages] of perNode)
      tx.emit({ type: 'account', node: n, zone: null, memmapPages: pages, reason: `memmap of ${range(start, size)}${n !== nid ? ` (remote: added to node ${nid})` : ''}` });
    if (g.profile.vmemmapChunkOrder > 0 && placement.some((p) => p.kind === 'node' && p.basePages)) tx.warn(`vmemmap for ${range(start, size)} populated with base pages: no PMD-sized block was free`);
  }
  if (layout.kind === 'per-block' && layout.wastedPagesPerBlock > 0)
    tx.warn(`Memory hotplug will waste ${layout.wastedPagesPerBlock} pages in each memory block`);

  // auto-online (docs/kernel-model.md §5.3, §5.5): walk_memory_blocks(online_memory_block) stops at the first
  // block that fails, so the later blocks of the range stay offline untried; the add still returns 0.
  // An oops (a re-added block whose struct pages are orphaned, §7.5) kills the task instead: the
  // memory stays added and the call never returns.
  const auto = tx.params.auto_online_blocks;
  if (auto !== 'offline')
    for (let i = 0; i < nBlocks; i++) {
      try {
        onlineBlock(tx, firstId + i, auto, false, 'auto_online_blocks');
      } catch (e) {
        if (!(e instanceof KernelError) || e instanceof Oops) throw e;
        tx.warn(`auto-online of memory${firstId + i} failed: ${e.message}`);
        if (i + 1 < nBlocks) tx.warn(`auto-online stopped: memory${firstId + i + 1}-${firstId + nBlocks - 1} left offline`);
        break;
      }
    }
}

function headPfnOf(tx: Tx, layout: MemmapLayout, startPfn: number, section: number): number {
  if (layout.kind === 'device') return startPfn;
  const id = Math.floor(section / tx.g.sectionsPerBlock);
  return id * tx.g.pagesPerBlock;
}

/** vmemmap pages that live inside this block's own range. */
function vmemmapPagesIn(layout: MemmapLayout, startPfn: number, blockPfn: number, pagesPerBlock: number): number {
  if (layout.kind === 'per-block') return layout.vmemmapPagesPerBlock;
  if (layout.kind === 'device') {
    const end = startPfn + layout.vmemmapPages;
    return Math.max(0, Math.min(end, blockPfn + pagesPerBlock) - Math.max(startPfn, blockPfn));
  }
  return 0;
}

/**
 * v2 (docs/kernel-model.md §7.5): the sections of a new range whose vmemmap is still mapped, each
 * with the pfn of the orphaned vmemmap head that maps it. A section removed while its head kept
 * references had its vmemmap_free() deferred, so its part of the vmemmap stays mapped until the
 * head's last reference goes; vmemmap_populate() finds those PMDs populated and allocates nothing.
 * The new section's struct pages are then the old ones, and no head takes a reference for it. memhp
 * models this for orphaned heads, whose pages lived in removed memory: any access to those struct
 * pages is the oops of §7.5 (a head that is not orphaned is not modelled so: §7.5 says why).
 */
function stillMappedVmemmap(tx: Tx, sectionNrs: readonly number[]): Map<number, number> {
  const { g } = tx;
  const heads = tx.draft.vmemmap;
  const out = new Map<number, number>();
  if (sectionNrs.length === 0 || heads.size === 0) return out;
  const s0 = sectionNrs[0]!;
  const s1 = s0 + sectionNrs.length;
  // A head's vmemmap maps sections from its own on, and no two heads map one section: only the heads
  // keyed inside the range and the nearest one below it can reach the range. Looked up by key, not
  // by a walk of every head, which every add paid (a 64 TiB machine has half a million heads).
  const candidates: VmemmapState[] = [];
  for (let nr = s0; nr < s1; nr++) {
    const h = heads.get(nr);
    if (h) candidates.push(h);
  }
  for (let nr = s0 - 1; nr >= 0; nr--) {
    const h = heads.get(nr);
    if (h) {
      candidates.push(h);
      break;
    }
  }
  for (const h of candidates) {
    if (h.orphanedBy === null || h.refcount === 0) continue;
    // as many sections as its pages hold
    const first = Math.floor(h.headPfn / g.pagesPerSection);
    const count = Math.floor((h.nrPages * g.pageSize) / (g.pagesPerSection * STRUCT_PAGE_SIZE));
    const from = Math.max(first, s0);
    const to = Math.min(first + count, s1);
    if (from >= to) continue;
    const served = new Set(h.sections);
    for (let nr = from; nr < to; nr++) if (!served.has(nr)) out.set(nr, h.headPfn);
  }
  return out;
}

/** mark_vmemmap_pages(): head->_refcount = sections served, head->private = pages, tails → head. */
function markVmemmap(tx: Tx, headPfn: number, nrPages: number, sections: number[], node: number): void {
  // a head over a live one would take its place in the table and strand the sections it serves
  const prev = tx.draft.vmemmap.get(Math.floor(headPfn / tx.g.pagesPerSection));
  if (prev && prev.refcount > 0) throw new Error(`memhp bug: a vmemmap head at pfn ${hex(headPfn)} would replace the one at pfn ${hex(prev.headPfn)}, which still serves sections ${prev.sections.join(', ')}`);
  tx.emit({ type: 'vmemmap', action: 'mark', headPfn, nrPages, refcount: sections.length, sections, node });
}
