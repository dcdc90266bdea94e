/**
 * ACPI memory devices (PNP0C80, a DIMM): drivers/acpi/acpi_memhotplug.c
 * (docs/drivers.md). acpi_memory_enable_device() registers one static
 * memory group per device (5.15+) and calls __add_memory() — a plain
 * "System RAM" resource with a /sys/firmware/memmap entry, then binds the
 * blocks that exist (acpi_bind_memory_blocks()). The eject offlines the bound
 * blocks (acpi_scan_try_to_offline()), then __remove_memory() of the whole
 * range, which BUG()s if removal fails (a block it never bound still online).
 */
import { fail, KernelError } from '../../../kernel/errno.ts';
import { hasMemoryGroups } from '../../../kernel/drivers.ts';
import { hasFeature } from '../../../kernel/features.ts';
import { supportsMemmapOnMemory513 } from '../../../kernel/memmap-on-memory.ts';
import type { MhpFlag } from '../../../kernel/types.ts';
import { Oops, type Tx } from '../../tx.ts';
import { addMemory, possibleNodes } from '../add.ts';
import { blocksIn, kernelBug, range } from '../common.ts';
import { registerGroup, unregisterGroup } from '../groups.ts';
import { offlineBlock } from '../offline.ts';
import { onlineBlock } from '../online.ts';
import { removeMemory } from '../remove.ts';
import { bindDevice, boundDevice, checkNewDevice, unbindDevice } from './device.ts';

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

export function acpiDimmAdd(tx: Tx, name: string, node: number, start: number, size: number): void {
  checkNewDevice(tx, name);
  let group: number | undefined;
  // memory_group_register_static(node, PFN_UP(total_length))
  if (hasMemoryGroups(tx.system.kernel)) group = registerGroup(tx, name, node, false, Math.ceil(size / tx.g.pageSize), possibleNodes(tx));
  let enabled = true;
  try {
    addMemory(tx, node, start, size, acpiFlags(tx, size), group === undefined ? {} : { group });
  } catch (e) {
    if (!(e instanceof KernelError) || e instanceof Oops) throw e;
    // -EEXIST: "the memory block has been used by the kernel": the device still binds
    if (e.errno !== 17) enabled = false;
    tx.warn(`acpi PNP0C80 ${name}: __add_memory ${range(start, size)} failed: ${e.message}`);
  }
  if (!enabled) {
    // acpi_memory_device_free(): the group goes again
    if (group !== undefined) unregisterGroup(tx, group);
    fail('EINVAL', `acpi PNP0C80 ${name}: add_memory failed`);
  }
  // acpi_bind_memory_blocks(): the blocks of the range that exist now become the device's
  // physical nodes; a block added later by someone else never will be
  const bound = blocksIn(tx, start, size).map((b) => b.id);
  bindDevice(tx, { name, driver: 'acpi_memhotplug', nid: node, start, size, group: group ?? null, stuck: false, bound });
}

export function acpiDimmEject(tx: Tx, name: string): void {
  const d = boundDevice(tx, name, 'acpi_memhotplug');
  // acpi_scan_try_to_offline(): device_offline() of every bound block (the device's physical
  // nodes); a failure puts back what went. A block the device never bound stays as it is.
  const bound = d.bound === undefined ? null : new Set(d.bound);
  const offlined: number[] = [];
  for (const b of blocksIn(tx, d.start, d.size)) {
    if (b.state === 'offline' || (bound !== null && !bound.has(b.id))) continue;
    try {
      offlineBlock(tx, b.id);
      offlined.push(b.id);
    } catch (e) {
      if (!(e instanceof KernelError) || e instanceof Oops) throw e;
      for (const id of offlined)
        try {
          onlineBlock(tx, id, 'online', false, true);
        } catch (e2) {
          if (!(e2 instanceof KernelError) || e2 instanceof Oops) throw e2;
          tx.warn(`acpi_bus_online: memory${id}: ${e2.message}`);
        }
      fail('EBUSY', `eject of ${name}: memory${b.id} cannot be offlined (${e.message})`);
    }
  }
  // acpi_memory_remove_memory() → __remove_memory() of the whole range: try_remove_memory() is
  // -EBUSY over a block still online (one the device never bound), and __remove_memory() BUG()s
  try {
    removeMemory(tx, d.start, d.size);
  } catch (e) {
    if (!(e instanceof KernelError) || e instanceof Oops) throw e;
    kernelBug(tx, '__remove_memory', `try_remove_memory() of ${name} failed (${e.message}):`, { start: d.start, size: d.size });
  }
  if (d.group !== null) unregisterGroup(tx, d.group);
  unbindDevice(tx, name);
}
