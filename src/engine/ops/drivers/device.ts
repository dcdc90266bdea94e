/**
 * A driver's device as the simulated kernel tracks it: bound, changed,
 * unbound (docs/drivers.md). Device events are plain facts like node
 * events: a device is not a memory block or section, so no machine owns it.
 */
import { overlapsBootMemory } from '../../../kernel/boot-layout.ts';
import { fail, KernelError, refusal } from '../../../kernel/errno.ts';
import type { DeviceRecord, DriverName } from '../../events.ts';
import type { Tx } from '../../tx.ts';

export function deviceOf(tx: Tx, name: string): DeviceRecord | undefined {
  return tx.draft.devices.find((d) => d.name === name);
}

/** The bound device of this driver, or -ENODEV naming what is there instead (returned: the commonest refusal of a driver's operations). */
export function boundDevice(tx: Tx, name: string, driver: DriverName): DeviceRecord | KernelError {
  const d = deviceOf(tx, name);
  if (!d) return refusal('ENODEV', `no device ${name}`, 'bus_find_device');
  if (d.driver !== driver) return refusal('ENODEV', `${name} is bound to ${d.driver}, not ${driver}`, 'device_driver_attach');
  if (d.stuck) return refusal('ENODEV', `${name} is no longer bound to ${driver} (its memory stays until reboot)`, 'device_driver_attach');
  return d;
}

/** -EEXIST when a device of that name is there (returned, as boundDevice's refusals are). */
export function deviceExists(tx: Tx, name: string): KernelError | undefined {
  const d = deviceOf(tx, name);
  if (d) return refusal('EEXIST', `device ${name} exists (${d.driver}${d.stuck ? ', unbound with its memory stuck' : ''})`, 'device_add');
}

export function bindDevice(tx: Tx, device: DeviceRecord): void {
  tx.emit({ type: 'device', action: 'bind', name: device.name, device });
}

export function updateDevice(tx: Tx, device: DeviceRecord): void {
  tx.emit({ type: 'device', action: 'update', name: device.name, device });
}

export function unbindDevice(tx: Tx, name: string): void {
  tx.emit({ type: 'device', action: 'unbind', name });
}

/** A range of [start, start+size) that overlaps an iomem resource or a memory block already there: the region request conflicts. */
export function regionBusy(tx: Tx, start: number, size: number): string | null {
  const end = start + size;
  // indexed: for-of over a frozen list (the world's are) takes V8's slow iteration path
  const res = tx.draft.resources;
  for (let i = 0; i < res.length; i++) if (res[i]!.start < end && start < res[i]!.start + res[i]!.size) return res[i]!.name;
  if (overlapsBootMemory(tx.system, start, size)) return 'System RAM';
  const first = Math.floor(start / tx.g.blockSize);
  const last = Math.ceil(end / tx.g.blockSize);
  for (let id = first; id < last; id++) if (tx.draft.blocks.get(id)) return `memory${id}`;
  return null;
}
