/**
 * Onlining a memory block: state_store()/online_store() → memory_block_online()
 * → online_pages() (docs/kernel-model.md §4.4, §4.7, §7.3).
 */
import { fail } from '../../kernel/errno.ts';
import type { OnlineType } from '../../kernel/types.ts';
import type { Tx } from '../tx.ts';
import { groupContextOf, zoneForPfnRange } from '../../kernel/zone-choice.ts';
import { accountZone, block, checkMemmapAlive, range, sectionsOf } from './common.ts';

/**
 * device_online() of one block with the requested online type.
 * `redundantOk`: the `online` file treats onlining an online block as success.
 */
export function onlineBlock(tx: Tx, id: number, type: Exclude<OnlineType, 'offline'>, redundantOk = false): void {
  const { g } = tx;
  const b = block(tx, id);
  if (!b) fail('ENOENT', `memory${id} does not exist`);
  if (b.state === 'online') {
    if (redundantOk) return;
    fail('EINVAL', `memory${id} is already online`);
  }
  if (b.state !== 'offline') fail('EINVAL', `memory${id} is ${b.state}`);
  checkMemmapAlive(tx, b, 'online');
  const pfn = id * g.pagesPerBlock;
  const nr = g.pagesPerBlock;
  const zone = zoneForPfnRange(tx.draft, tx.params, type, b.nid, pfn, nr, groupContextOf(tx.draft, b, g.pagesPerBlock));
  // vmemmap pages at the start of the block: present, never handed to the buddy
  const nv = Math.min(b.nr_vmemmap_pages, nr);
  const err = tx.draft.injection.MEM_GOING_ONLINE;
  if (err !== 0) {
    // MEM_GOING_ONLINE vetoed → MEM_CANCEL_ONLINE; remove_pfn_range_from_zone(); nothing changes
    tx.warn(`notifier-error-inject: Injecting error (${err}) to MEM_GOING_ONLINE for memory${id}`);
    fail(-err, `MEM_GOING_ONLINE notifier failed for memory${id} ${range(pfn * g.pageSize, g.blockSize)}`);
  }
  // memory_subsys_online() resets mem->online_type to MMOP_OFFLINE once the online is done (docs/kernel-model.md §4.4)
  tx.transition('memory_block', id, { type: 'ONLINE', set: { zone, online_type: 'offline' } });
  for (const s of sectionsOf(tx, id)) tx.transition('section', s, { type: 'ONLINE' });
  accountZone(
    tx,
    b.nid,
    zone,
    { present: nr, managed: nr - nv, early: b.early ? nr : 0, group: b.group },
    nv ? `online memory${id}: ${nv} vmemmap pages present but not managed` : `online memory${id}`,
    { grow: { pfn, nr } },
  );
}

