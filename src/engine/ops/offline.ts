/**
 * Offlining a memory block: memory_block_offline() → offline_pages()
 * (docs/kernel-model.md §4.8, §8.1, §7.3). The block reads `going-offline` while pages are
 * isolated and migrated; every failure after that point cancels back to online.
 */
import { configOf } from '../../kernel/config.ts';
import type { ErrnoName, KernelError } from '../../kernel/errno.ts';
import { refusal } from '../../kernel/errno.ts';
import type { ZoneName } from '../../kernel/types.ts';
import type { BlockState } from '../world.ts';
import type { Tx } from '../tx.ts';
import { freeKernelPages } from '../../kernel/zones.ts';
import { accountZone, block, checkMemmapAlive, range, sectionsOf } from './common.ts';

/** The values the unmovable check read, named in the message (`memhp why` shows it with the site). */
function offlineCauses(tx: Tx, b: BlockState, nr: number, nv: number, allocationsStranded: boolean): string {
  const causes: string[] = [];
  const kernelAllocations = b.kernel_allocations === true;
  if (kernelAllocations) causes.push(`memory${b.id} holds unmovable kernel allocations`);
  if (b.pinned) causes.push(`memory${b.id} has a pinned page`);
  if (b.used_pages > 0) causes.push(`${b.used_pages} pages of boot allocations (used) sit in memory${b.id}`);
  if (allocationsStranded && !kernelAllocations) causes.push(`node ${b.nid} has ${freeKernelPages(tx.draft, b.nid)} free kernel-zone pages, fewer than the ${nr - nv} this block takes away`);
  return causes.length ? ` (${causes.join('; ')})` : '';
}

/** offline_pages()'s failure, in its own words: "memory offlining [mem …] failed due to …". */
function offliningFailed(tx: Tx, id: number, errno: ErrnoName | number, why: string): KernelError {
  return refusal(errno, `memory offlining ${range(id * tx.g.blockSize, tx.g.blockSize)} failed due to ${why}`, 'offline_pages');
}

/**
 * Why offline_pages() fails for this block, if it does: isolation, the MEM_GOING_OFFLINE
 * notifier, a pending signal, an unmovable page. The causes are worded only when it fails.
 */
function offlinePagesFailure(tx: Tx, b: BlockState, zone: ZoneName, nr: number, nv: number, fake: number, signal: boolean): KernelError | undefined {
  const id = b.id;
  // v2: a range made only of vmemmap pages skips isolation and migration
  const onlyVmemmap = nv >= nr;
  // Kernel allocations (boot `used`, the regular memmap of later adds) are unmovable and are
  // not tracked per block: a kernel-zone block can go only if the node's remaining kernel
  // memory still holds them all, otherwise some of them must sit in this block.
  const allocationsStranded = zone !== 'Movable' && freeKernelPages(tx.draft, b.nid) - (nr - nv - fake) < 0;
  // the kernel's unmovable allocations that landed here when it came online (docs/kernel-model.md §8.4)
  const kernelAllocations = b.kernel_allocations === true;
  const unmovable = b.pinned || b.used_pages > 0 || allocationsStranded || kernelAllocations;
  if (!onlyVmemmap && unmovable && zone !== 'Movable') return offliningFailed(tx, id, 'EBUSY', `failure to isolate range${offlineCauses(tx, b, nr, nv, allocationsStranded)}`);
  const err = tx.draft.injection.MEM_GOING_OFFLINE;
  if (err !== 0) {
    tx.warn(`notifier-error-inject: Injecting error (${err}) to MEM_GOING_OFFLINE for memory${id}`);
    return offliningFailed(tx, id, -err, `notifier failure (MEM_GOING_OFFLINE returned ${err})`);
  }
  if (!onlyVmemmap && signal) return offliningFailed(tx, id, 'EINTR', 'signal backoff (a signal is pending)');
  if (!onlyVmemmap && unmovable) return offliningFailed(tx, id, 'EBUSY', `unmovable page${offlineCauses(tx, b, nr, nv, allocationsStranded)}`);
  return undefined;
}

/**
 * device_offline(); `redundantOk`: the `online` file treats offlining an offline block as success.
 * Its refusals and offline_pages()'s failures are returned (src/kernel/errno.ts `refusal`),
 * after the cancel back to online where the block had begun going offline.
 */
export function offlineBlock(tx: Tx, id: number, redundantOk = false): KernelError | void {
  const { g } = tx;
  const b = block(tx, id);
  if (!b) return refusal('ENOENT', `memory${id} does not exist`, 'kernfs_iop_lookup');
  if (b.state === 'offline') {
    if (redundantOk) return;
    return refusal('EINVAL', `memory${id} is already offline`, 'device_offline');
  }
  if (b.state !== 'online') return refusal('EINVAL', `memory${id} is ${b.state}`, 'device_offline');
  if (!configOf(tx.system).MEMORY_HOTREMOVE) {
    // memory_block_change_state() shows going-offline, then offline_pages() is the
    // !CONFIG_MEMORY_HOTREMOVE stub: -EINVAL, nothing else happens
    tx.transition('memory_block', id, { type: 'OFFLINE_BEGIN' });
    tx.transition('memory_block', id, { type: 'OFFLINE_CANCEL' });
    return refusal('EINVAL', `memory${id}: offline_pages() is the !CONFIG_MEMORY_HOTREMOVE stub`, 'offline_pages');
  }
  checkMemmapAlive(tx, b, 'offline');
  if (b.zone === null) {
    // memory_block_change_state() shows going-offline before memory_block_offline() refuses
    // (~5.18+) a block spanning several zones
    tx.transition('memory_block', id, { type: 'OFFLINE_BEGIN' });
    tx.transition('memory_block', id, { type: 'OFFLINE_CANCEL' });
    return refusal('EINVAL', `memory${id} spans several zones (valid_zones: none)`, 'memory_block_offline');
  }
  const zone = b.zone;
  const nr = g.pagesPerBlock;
  const nv = Math.min(b.nr_vmemmap_pages, nr);
  // fake-offline pages were never managed: the driver's MEM_GOING_OFFLINE adds them back before
  // offline_pages() takes the whole block away (virtio_mem_fake_offline_going_offline())
  const fake = b.fake_offline_pages ?? 0;
  // the write returns to user space either way: a pending signal is delivered
  const signal = tx.draft.signalPending;
  if (signal) tx.emit({ type: 'knob', knob: 'signal', key: 'pending', value: false });

  tx.transition('memory_block', id, { type: 'OFFLINE_BEGIN' });
  const failed = offlinePagesFailure(tx, b, zone, nr, nv, fake, signal);
  if (failed) {
    tx.transition('memory_block', id, { type: 'OFFLINE_CANCEL' });
    return failed;
  }
  for (const s of sectionsOf(tx, id)) tx.transition('section', s, { type: 'OFFLINE' });
  tx.transition('memory_block', id, { type: 'OFFLINE_DONE', set: b.kernel_allocations ? { zone: null, kernel_allocations: false } : { zone: null } });
  accountZone(
    tx,
    b.nid,
    zone,
    { present: -nr, managed: -(nr - nv - fake), early: b.early ? -nr : 0, group: b.group },
    nv ? `offline memory${id}: ${nv} vmemmap pages unaccounted` : `offline memory${id}`,
    { shrinkBlock: id },
  );
}
