/**
 * Requests and releases of iomem resources: the kernel's rules
 * (src/kernel/resource.ts) run here, at decide time, and their outcome goes
 * into the `resource` event, which evolve only applies (docs/log-format.md §3.2).
 */
import { SYSTEM_RAM } from '../../kernel/drivers.ts';
import { addsFirmwareMapEntry, firmwareMapRemoves, releaseAdjustableChange, releaseContainerChange, requestChange, type IomemResource } from '../../kernel/resource.ts';
import type { ResourceRequest } from '../events.ts';
import type { Tx } from '../tx.ts';


const named = (r: ResourceRequest): Omit<ResourceRequest, 'start' | 'size' | 'flags'> => ({
  ...(r.name !== undefined ? { name: r.name } : {}),
  ...(r.driverManaged ? { driverManaged: true } : {}),
  ...(r.container ? { container: true } : {}),
});

/** register_memory_resource() / request_mem_region(), then merge_system_ram_resource() with MHP_MERGE_RESOURCE. */
export function requestResource(tx: Tx, req: ResourceRequest): void {
  const r: IomemResource = { start: req.start, size: req.size, name: req.name ?? SYSTEM_RAM, driverManaged: !!req.driverManaged, container: !!req.container };
  const change = requestChange(tx.draft.resources, r, req.flags.includes('MHP_MERGE_RESOURCE'));
  tx.emit({ type: 'resource', action: 'request', start: req.start, size: req.size, flags: req.flags, ...named(req), remove: [...change.remove], insert: [...change.insert], ...(addsFirmwareMapEntry(r) ? { firmwareMap: 'add' as const } : {}) });
}

/** try_remove_memory(): firmware_map_remove(), then release_mem_region_adjustable(). */
export function releaseMemRegionAdjustable(tx: Tx, start: number, size: number): void {
  const change = releaseAdjustableChange(tx.draft.resources, start, size);
  const fw = firmwareMapRemoves(tx.draft.firmwareMap, start, size);
  tx.emit({ type: 'resource', action: 'release', start, size, flags: [], remove: [...change.remove], insert: [...change.insert], ...(fw ? { firmwareMap: 'remove' as const } : {}) });
}

/** release_mem_region() of a driver's container resource (virtio0, dax0.0). */
export function releaseContainer(tx: Tx, name: string, start: number, size: number): void {
  const change = releaseContainerChange(tx.draft.resources, start, size);
  tx.emit({ type: 'resource', action: 'release', start, size, flags: [], name, container: true, remove: [...change.remove], insert: [] });
}
