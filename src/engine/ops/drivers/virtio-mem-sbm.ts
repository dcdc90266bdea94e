/**
 * virtio-mem Sub Block Mode (docs/drivers.md "virtio-mem"): sub-blocks smaller than a memory
 * block. The driver plugs sub-blocks, adds a memory block once its first sub-blocks are plugged
 * (virtio_mem_sbm_plug_and_add_mb(): plugged first, so onlining hands only them to the buddy),
 * fills partly plugged blocks before it adds new ones, keeps unplugged sub-blocks of an added
 * block fake-offline (PageOffline: present once online, never managed), takes sub-blocks out of
 * an online block with alloc_contig_range() (virtio_mem_sbm_unplug_sb_online()), and removes a
 * memory block when its last sub-block is unplugged. The sub-block bitmap is the device record's
 * `subBlocks`; each block's fake-offline pages are its `fake_offline_pages` (FAKE_OFFLINE).
 */
import { fail, KernelError, orThrow } from '../../../kernel/errno.ts';
import { hasMergeResource, VIRTIO_MEM_OFFLINE_THRESHOLD, VIRTIO_MEM_RESOURCE } from '../../../kernel/drivers.ts';
import { freeKernelPages } from '../../../kernel/zones.ts';
import {
  allUnplugged,
  isFullyUnplugged,
  pluggedCount,
  plugRuns,
  SBM_PLUG_ORDER,
  SBM_UNPLUG_ORDER,
  sbmBlockState,
  setSubBlocks,
  unplugRunsOffline,
  type SbmBlockState,
} from '../../../kernel/virtio-mem.ts';
import { formatSize } from '../../../input/size.ts';
import type { DeviceRecord } from '../../events.ts';
import { Oops, type Tx } from '../../tx.ts';
import { addMemory } from '../add.ts';
import { accountZone, block, range } from '../common.ts';
import { offlineAndRemoveMemory, removeMemory } from '../remove.ts';

/** The driver's state during one run of its work: the device record as it will be recorded. */
interface Sbm {
  d: DeviceRecord;
  bits: Record<string, string>;
}

const sbsPerMb = (tx: Tx, s: Sbm) => tx.g.blockSize / s.d.sbSize!;
const pagesPerSb = (tx: Tx, s: Sbm) => s.d.sbSize! / tx.g.pageSize;

/** The memory block ids the device can use: whole blocks inside its region, ascending (first_mb_id … last_usable_mb_id). */
function usableBlocks(tx: Tx, d: DeviceRecord): number[] {
  const mb = tx.g.blockSize;
  const out: number[] = [];
  for (let a = Math.ceil(d.start / mb) * mb; a + mb <= d.start + d.size; a += mb) out.push(a / mb);
  return out;
}

/** The SBM state of an added block (enum virtio_mem_sbm_mb_state), or null when the block is not added. */
function stateOf(tx: Tx, s: Sbm, id: number): SbmBlockState | null {
  const b = block(tx, id);
  const bits = s.bits[id];
  if (!b || bits === undefined) return null;
  return sbmBlockState(bits, b.state === 'online', b.zone === 'Movable');
}

/** Records a block's new bitmap and its fake-offline pages; an online block's managed pages follow (virtio_mem_fake_online()/fake_offline()). */
function setBits(tx: Tx, s: Sbm, id: number, bits: string, why: string): void {
  const before = s.bits[id] ?? allUnplugged(sbsPerMb(tx, s));
  s.bits[id] = bits;
  const b = block(tx, id);
  if (!b) return;
  const fake = (sbsPerMb(tx, s) - pluggedCount(bits)) * pagesPerSb(tx, s);
  const delta = (pluggedCount(bits) - pluggedCount(before)) * pagesPerSb(tx, s);
  if (b.state === 'online' && b.zone !== null && delta !== 0) accountZone(tx, b.nid, b.zone, { managed: delta }, `virtio-mem ${s.d.name}: ${why} in online memory${id}`);
  if ((b.fake_offline_pages ?? 0) !== fake) tx.transition('memory_block', id, { type: 'FAKE_OFFLINE', set: { fake_offline_pages: fake } });
}

/** Adds to the device's plugged size (VIRTIO_MEM_REQ_PLUG / _UNPLUG acknowledged). */
function plugged(s: Sbm, bytes: number): void {
  s.d = { ...s.d, plugged: s.d.plugged! + bytes };
}

/** virtio_mem_sbm_plug_request(): returns why it stopped early, or null. */
function plugRequest(tx: Tx, s: Sbm): string | null {
  let nb = Math.floor((s.d.requested! - s.d.plugged!) / s.d.sbSize!);
  const ids = usableBlocks(tx, s.d);
  // partly plugged blocks first: kernel zones, then ZONE_MOVABLE, then offline ones (virtio_mem_sbm_plug_any_sb())
  for (const want of SBM_PLUG_ORDER)
    for (const id of ids) {
      if (nb === 0) return null;
      if (stateOf(tx, s, id) !== want) continue;
      let bits = s.bits[id]!;
      for (const run of plugRuns(bits, nb)) {
        bits = setSubBlocks(bits, run.sb, run.count, true);
        nb -= run.count;
        plugged(s, run.count * s.d.sbSize!);
      }
      setBits(tx, s, id, bits, 'plugged sub-blocks');
    }
  // then unused blocks, lowest first: plug, then add (virtio_mem_sbm_plug_and_add_mb())
  const mb = tx.g.blockSize;
  for (const id of ids) {
    if (nb === 0) return null;
    if (block(tx, id) || s.bits[id] !== undefined) continue;
    // virtio_mem_could_add_memory(): the added memory still offline, plus this block, within the threshold
    const threshold = Math.max(2 * mb, VIRTIO_MEM_OFFLINE_THRESHOLD);
    let offline = 0;
    for (const x of ids) if (block(tx, x)?.state === 'offline') offline += mb;
    if (offline + mb > threshold)
      return `${formatSize(offline)} of added memory is still offline (offline_threshold ${formatSize(threshold)}): the driver waits for it to be onlined`;
    const count = Math.min(nb, sbsPerMb(tx, s));
    const bits = setSubBlocks(allUnplugged(sbsPerMb(tx, s)), 0, count, true);
    try {
      orThrow(addMemory(tx, s.d.group ?? s.d.nid, id * mb, mb, [], {
        driverManaged: VIRTIO_MEM_RESOURCE,
        merge: hasMergeResource(tx.system.kernel),
        ...(s.d.group !== null ? { group: s.d.group } : {}),
        fakeOfflinePages: (sbsPerMb(tx, s) - count) * pagesPerSb(tx, s),
      }));
    } catch (e) {
      if (!(e instanceof KernelError) || e instanceof Oops) throw e;
      // the plugged sub-blocks go back to the device (virtio_mem_sbm_unplug_sb()); the driver retries later
      tx.warn(`virtio_mem ${s.d.name}: adding memory failed: -${e.errno} (${e.message})`);
      return `adding ${range(id * mb, mb)} failed: ${e.message}`;
    }
    s.bits[id] = bits;
    nb -= count;
    plugged(s, count * s.d.sbSize!);
  }
  return nb > 0 ? 'no usable memory block left in the device region' : null;
}

/**
 * alloc_contig_range() over sub-blocks of an online block, as virtio_mem_fake_offline() calls
 * it: what keeps them busy, or null. ZONE_MOVABLE holds only movable pages (a pinned page is
 * the exception; the driver retries five times and gives up with -EBUSY); in a kernel zone the
 * kernel's unmovable allocations, when the block took them (docs/kernel-model.md §8.4), fill
 * its first largest buddy block (MAX_ORDER_NR_PAGES: the fallback that steals a free block for
 * unmovable pages converts all of it), so the sub-blocks over it stay busy — on real 6.1 and
 * 6.12 guests the first 4 MiB (two 2 MiB sub-blocks) of such a block could not be unplugged;
 * and the migration needs free kernel memory for what it moves.
 */
function busy(tx: Tx, s: Sbm, id: number, sb: number, count: number): string | null {
  const b = block(tx, id)!;
  if (b.pinned) return `memory${id} has pinned pages`;
  if (b.zone === 'Movable') return null;
  // the sub-blocks [sb, sb + count) overlap the block's first max-order buddy block
  const first = sb * pagesPerSb(tx, s) < 2 ** tx.g.profile.maxPageOrder;
  if (b.used_pages > 0 && first) return `memory${id} holds boot allocations`;
  if (b.kernel_allocations && first) return `memory${id}'s first ${formatSize(2 ** tx.g.profile.maxPageOrder * tx.g.pageSize)} hold unmovable kernel allocations`;
  if (freeKernelPages(tx.draft, b.nid) - count * pagesPerSb(tx, s) < 0) return `node ${b.nid} has no free kernel memory to migrate to`;
  return null;
}

/** Removes a fully unplugged block (virtio_mem_sbm_try_remove_unplugged_mb()); false when it must wait. */
function removeUnplugged(tx: Tx, s: Sbm, id: number): boolean {
  const b = block(tx, id);
  const mb = tx.g.blockSize;
  try {
    if (b?.state === 'offline') orThrow(removeMemory(tx, id * mb, mb));
    else if (b) orThrow(offlineAndRemoveMemory(tx, id * mb, mb));
  } catch (e) {
    if (!(e instanceof KernelError) || e instanceof Oops) throw e;
    tx.warn(`virtio_mem ${s.d.name}: ${b?.state === 'offline' ? 'removing' : 'offlining and removing'} memory ${range(id * mb, mb)} failed: -${e.errno} (${e.message})`);
    return false;
  }
  delete s.bits[id];
  return true;
}

/** virtio_mem_sbm_unplug_request(): returns why it stopped early, or null. */
function unplugRequest(tx: Tx, s: Sbm): string | null {
  let nb = Math.floor((s.d.plugged! - s.d.requested!) / s.d.sbSize!);
  const ids = usableBlocks(tx, s.d).reverse();
  const per = sbsPerMb(tx, s);
  let why: string | null = null;
  for (const want of SBM_UNPLUG_ORDER)
    for (const id of ids) {
      if (nb === 0) return null;
      if (stateOf(tx, s, id) !== want) continue;
      let bits = s.bits[id]!;
      if (want === 'offline' || want === 'offline_partial') {
        // virtio_mem_sbm_unplug_any_sb_offline(): the host always takes them back
        for (const run of unplugRunsOffline(bits, nb)) {
          bits = setSubBlocks(bits, run.sb, run.count, false);
          nb -= run.count;
          plugged(s, -run.count * s.d.sbSize!);
        }
        setBits(tx, s, id, bits, 'unplugged sub-blocks');
        if (isFullyUnplugged(bits)) removeUnplugged(tx, s, id);
        continue;
      }
      // virtio_mem_sbm_unplug_any_sb_online(): the whole block in one go if it may, else sub-block by sub-block from the top
      if (nb >= per && !bits.includes('0') && busy(tx, s, id, 0, per) === null && [...Array(per).keys()].every((sb) => busy(tx, s, id, sb, 1) === null)) {
        bits = allUnplugged(per);
        nb -= per;
        plugged(s, -per * s.d.sbSize!);
        setBits(tx, s, id, bits, 'unplugged sub-blocks (alloc_contig_range)');
      } else {
        for (let sb = per - 1; sb >= 0 && nb > 0; sb--) {
          if (bits[sb] !== '1') continue;
          const reason = busy(tx, s, id, sb, 1);
          if (reason) {
            why = `sub-blocks of ${range(id * tx.g.blockSize, tx.g.blockSize)} are busy: ${reason}`;
            continue;
          }
          bits = setSubBlocks(bits, sb, 1, false);
          nb -= 1;
          plugged(s, -s.d.sbSize!);
        }
        setBits(tx, s, id, bits, 'unplugged sub-blocks (alloc_contig_range)');
      }
      if (isFullyUnplugged(bits) && !removeUnplugged(tx, s, id)) why = `memory${id} is unplugged but could not be offlined and removed; the driver retries`;
    }
  return nb > 0 ? (why ?? 'no plugged sub-block could be unplugged') : null;
}

/**
 * virtio_mem_run_wq() in Sub Block Mode: remove blocks left fully unplugged by an earlier run
 * (virtio_mem_cleanup_pending_mb()), then plug or unplug towards requested_size. Returns the
 * device as it is afterwards and why it stopped short, or null.
 */
export function sbmRun(tx: Tx, dev: DeviceRecord, record: (d: DeviceRecord) => void): { d: DeviceRecord; stopped: string | null } {
  if (!dev.sbSize) fail('EINVAL', `virtio-mem ${dev.name} is not in Sub Block Mode`);
  const s: Sbm = { d: dev, bits: { ...(dev.subBlocks ?? {}) } };
  let stopped: string | null = null;
  try {
    for (const id of Object.keys(s.bits).map(Number))
      if (isFullyUnplugged(s.bits[id]!)) {
        if (!block(tx, id)) delete s.bits[id];
        else removeUnplugged(tx, s, id);
      }
    if (s.d.requested! > s.d.plugged!) stopped = plugRequest(tx, s);
    else if (s.d.requested! < s.d.plugged!) stopped = unplugRequest(tx, s);
  } finally {
    // the driver's state as it is now, even when an oops ended the work part way
    const d = { ...s.d, subBlocks: s.bits };
    if (JSON.stringify(d) !== JSON.stringify(dev)) record(d);
    s.d = d;
  }
  return { d: s.d, stopped };
}
