/**
 * virtio-mem's own arithmetic (drivers/virtio/virtio_mem.c, docs/drivers.md "virtio-mem"):
 * which mode a device runs in, and the sub-block bitmap of Sub Block Mode. Pure; the driver's
 * work (plug, add, unplug, remove) lives in src/engine/ops/drivers/.
 */

export type VirtioMemMode = { mode: 'sbm'; sbSize: number; sbsPerMb: number } | { mode: 'bbm'; bbSize: number };

/**
 * virtio_mem_init_hotplug(): a sub-block spans at least a pageblock (pageblock_nr_pages since
 * 5.19, "virtio-mem: use pageblock size as the minimum virtio_mem size"; before it also
 * MAX_ORDER_NR_PAGES) and at least a device block. Sub Block Mode when that is strictly smaller
 * than a memory block, else Big Block Mode with big blocks of max(device block, memory block).
 */
export function virtioMemMode(deviceBlockSize: number, memoryBlockSize: number, pageblockBytes: number): VirtioMemMode {
  const sbSize = Math.max(pageblockBytes, deviceBlockSize);
  if (sbSize < memoryBlockSize) return { mode: 'sbm', sbSize, sbsPerMb: memoryBlockSize / sbSize };
  return { mode: 'bbm', bbSize: Math.max(deviceBlockSize, memoryBlockSize) };
}

/**
 * One memory block's sub-block states (vm->sbm.sb_states): a string of '1' (plugged) and '0'
 * (unplugged), sub-block 0 first. A string keeps the recorded device state plain, readable
 * JSON whatever the number of sub-blocks per block.
 */
export type SubBlockBits = string;

export const allUnplugged = (sbsPerMb: number): SubBlockBits => '0'.repeat(sbsPerMb);

export function pluggedCount(bits: SubBlockBits): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) if (bits.charCodeAt(i) === 49) n++;
  return n;
}

export const isFullyPlugged = (bits: SubBlockBits): boolean => !bits.includes('0');
export const isFullyUnplugged = (bits: SubBlockBits): boolean => !bits.includes('1');

/** Bits with [sb, sb + count) set to `plugged`. */
export function setSubBlocks(bits: SubBlockBits, sb: number, count: number, plugged: boolean): SubBlockBits {
  return bits.slice(0, sb) + (plugged ? '1' : '0').repeat(count) + bits.slice(sb + count);
}

/**
 * virtio_mem_sbm_plug_any_sb(): the runs of unplugged sub-blocks it plugs, lowest first, at most
 * `want` sub-blocks in all; each run is one VIRTIO_MEM_REQ_PLUG.
 */
export function plugRuns(bits: SubBlockBits, want: number): Array<{ sb: number; count: number }> {
  const out: Array<{ sb: number; count: number }> = [];
  let left = want;
  let sb = 0;
  while (left > 0) {
    sb = bits.indexOf('0', sb);
    if (sb < 0) break;
    let count = 1;
    while (count < left && sb + count < bits.length && bits[sb + count] === '0') count++;
    out.push({ sb, count });
    left -= count;
    sb += count;
  }
  return out;
}

/**
 * virtio_mem_sbm_unplug_any_sb_raw() for a block that is offline: runs of plugged sub-blocks
 * from the highest down, at most `want` sub-blocks in all; each run is one VIRTIO_MEM_REQ_UNPLUG.
 */
export function unplugRunsOffline(bits: SubBlockBits, want: number): Array<{ sb: number; count: number }> {
  const out: Array<{ sb: number; count: number }> = [];
  let left = want;
  let sb = bits.length - 1;
  while (left > 0) {
    while (sb >= 0 && bits[sb] === '0') sb--;
    if (sb < 0) break;
    let count = 1;
    while (count < left && sb > 0 && bits[sb - 1] === '1') {
      count++;
      sb--;
    }
    out.push({ sb, count });
    left -= count;
    sb--;
  }
  return out;
}

/**
 * The state virtio-mem keeps per memory block in Sub Block Mode (enum virtio_mem_sbm_mb_state),
 * for the blocks added to Linux; `zone` is where an online block is (kernel zone or Movable).
 */
export type SbmBlockState = 'offline_partial' | 'offline' | 'movable_partial' | 'kernel_partial' | 'movable' | 'kernel';

export function sbmBlockState(bits: SubBlockBits, online: boolean, movable: boolean): SbmBlockState {
  const full = isFullyPlugged(bits);
  if (!online) return full ? 'offline' : 'offline_partial';
  if (movable) return full ? 'movable' : 'movable_partial';
  return full ? 'kernel' : 'kernel_partial';
}

/** virtio_mem_sbm_plug_request(): partly plugged blocks are filled first, in this order of states. */
export const SBM_PLUG_ORDER: readonly SbmBlockState[] = ['kernel_partial', 'movable_partial', 'offline_partial'];

/**
 * virtio_mem_sbm_unplug_request(): offline blocks first, then ZONE_MOVABLE before kernel zones
 * and partly plugged before fully plugged ("virtio-mem: prioritize unplug from ZONE_MOVABLE in
 * Sub Block Mode"); within a state, the highest block first.
 */
export const SBM_UNPLUG_ORDER: readonly SbmBlockState[] = ['offline_partial', 'offline', 'movable_partial', 'kernel_partial', 'movable', 'kernel'];
