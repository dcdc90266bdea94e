/**
 * virtio-mem: drivers/virtio/virtio_mem.c (docs/drivers.md). The device
 * offers a region; the hypervisor sets requested_size; the driver plugs
 * device blocks and adds them with add_memory_driver_managed("System RAM
 * (virtio_mem)", MHP_MERGE_RESOURCE | MHP_NID_IS_MGID) one unit at a time —
 * a memory block in Sub Block Mode, a big block in Big Block Mode — into one
 * dynamic memory group (5.15+). To shrink, it removes whole units: offline
 * ones with remove_memory(), online ones (unplug_online=Y) with
 * offline_and_remove_memory(). Big Block Mode is modelled here, at unit
 * granularity; Sub Block Mode (a sub-block smaller than a memory block) in
 * virtio-mem-sbm.ts.
 */
import { fail, KernelError, orThrow, refusal } from '../../../kernel/errno.ts';
import { hasMemoryGroups, hasMergeResource, hasVirtioMem, VIRTIO_MEM_OFFLINE_THRESHOLD, VIRTIO_MEM_RESOURCE } from '../../../kernel/drivers.ts';
import type { DeviceRecord } from '../../events.ts';
import { Oops, type Tx } from '../../tx.ts';
import type { BlockState } from '../../world.ts';
import { addMemory, possibleNodes } from '../add.ts';
import { blocksIn, hex, range } from '../common.ts';
import { registerGroup } from '../groups.ts';
import { requestResource } from '../resource.ts';
import { offlineAndRemoveMemory, removeMemory } from '../remove.ts';
import { bindDevice, boundDevice, deviceExists, regionBusy, updateDevice } from './device.ts';
import { formatSize } from '../../../input/size.ts';
import { virtioMemMode } from '../../../kernel/virtio-mem.ts';
import { sbmRun } from './virtio-mem-sbm.ts';

/** Host side (QEMU's virtio-mem device): requested-size is a multiple of block-size and fits the region. */
function checkRequest(d: DeviceRecord, blockSize: number, requested: number): void {
  if (requested % blockSize !== 0) fail('EINVAL', `virtio-mem ${d.name}: requested-size ${hex(requested)} has to be a multiple of block-size ${hex(blockSize)}`, 'virtio_mem_config_changed');
  if (requested > d.size) fail('EINVAL', `virtio-mem ${d.name}: requested-size ${hex(requested)} exceeds the region size ${hex(d.size)}`, 'virtio_mem_config_changed');
}

export function virtioMemAdd(tx: Tx, name: string, node: number, start: number, size: number, blockSize: number | undefined, requested: number): KernelError | void {
  const era = tx.system.kernel;
  if (!hasVirtioMem(era)) return refusal('ENODEV', `no driver for virtio-mem in ${era} (virtio_mem.c came with 5.8)`, 'virtio_mem_probe');
  const exists = deviceExists(tx, name);
  if (exists) return exists;
  const mb = tx.g.blockSize;
  const deviceBlock = blockSize ?? mb;
  if (deviceBlock <= 0 || (deviceBlock & (deviceBlock - 1)) !== 0) return refusal('EINVAL', `virtio-mem ${name}: device block size ${hex(deviceBlock)} is not a power of two`, 'virtio_mem_init');
  // virtio_mem_init_hotplug(): SBM when a sub-block (at least a pageblock) is smaller than a memory
  // block; else BBM with bb_size = max(device block, memory block). Both add and remove whole memory
  // blocks (SBM) or big blocks (BBM): that is the dynamic group's unit.
  const mode = virtioMemMode(deviceBlock, mb, tx.g.pageblockNrPages * tx.g.pageSize);
  const unit = mode.mode === 'sbm' ? mb : mode.bbSize;
  const first = Math.ceil(start / unit) * unit;
  const end = Math.floor((start + size) / unit) * unit;
  if (first !== start) tx.warn(`virtio-mem ${name}: The alignment of the physical start address can make some memory unusable.`);
  if (end !== start + size) tx.warn(`virtio-mem ${name}: The alignment of the physical end address can make some memory unusable.`);
  if (end <= first) return refusal('EINVAL', `virtio-mem ${name}: the region ${range(start, size)} holds no usable ${formatSize(unit)} unit`, 'virtio_mem_init');
  checkRequest({ name, driver: 'virtio_mem', nid: node, start, size, group: null, stuck: false }, deviceBlock, requested);
  // virtio_mem_create_resource(): the parent resource, named after the device; a conflict is -EBUSY
  const busy = regionBusy(tx, start, size);
  if (busy) return refusal('EBUSY', `virtio-mem ${name}: could not reserve device region ${range(start, size)} (conflicts with ${busy})`, 'virtio_mem_init');
  requestResource(tx, { start, size, flags: [], name, container: true });
  let group: number | null = null;
  // one dynamic memory group covers the whole device; its unit is the driver's add/remove unit
  if (hasMemoryGroups(era)) group = registerGroup(tx, name, node, true, unit / tx.g.pageSize, possibleNodes(tx));
  // the device is probed with what it has: requested_size as the host set it, nothing plugged yet
  const d: DeviceRecord = {
    name,
    driver: 'virtio_mem',
    nid: node,
    start,
    size,
    group,
    stuck: false,
    unit,
    requested,
    plugged: 0,
    blockSize: deviceBlock,
    ...(mode.mode === 'sbm' ? { sbSize: mode.sbSize, subBlocks: {} } : {}),
  };
  bindDevice(tx, d);
  run(tx, d);
}

export function virtioMemResize(tx: Tx, name: string, requested: number): KernelError | void {
  const d = boundDevice(tx, name, 'virtio_mem');
  if (d instanceof KernelError) return d;
  // logs from before Sub Block Mode record no block size: their device block was the unit
  checkRequest(d, d.blockSize ?? d.unit!, requested);
  run(tx, { ...d, requested });
}

/** The unit ids of the usable region, ascending. */
function units(tx: Tx, d: DeviceRecord): number[] {
  const u = d.unit!;
  const out: number[] = [];
  for (let a = Math.ceil(d.start / u) * u; a + u <= d.start + d.size; a += u) out.push(a);
  return out;
}

function unitBlocks(tx: Tx, d: DeviceRecord, addr: number): BlockState[] {
  return blocksIn(tx, addr, d.unit!);
}

/** virtio_mem_run_wq(): plug or unplug until plugged_size == requested_size, or until the driver has to wait. */
function run(tx: Tx, dev: DeviceRecord): void {
  if (dev.sbSize) {
    const { d, stopped } = sbmRun(tx, dev, (x) => updateDevice(tx, x));
    if (d.plugged !== d.requested)
      fail('EAGAIN', `virtio-mem ${d.name}: plugged ${formatSize(d.plugged!)} of requested ${formatSize(d.requested!)}; ${stopped ?? 'the rest is smaller than a sub-block'}; the driver retries later`, 'virtio_mem_run_wq');
    return;
  }
  let d = dev;
  const u = d.unit!;
  let stopped: string | null = null;
  if (d.requested! > d.plugged!) {
    // virtio_mem_plug_request(): the lowest unused units first
    for (const addr of units(tx, d)) {
      if (d.plugged! >= d.requested!) break;
      if (unitBlocks(tx, d, addr).length > 0) continue;
      // virtio_mem_could_add_memory(): at most offline_threshold of added memory may wait offline
      let offline = 0;
      for (const b of blocksIn(tx, d.start, d.size)) if (b.state === 'offline') offline += tx.g.blockSize;
      if (offline + u > VIRTIO_MEM_OFFLINE_THRESHOLD) {
        stopped = `${formatSize(offline)} of added memory is still offline (offline_threshold ${formatSize(VIRTIO_MEM_OFFLINE_THRESHOLD)}): the driver waits for it to be onlined`;
        break;
      }
      // VIRTIO_MEM_REQ_PLUG first, then the add (virtio_mem_sbm_plug_and_add_mb)
      try {
        orThrow(addMemory(tx, d.group ?? d.nid, addr, u, [], {
          driverManaged: VIRTIO_MEM_RESOURCE,
          merge: hasMergeResource(tx.system.kernel),
          ...(d.group !== null ? { group: d.group } : {}),
        }));
      } catch (e) {
        if (!(e instanceof KernelError) || e instanceof Oops) throw e;
        // the plugged blocks go back to the device; the driver retries later
        tx.warn(`virtio_mem ${d.name}: adding memory failed: -${e.errno} (${e.message})`);
        stopped = `adding ${range(addr, u)} failed: ${e.message}`;
        break;
      }
      d = { ...d, plugged: d.plugged! + u };
    }
  } else if (d.requested! < d.plugged!) {
    // virtio_mem_sbm_unplug_request(): offline units first, then movable, then kernel; highest first
    const added = units(tx, d).filter((a) => unitBlocks(tx, d, a).length > 0);
    const rank = (a: number) => {
      const bs = unitBlocks(tx, d, a);
      if (bs.every((b) => b.state === 'offline')) return 0;
      return bs.every((b) => b.state === 'offline' || b.zone === 'Movable') ? 1 : 2;
    };
    const order = [...added].sort((a, b) => rank(a) - rank(b) || b - a);
    for (const addr of order) {
      if (d.plugged! <= d.requested!) break;
      const offline = rank(addr) === 0;
      try {
        if (offline) orThrow(removeMemory(tx, addr, u));
        else orThrow(offlineAndRemoveMemory(tx, addr, u));
      } catch (e) {
        if (!(e instanceof KernelError) || e instanceof Oops) throw e;
        tx.warn(`virtio_mem ${d.name}: ${offline ? 'removing' : 'offlining and removing'} memory ${range(addr, u)} failed: -${e.errno} (${e.message})`);
        stopped = `${range(addr, u)} could not be unplugged: ${e.message}`;
        continue;
      }
      // VIRTIO_MEM_REQ_UNPLUG once the memory is gone
      d = { ...d, plugged: d.plugged! - u };
    }
  }
  if (d.plugged !== dev.plugged || d.requested !== dev.requested) updateDevice(tx, d);
  if (d.plugged !== d.requested)
    fail('EAGAIN', `virtio-mem ${d.name}: plugged ${formatSize(d.plugged!)} of requested ${formatSize(d.requested!)}; ${stopped ?? 'no usable unit left'}; the driver retries later`, 'virtio_mem_run_wq');
}
