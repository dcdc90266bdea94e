/**
 * Requests and releases of iomem resources: the kernel's rules
 * (src/kernel/resource.ts) run here, at decide time, and their outcome goes
 * into the `resource` event, which evolve only applies (docs/log-format.md §3.2).
 */
import { SYSTEM_RAM } from '../../kernel/drivers.ts';
import { addsFirmwareMapEntry, firmwareMapRemoves, releaseAdjustableChange, releaseContainerChange, requestChange, type IomemResource } from '../../kernel/resource.ts';
import type { ResourceEvent, ResourceRequest } from '../events.ts';
import type { Tx } from '../tx.ts';

/** A resource event before the transaction gives it its sequence number. */
type NewResourceEvent = Omit<ResourceEvent, 'seq'>;

/**
 * The request's optional fields, set only when present, in the order the log has always written
 * them. Written field by field: object spreads of small literals here were a twentieth of an
 * add_memory decision (docs/explore.md "Where the time went").
 */
function setNamed(e: ResourceRequest, r: ResourceRequest): void {
  if (r.name !== undefined) e.name = r.name;
  if (r.driverManaged) e.driverManaged = true;
  if (r.container) e.container = true;
}

/** register_memory_resource() / request_mem_region(), then merge_system_ram_resource() with MHP_MERGE_RESOURCE. */
export function requestResource(tx: Tx, req: ResourceRequest): void {
  const r: IomemResource = { start: req.start, size: req.size, name: req.name ?? SYSTEM_RAM, driverManaged: !!req.driverManaged, container: !!req.container };
  const change = requestChange(tx.draft.resources, r, req.flags.includes('MHP_MERGE_RESOURCE'));
  // remove and insert go in after the optional fields, where the log has always had them
  const e = { type: 'resource', action: 'request', start: req.start, size: req.size, flags: req.flags } as NewResourceEvent;
  setNamed(e, req);
  e.remove = [...change.remove];
  e.insert = [...change.insert];
  if (addsFirmwareMapEntry(r)) e.firmwareMap = 'add';
  tx.emit(e);
}

/** try_remove_memory(): firmware_map_remove(), then release_mem_region_adjustable(). */
export function releaseMemRegionAdjustable(tx: Tx, start: number, size: number): void {
  const change = releaseAdjustableChange(tx.draft.resources, start, size);
  const fw = firmwareMapRemoves(tx.draft.firmwareMap, start, size);
  const e: NewResourceEvent = { type: 'resource', action: 'release', start, size, flags: [], remove: [...change.remove], insert: [...change.insert] };
  if (fw) e.firmwareMap = 'remove';
  tx.emit(e);
}

/** release_mem_region() of a driver's container resource (virtio0, dax0.0). */
export function releaseContainer(tx: Tx, name: string, start: number, size: number): void {
  const change = releaseContainerChange(tx.draft.resources, start, size);
  tx.emit({ type: 'resource', action: 'release', start, size, flags: [], name, container: true, remove: [...change.remove], insert: [] });
}
