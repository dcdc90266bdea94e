/**
 * Where boot memory is. A boot node without `ranges` is one range right after the previous
 * node's memory (the first from address 0), online in the zones its addresses fall in: the
 * layout memhp has always had. A node with `ranges` has exactly those (a machine with a hole
 * below 4 GiB, memory that starts at 1 TiB, blocks left offline, zones set by firmware or
 * `movable_node`), as `memhp import` writes them from a real machine's sysfs.
 */
import type { BootRange, SystemSpec, ZoneName } from './types.ts';

export interface PlacedBootRange {
  node: number;
  start: number;
  size: number;
  /** the zone every page of the range is in; absent: by address (src/kernel/zones.ts bootZoneSplit) */
  zone?: ZoneName;
  online: boolean;
}

/** Every boot range of every node, in the order the nodes are listed. */
export function bootRanges(spec: Pick<SystemSpec, 'boot'>): PlacedBootRange[] {
  const out: PlacedBootRange[] = [];
  let addr = 0;
  for (const n of spec.boot) {
    const ranges: BootRange[] = n.ranges ?? [{ start: addr, size: n.size, online: true }];
    for (const r of ranges) {
      out.push({ node: n.node, start: r.start, size: r.size, ...(r.zone ? { zone: r.zone } : {}), online: r.online });
      addr = Math.max(addr, r.start + r.size);
    }
  }
  return out;
}

/** The end of the highest boot range (the x86 block-size probe looks at it). */
export function bootMemoryEnd(spec: Pick<SystemSpec, 'boot'>): number {
  return bootRanges(spec).reduce((end, r) => Math.max(end, r.start + r.size), 0);
}

/** The node whose boot memory holds `addr`, or null (memory_add_physaddr_to_nid's lookup). */
export function bootNodeAt(spec: Pick<SystemSpec, 'boot'>, addr: number): number | null {
  return bootRanges(spec).find((r) => addr >= r.start && addr < r.start + r.size)?.node ?? null;
}

/** Whether [start, start+size) overlaps boot memory. */
export function overlapsBootMemory(spec: Pick<SystemSpec, 'boot'>, start: number, size: number): boolean {
  return bootRanges(spec).some((r) => start < r.start + r.size && r.start < start + size);
}

const ZONE_RANK: Record<ZoneName, number> = { DMA: 0, DMA32: 1, Normal: 2, Movable: 3 };

/**
 * The zone the boot memmap is charged to: memblock allocates top-down out of kernel memory, so
 * the highest kernel zone the node has (Movable only when the node has nothing else).
 */
export function bootMemmapZone(zones: readonly ZoneName[]): ZoneName | undefined {
  const kernel = zones.filter((z) => z !== 'Movable');
  const pool = kernel.length ? kernel : zones;
  return pool.reduce<ZoneName | undefined>((top, z) => (top === undefined || ZONE_RANK[z] > ZONE_RANK[top] ? z : top), undefined);
}
