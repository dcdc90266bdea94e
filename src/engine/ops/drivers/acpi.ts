/**
 * ACPI memory devices (PNP0C80, a DIMM): drivers/acpi/acpi_memhotplug.c
 * (docs/drivers.md). acpi_memory_enable_device() registers one static
 * memory group per device (5.15+) and calls __add_memory() — a plain
 * "System RAM" resource with a /sys/firmware/memmap entry, then binds the
 * blocks that exist (acpi_bind_memory_blocks()). The eject offlines the bound
 * blocks in two passes and puts them back online if one fails
 * (acpi_scan_try_to_offline()), then __remove_memory() of the whole
 * range, which BUG()s if removal fails (a block it never bound still online).
 */
import { asKernelError, fail, KernelError, orThrow } from '../../../kernel/errno.ts';
import { hasMemoryGroups } from '../../../kernel/drivers.ts';
import { hasFeature } from '../../../kernel/features.ts';
import { supportsMemmapOnMemory513 } from '../../../kernel/memmap-on-memory.ts';
import type { MhpFlag } from '../../../kernel/types.ts';
import { Oops, type Tx } from '../../tx.ts';
import { addMemory, possibleNodes } from '../add.ts';
import { block, blocksIn, kernelBug, range } from '../common.ts';
import { registerGroup, unregisterGroup } from '../groups.ts';
import { offlineBlock } from '../offline.ts';
import { deviceOnline } from '../online.ts';
import { removeMemory } from '../remove.ts';
import { bindDevice, boundDevice, deviceExists, unbindDevice } from './device.ts';

/** The flags acpi_memory_enable_device() passes, per era (docs/kernel-model.md §6.2, §7.5). */
function acpiFlags(tx: Tx, size: number): MhpFlag[] {
  const era = tx.system.kernel;
  // the 2019 series made ACPI its one caller: MHP_MEMMAP_DEVICE
  if (era === 'v2-2019') return ['MHP_MEMMAP_DEVICE'];
  // 5.13–6.5 (so 5.15 and a real 6.1): acpi_memory_enable_device() passes the flag only when
  // mhp_supports_memmap_on_memory(size) holds, else add_memory() would -EINVAL
  if (!hasFeature(era, 'rule.memmap_on_memory.hint')) return supportsMemmapOnMemory513(tx.system, tx.g, tx.params, size).ok ? ['MHP_MEMMAP_ON_MEMORY'] : [];
  // 6.6+: always; the core treats it as a hint
  return ['MHP_MEMMAP_ON_MEMORY'];
}

export function acpiDimmAdd(tx: Tx, name: string, node: number, start: number, size: number): KernelError | void {
  const exists = deviceExists(tx, name);
  if (exists) return exists;
  let group: number | undefined;
  // memory_group_register_static(node, PFN_UP(total_length))
  if (hasMemoryGroups(tx.system.kernel)) group = registerGroup(tx, name, node, false, Math.ceil(size / tx.g.pageSize), possibleNodes(tx));
  let enabled = true;
  let failed: KernelError | void;
  try {
    failed = addMemory(tx, node, start, size, acpiFlags(tx, size), group === undefined ? {} : { group });
  } catch (e) {
    failed = asKernelError(e);
    if (failed instanceof Oops) throw failed;
  }
  if (failed) {
    // -EEXIST: "the memory block has been used by the kernel": the device still binds
    if (failed.errno !== 17) enabled = false;
    tx.warn(`acpi PNP0C80 ${name}: __add_memory ${range(start, size)} failed: ${failed.message}`);
  }
  if (!enabled) {
    // acpi_memory_device_free(): the group goes again
    if (group !== undefined) unregisterGroup(tx, group);
    fail('EINVAL', `acpi PNP0C80 ${name}: add_memory failed`, 'acpi_memory_enable_device');
  }
  // acpi_bind_memory_blocks(): the blocks of the range that exist now become the device's
  // physical nodes; a block added later by someone else never will be
  const bound = blocksIn(tx, start, size).map((b) => b.id);
  bindDevice(tx, { name, driver: 'acpi_memhotplug', nid: node, start, size, group: group ?? null, stuck: false, bound });
}

export function acpiDimmEject(tx: Tx, name: string): KernelError | void {
  const d = boundDevice(tx, name, 'acpi_memhotplug');
  if (d instanceof KernelError) return d;
  acpiScanTryToOffline(tx, d.name, physicalNodes(tx, d));
  // acpi_memory_remove_memory() → __remove_memory() of the whole range: try_remove_memory() is
  // -EBUSY over a block still online (one the device never bound), and __remove_memory() BUG()s
  try {
    orThrow(removeMemory(tx, d.start, d.size));
  } catch (e) {
    if (!(e instanceof KernelError) || e instanceof Oops) throw e;
    kernelBug(tx, '__remove_memory', `try_remove_memory() of ${name} failed (${e.message}):`, { start: d.start, size: d.size });
  }
  if (d.group !== null) unregisterGroup(tx, d.group);
  unbindDevice(tx, name);
}

/** The device's physical nodes in list order: the blocks acpi_bind_memory_blocks() bound, by address. */
function physicalNodes(tx: Tx, d: { start: number; size: number; bound?: readonly number[] }): number[] {
  const bound = d.bound === undefined ? null : new Set(d.bound);
  return blocksIn(tx, d.start, d.size)
    .map((b) => b.id)
    .filter((id) => bound === null || bound.has(id));
}

/** device_offline(): 1 when already offline, 0 when offlined, the error otherwise. */
function deviceOffline(tx: Tx, id: number): 0 | 1 | KernelError {
  if (block(tx, id)?.state === 'offline') return 1;
  try {
    return offlineBlock(tx, id) ?? 0;
  } catch (e) {
    if (!(e instanceof KernelError) || e instanceof Oops) throw e;
    return e;
  }
}

/**
 * acpi_scan_try_to_offline() over the device's physical nodes (docs/drivers.md): a first
 * acpi_bus_offline() pass offlines every block it can and ignores failures (one block may hold
 * what another needs); if one failed, a second pass retries the blocks the first did not offline
 * and stops at the first failure; then acpi_bus_online() puts back, in list order, every block
 * the passes offlined, with device_online(): memory_subsys_online() picks the zone afresh from
 * mem->online_type, so a block can come back in another zone than it left (ZONE_MOVABLE under
 * auto-movable, or the type a refused `state` write left behind), and the eject fails -EBUSY.
 */
function acpiScanTryToOffline(tx: Tx, name: string, nodes: readonly number[]): void {
  const putOnline = new Set<number>();
  let failed: { id: number; error: KernelError } | null = null;
  for (const id of nodes) {
    const r = deviceOffline(tx, id);
    if (r === 0) putOnline.add(id);
    else if (r !== 1) failed = { id, error: r };
  }
  if (failed === null) return;
  failed = null;
  for (const id of nodes) {
    // skip devices offlined by the first pass
    if (putOnline.has(id)) continue;
    const r = deviceOffline(tx, id);
    if (r === 0) putOnline.add(id);
    else if (r !== 1) {
      failed = { id, error: r };
      break;
    }
  }
  if (failed === null) return;
  tx.warn(`memory memory${failed.id}: Offline failed.`);
  for (const id of nodes) {
    if (!putOnline.has(id)) continue;
    try {
      deviceOnline(tx, id, false, 'acpi_bus_online');
    } catch (e) {
      if (!(e instanceof KernelError) || e instanceof Oops) throw e;
      tx.warn(`acpi_bus_online: memory${id}: ${e.message}`);
    }
  }
  fail('EBUSY', `eject of ${name}: memory${failed.id} cannot be offlined (${failed.error.message})`, 'acpi_scan_try_to_offline');
}
