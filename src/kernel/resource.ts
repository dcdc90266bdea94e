/**
 * The iomem resource tree of hot-added memory, as kernel/resource.c keeps it
 * (docs/kernel-model.md §5.1, §8.2). Pure: each function returns what a
 * request or release changes, and the engine records that change in its
 * `resource` event, so replaying a log never runs these rules again.
 */
import { SYSTEM_RAM } from './drivers.ts';

/** One iomem resource: a top-level System RAM range, or a driver's container (virtio0, dax0.0) holding System RAM. */
export interface IomemResource {
  readonly start: number;
  readonly size: number;
  readonly name: string;
  /** IORESOURCE_SYSRAM_DRIVER_MANAGED: add_memory_driver_managed() */
  readonly driverManaged: boolean;
  /** a driver's parent resource; the driver clears its IORESOURCE_BUSY so System RAM can be requested inside it */
  readonly container: boolean;
}

/** What one request or release does to the tree: resources taken out (as they were) and put in. */
export interface ResourceChange {
  readonly remove: readonly IomemResource[];
  readonly insert: readonly IomemResource[];
}


const overlaps = (r: IomemResource, start: number, size: number) => r.start < start + size && start < r.start + r.size;

/**
 * __request_region() over the tree: the first busy resource the range
 * overlaps. A container is not busy (virtio_mem_create_resource() and
 * dev_dax_kmem_probe() clear IORESOURCE_BUSY): the request descends into it.
 */
export function busyConflict(list: readonly IomemResource[], start: number, size: number): IomemResource | undefined {
  return list.find((r) => !r.container && overlaps(r, start, size));
}

/**
 * A request inserts the resource. With MHP_MERGE_RESOURCE,
 * merge_system_ram_resource() then merges it with the adjacent siblings (same
 * parent) of the same name and flags (kernel/resource.c).
 */
export function requestChange(list: readonly IomemResource[], r: IomemResource, merge: boolean): ResourceChange {
  if (!merge || r.container) return { remove: [], insert: [r] };
  // siblings only: a resource merges with neighbours under the same parent (two virtio-mem
  // devices side by side keep one "System RAM (virtio_mem)" each)
  const parent = parentOf(list, r);
  const same = (x: IomemResource) => !x.container && x.name === r.name && x.driverManaged === r.driverManaged && parentOf(list, x) === parent;
  const prev = list.find((x) => same(x) && x.start + x.size === r.start);
  const next = list.find((x) => same(x) && x.start === r.start + r.size);
  const start = prev ? prev.start : r.start;
  const end = next ? next.start + next.size : r.start + r.size;
  return { remove: [prev, next].filter((x): x is IomemResource => x !== undefined), insert: [{ ...r, start, size: end - start }] };
}

/** The container a resource sits in (its parent in the tree), or undefined for the iomem root. */
function parentOf(list: readonly IomemResource[], r: IomemResource): IomemResource | undefined {
  return list.find((x) => x.container && x.start <= r.start && x.start + x.size >= r.start + r.size);
}

/**
 * release_mem_region_adjustable(): the range must match one busy resource
 * exactly or lie inside a single one, which is then trimmed or split in two.
 * A range over more than one resource (or over none) releases nothing: the
 * function returns void, so try_remove_memory() goes on and the resources
 * stay (a later request over them conflicts).
 */
export function releaseAdjustableChange(list: readonly IomemResource[], start: number, size: number): ResourceChange {
  const end = start + size;
  const r = list.find((x) => !x.container && x.start <= start && x.start + x.size >= end);
  if (r === undefined) return { remove: [], insert: [] };
  const insert: IomemResource[] = [];
  if (r.start < start) insert.push({ ...r, size: start - r.start });
  if (r.start + r.size > end) insert.push({ ...r, start: end, size: r.start + r.size - end });
  return { remove: [r], insert };
}

/** __release_region() of a driver's container: exactly that resource. */
export function releaseContainerChange(list: readonly IomemResource[], start: number, size: number): ResourceChange {
  const r = list.find((x) => x.container && x.start === start && x.size === size);
  return { remove: r ? [r] : [], insert: [] };
}

/**
 * firmware_map_add_hotplug() runs only in add_memory_resource() for memory
 * that is not driver-managed: a plain add_memory()'s "System RAM".
 */
export function addsFirmwareMapEntry(r: IomemResource): boolean {
  return r.name === SYSTEM_RAM && !r.driverManaged && !r.container;
}

/** firmware_map_remove() finds only an entry of exactly [start, start + size). */
export function firmwareMapRemoves(map: readonly { start: number; size: number }[], start: number, size: number): boolean {
  return map.some((f) => f.start === start && f.size === size);
}
