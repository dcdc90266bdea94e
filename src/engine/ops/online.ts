/**
 * Onlining a memory block: state_store()/online_store() → memory_block_online()
 * → online_pages() (docs/kernel-model.md §4.4, §4.7, §7.3).
 */
import { bootNormalFreePages, receivesUnmovableAllocations } from '../../kernel/allocations.ts';
import { fail } from '../../kernel/errno.ts';
import { hasFeature } from '../../kernel/features.ts';
import { KERNEL_ZONES } from '../../kernel/zones.ts';
import { zoneKey } from '../world.ts';
import type { OnlineType } from '../../kernel/types.ts';
import type { Tx } from '../tx.ts';
import { groupContextOf, zoneChoice } from '../../kernel/zone-choice.ts';
import type { ReasonStep } from '../../kernel/reason.ts';
import { accountZone, block, checkMemmapAlive, range, sectionsOf } from './common.ts';

/**
 * memory_subsys_online() of one block with the online type in force (what
 * state_store() or online_memory_block() stored in mem->online_type, or
 * MMOP_ONLINE when nothing was stored).
 * `redundantOk`: the `online` file treats onlining an online block as success.
 */
/** Who asked for the online, and so where its online type came from (recorded as the first step of the block's reason). */
export type OnlineFrom = 'state' | 'auto_online_blocks' | 'online_file' | 'rollback' | 'acpi_bus_online';

export function onlineBlock(tx: Tx, id: number, type: Exclude<OnlineType, 'offline'>, redundantOk = false, from: OnlineFrom = 'state', stored?: OnlineType): void {
  const { g } = tx;
  const b = block(tx, id);
  if (!b) fail('ENOENT', `memory${id} does not exist`, 'kernfs_iop_lookup');
  if (b.state === 'online') {
    if (redundantOk) return;
    fail('EINVAL', `memory${id} is already online`, 'device_online');
  }
  if (b.state !== 'offline') fail('EINVAL', `memory${id} is ${b.state}`, 'device_online');
  checkMemmapAlive(tx, b, 'online');
  const pfn = id * g.pagesPerBlock;
  const nr = g.pagesPerBlock;
  // the zone and the reason for it, recorded on the block's ONLINE transition (`memhp why`)
  const choice = zoneChoice(tx.draft, tx.params, type, b.nid, pfn, nr, groupContextOf(tx.draft, b, g.pagesPerBlock));
  const zone = choice.zone;
  const values: ReasonStep['values'] = { onlineType: type, from };
  if (stored !== undefined) values.storedOnlineType = stored;
  if (from === 'auto_online_blocks') values.auto_online_blocks = tx.params.auto_online_blocks;
  const why: ReasonStep[] = [{ rule: 'online_type', values }, ...choice.why];
  // vmemmap pages at the start of the block: present, never handed to the buddy
  const nv = Math.min(b.nr_vmemmap_pages, nr);
  // a driver's online_page callback keeps some pages fake-offline (virtio-mem's unplugged sub-blocks)
  const fake = b.fake_offline_pages ?? 0;
  const err = tx.draft.injection.MEM_GOING_ONLINE;
  if (err !== 0) {
    // MEM_GOING_ONLINE vetoed → MEM_CANCEL_ONLINE; remove_pfn_range_from_zone(); nothing changes
    tx.warn(`notifier-error-inject: Injecting error (${err}) to MEM_GOING_ONLINE for memory${id}`);
    // memory_subsys_online() resets mem->online_type whatever the outcome
    if (b.online_type !== 'offline') tx.transition('memory_block', id, { type: 'SET_ONLINE_TYPE', set: { online_type: 'offline' } });
    fail(-err, `MEM_GOING_ONLINE notifier failed for memory${id} ${range(pfn * g.pageSize, g.blockSize)}`, 'online_pages');
  }
  // where the kernel's unmovable allocations go (docs/kernel-model.md §8.4): decided now, recorded
  // in the block; a rollback's re-online is an online like any other
  const kernelAllocations =
    !b.early && receivesUnmovableAllocations({ zone, onlinedToTail: hasFeature(tx.system.kernel, 'rule.online_pages.to_tail'), bootNormalFreePages: nodeBootNormalFree(tx, b.nid), nodeHasHolder: () => nodeHasHolder(tx, b.nid) });
  // memory_subsys_online() resets mem->online_type to MMOP_OFFLINE once the online is done (docs/kernel-model.md §4.4)
  tx.transition('memory_block', id, { type: 'ONLINE', set: kernelAllocations ? { zone, online_type: 'offline', kernel_allocations: true } : { zone, online_type: 'offline' } }, why);
  for (const s of sectionsOf(tx, id)) tx.transition('section', s, { type: 'ONLINE' });
  accountZone(
    tx,
    b.nid,
    zone,
    { present: nr, managed: nr - nv - fake, early: b.early ? nr : 0, group: b.group },
    `online memory${id}${nv ? `: ${nv} vmemmap pages present but not managed` : ''}${fake ? `${nv ? ',' : ':'} ${fake} pages of unplugged sub-blocks kept fake-offline` : ''}`,
    { grow: { pfn, nr } },
  );
}

/**
 * device_online() without a requested type, as the `online` file, an ACPI eject's rollback
 * (acpi_bus_online()) and offline_and_remove_memory()'s rollback call it: memory_subsys_online()
 * onlines with mem->online_type, MMOP_ONLINE when it is MMOP_OFFLINE. The type is reset after
 * every online, but a `state` write to a block already online stores it and nothing resets it
 * (docs/kernel-model.md §4.4), so the next device_online() uses it.
 */
export function deviceOnline(tx: Tx, id: number, redundantOk = false, from: OnlineFrom = 'online_file'): void {
  const stored = block(tx, id)?.online_type ?? 'offline';
  onlineBlock(tx, id, stored === 'offline' ? 'online' : stored, redundantOk, from, stored);
}

/** Whether an online block of the node holds the kernel's unmovable allocations. */
function nodeHasHolder(tx: Tx, nid: number): boolean {
  return tx.draft.blocks.find((x) => x.nid === nid && x.state === 'online' && !!x.kernel_allocations) !== undefined;
}

/** Free pages of the node's boot ZONE_NORMAL (src/kernel/allocations.ts). */
function nodeBootNormalFree(tx: Tx, nid: number): number {
  const n = tx.draft.nodes.get(nid);
  if (!n) return 0;
  let earlyKernelPages = 0;
  for (const z of KERNEL_ZONES) earlyKernelPages += tx.draft.zones.get(zoneKey(nid, z))?.presentEarlyPages ?? 0;
  const earlyNormalPages = tx.draft.zones.get(zoneKey(nid, 'Normal'))?.presentEarlyPages ?? 0;
  return bootNormalFreePages({ earlyKernelPages, earlyNormalPages, usedPages: n.usedPages, memmapPages: n.memmapPages });
}
