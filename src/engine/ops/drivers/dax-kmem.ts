/**
 * dax/kmem: drivers/dax/kmem.c (docs/drivers.md). Binding a dax device
 * (a CXL region, persistent memory as RAM) to kmem aligns its range inward
 * to memory blocks, registers one static memory group (5.15+), reserves the
 * range under the device's name and adds it with
 * add_memory_driver_managed("System RAM (kmem)", MHP_NID_IS_MGID
 * [| MHP_MEMMAP_ON_MEMORY when the device's memmap_on_memory is set, 6.8+]).
 * Unbinding calls remove_memory(); if that fails the unbind still succeeds
 * and the memory stays until reboot.
 */
import { fail, KernelError, orThrow } from '../../../kernel/errno.ts';
import { hasDaxMemmapOnMemory, hasDriverManaged, hasMemoryGroups, KMEM_RESOURCE } from '../../../kernel/drivers.ts';
import { supportsMemmapOnMemory68 } from '../../../kernel/memmap-on-memory.ts';
import { Oops, type Tx } from '../../tx.ts';
import { addMemory, possibleNodes } from '../add.ts';
import { range } from '../common.ts';
import { registerGroup, unregisterGroup } from '../groups.ts';
import { removeMemory } from '../remove.ts';
import { releaseContainer, requestResource } from '../resource.ts';
import { daxBound } from '../agent-queue.ts';
import { bindDevice, boundDevice, deviceExists, regionBusy, unbindDevice, updateDevice } from './device.ts';

/** dax_kmem_range(): memory-block align the hotplug range inward. */
function kmemRange(tx: Tx, start: number, size: number): { start: number; size: number } {
  const bs = tx.g.blockSize;
  const s = Math.ceil(start / bs) * bs;
  const e = Math.floor((start + size) / bs) * bs;
  return { start: s, size: Math.max(0, e - s) };
}

export function daxKmemAdd(tx: Tx, name: string, node: number, start: number, size: number, memmapOnMemory: boolean | undefined): KernelError | void {
  const era = tx.system.kernel;
  const exists = deviceExists(tx, name);
  if (exists) return exists;
  if (memmapOnMemory !== undefined && !hasDaxMemmapOnMemory(era))
    fail('ENOENT', `${name}: dax devices have no memmap_on_memory attribute in ${era} (6.8+)`, 'kernfs_iop_lookup');
  // memmap_on_memory_store(): enabling it where mhp_supports_memmap_on_memory() is false
  if (memmapOnMemory && !supportsMemmapOnMemory68(tx.system, tx.g, tx.params).ok)
    fail('EOPNOTSUPP', `${name}: memmap_on_memory is not available (${supportsMemmapOnMemory68(tx.system, tx.g, tx.params).why})`, 'memmap_on_memory_store');
  const r = kmemRange(tx, start, size);
  if (r.size === 0) fail('EINVAL', `${name}: rejecting DAX region without any memory after alignment (${range(start, size)})`, 'dev_dax_kmem_probe');
  if (r.start !== start || r.size !== size) tx.warn(`${name}: mapping0 aligned to memory blocks: ${range(r.start, r.size)}`);
  let group: number | undefined;
  // memory_group_register_static(numa_node, PFN_UP(total_len))
  if (hasMemoryGroups(era)) group = registerGroup(tx, name, node, false, r.size / tx.g.pageSize, possibleNodes(tx));
  // request_mem_region(range, dev_name): the device's own resource, System RAM the child
  const busy = regionBusy(tx, r.start, r.size);
  if (busy) {
    if (group !== undefined) unregisterGroup(tx, group);
    fail('EBUSY', `${name}: mapping0: ${range(r.start, r.size)} could not reserve region (conflicts with ${busy})`, 'dev_dax_kmem_probe');
  }
  requestResource(tx, { start: r.start, size: r.size, flags: [], name, container: true });
  try {
    if (!hasDriverManaged(era)) orThrow(addMemory(tx, node, r.start, r.size, [])); // before 5.8: add_memory(), a firmware memmap entry too
    else
      orThrow(addMemory(tx, node, r.start, r.size, memmapOnMemory ? ['MHP_MEMMAP_ON_MEMORY'] : [], {
        driverManaged: KMEM_RESOURCE,
        ...(group !== undefined ? { group } : {}),
      }));
  } catch (e) {
    if (!(e instanceof KernelError) || e instanceof Oops) throw e;
    tx.warn(`${name}: mapping0: ${range(r.start, r.size)} memory add failed: ${e.message}`);
    releaseContainer(tx, name, r.start, r.size);
    if (group !== undefined) unregisterGroup(tx, group);
    throw e;
  }
  bindDevice(tx, {
    name,
    driver: 'dax_kmem',
    nid: node,
    start: r.start,
    size: r.size,
    group: group ?? null,
    stuck: false,
    ...(memmapOnMemory !== undefined ? { memmapOnMemory } : {}),
  });
  // daxctl reconfigure-device --mode=system-ram: the bind is done, daxctl onlines the memory next
  daxBound(tx, name);
}

export function daxKmemRemove(tx: Tx, name: string): KernelError | void {
  const d = boundDevice(tx, name, 'dax_kmem');
  if (d instanceof KernelError) return d;
  try {
    orThrow(removeMemory(tx, d.start, d.size));
  } catch (e) {
    if (!(e instanceof KernelError) || e instanceof Oops) throw e;
    // "We have one shot for removing memory": the unbind succeeds, the memory and its resources stay
    tx.warn(`${name}: mapping0: ${range(d.start, d.size)} cannot be hotremoved until the next reboot (${e.message})`);
    updateDevice(tx, { ...d, stuck: true });
    return;
  }
  releaseContainer(tx, name, d.start, d.size);
  if (d.group !== null) unregisterGroup(tx, d.group);
  unbindDevice(tx, name);
}
