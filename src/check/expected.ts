/**
 * What the counters should say, recomputed from blocks, sections and vmemmap
 * heads alone — never from the counters the engine wrote. The invariants
 * compare the two.
 */
import type { Geometry } from '../kernel/geometry.ts';
import { bootZoneSplit as kernelBootZoneSplit } from '../kernel/zones.ts';
import { bootMemmapZone, bootRanges } from '../kernel/boot-layout.ts';
import type { SystemSpec, ZoneName } from '../kernel/types.ts';
import { tableToArray } from '../engine/table.ts';
import type { BlockState, World } from '../engine/world.ts';


export interface BootNodeLayout {
  node: number;
  firstBlock: number;
  nBlocks: number;
  /** pages of struct page reserved by memblock for this node's boot memory */
  memmapPages: number;
  /** the highest kernel zone of the node: memblock allocates top-down, so the boot memmap is reserved there */
  topZone: ZoneName;
}

/** The kernel zone of each part of [startPfn, endPfn) by the arch's boot zone limits: [zone, nrPages][] */
export function bootZoneSplit(g: Geometry, startPfn: number, endPfn: number): [ZoneName, number][] {
  return kernelBootZoneSplit(g, startPfn, endPfn).map(([zone, , nr]) => [zone, nr]);
}

const layouts = new WeakMap<SystemSpec, readonly BootNodeLayout[]>();

/**
 * Each boot node's memory where its ranges put it (src/kernel/boot-layout.ts), and where its memmap is charged.
 * A pure function of the system (its geometry too), worked out once per system: the invariants ask for it in every state.
 */
export function bootLayout(system: SystemSpec, g: Geometry): readonly BootNodeLayout[] {
  let out = layouts.get(system);
  if (!out) layouts.set(system, (out = Object.freeze(computeBootLayout(system, g))));
  return out;
}

function computeBootLayout(system: SystemSpec, g: Geometry): BootNodeLayout[] {
  const ranges = bootRanges(system);
  return system.boot.map((n) => {
    const mine = ranges.filter((r) => r.node === n.node);
    const nBlocks = mine.reduce((sum, r) => sum + r.size / g.blockSize, 0);
    const zones = new Set<ZoneName>();
    for (const r of mine) {
      if (!r.online) continue;
      if (r.zone) zones.add(r.zone);
      else for (const [z] of bootZoneSplit(g, r.start / g.pageSize, (r.start + r.size) / g.pageSize)) zones.add(z);
    }
    return {
      node: n.node,
      firstBlock: Math.min(...mine.map((r) => r.start / g.blockSize)),
      nBlocks,
      memmapPages: nBlocks * g.sectionsPerBlock * g.memmapPagesPerSection,
      topZone: bootMemmapZone([...zones]) ?? 'Normal',
    };
  });
}

/** Pages of vmemmap heads (altmaps) that lie inside this block: present once online, never managed. */
export function vmemmapPagesInBlock(world: World, g: Geometry, id: number): number {
  return vmemmapPagesByBlock(world, g).get(id) ?? 0;
}

const byBlockCache = new WeakMap<World, Map<number, number>>();
/** vmemmapPagesInBlock for every block at once: each head is spread over the few blocks it covers. */
export function vmemmapPagesByBlock(world: World, g: Geometry): Map<number, number> {
  let out = byBlockCache.get(world);
  if (out) return out;
  out = new Map<number, number>();
  for (const h of tableToArray(world.vmemmap)) {
    const end = h.headPfn + h.nrPages;
    for (let id = Math.floor(h.headPfn / g.pagesPerBlock); id * g.pagesPerBlock < end; id++) {
      const start = id * g.pagesPerBlock;
      const pages = Math.max(0, Math.min(end, start + g.pagesPerBlock) - Math.max(start, h.headPfn));
      if (pages > 0) out.set(id, (out.get(id) ?? 0) + pages);
    }
  }
  byBlockCache.set(world, out);
  return out;
}

export interface ZoneCounters {
  node: number;
  zone: ZoneName;
  presentPages: number;
  managedPages: number;
  presentEarlyPages: number;
}

const key = (node: number, zone: ZoneName) => `${node}/${zone}`;

/** The zones each online block puts its pages in: its own zone, or for a boot block spanning zones, the boot split. */
function zonePartsOf(g: Geometry, b: BlockState): [ZoneName, number][] {
  if (b.zone !== null) return [[b.zone, g.pagesPerBlock]];
  const pfn = b.id * g.pagesPerBlock;
  return bootZoneSplit(g, pfn, pfn + g.pagesPerBlock);
}

/**
 * What one block adds to its node's zones (`add` per zone it puts pages in, in the block's node),
 * given the vmemmap pages of heads inside it: nothing while offline.
 */
export function blockZoneCounts(g: Geometry, b: BlockState, vmemmapPages: number, add: (zone: ZoneName, present: number, managed: number, early: number) => void): void {
  if (b.state === 'offline') return;
  const nv = Math.min(vmemmapPages, g.pagesPerBlock);
  const parts = zonePartsOf(g, b);
  for (let i = 0; i < parts.length; i++) {
    const [zone, nr] = parts[i]!;
    add(zone, nr, nr - (i === 0 ? nv + (b.fake_offline_pages ?? 0) : 0), b.early ? nr : 0);
  }
}

/** vmemmapPagesInBlock for one block, from the heads alone (no table of every block). */
export function vmemmapPagesOfBlock(world: World, g: Geometry, id: number): number {
  const start = id * g.pagesPerBlock;
  let pages = 0;
  for (const c of world.vmemmap.chunks)
    if (c)
      for (const h of c) {
        if (h === undefined) continue;
        const n = Math.min(h.headPfn + h.nrPages, start + g.pagesPerBlock) - Math.max(start, h.headPfn);
        if (n > 0) pages += n;
      }
  return pages;
}

/** Per node and zone: present, managed and early-present pages implied by the blocks' states. */
export function expectedZoneCounters(world: World, g: Geometry): Map<string, ZoneCounters> {
  const out = new Map<string, ZoneCounters>();
  const at = (node: number, zone: ZoneName) => {
    let c = out.get(key(node, zone));
    if (!c) out.set(key(node, zone), (c = { node, zone, presentPages: 0, managedPages: 0, presentEarlyPages: 0 }));
    return c;
  };
  for (const b of tableToArray(world.blocks))
    blockZoneCounts(g, b, vmemmapPagesInBlock(world, g, b.id), (zone, present, managed, early) => {
      const c = at(b.nid, zone);
      c.presentPages += present;
      c.managedPages += managed;
      c.presentEarlyPages += early;
    });
  for (const n of bootLayout(world.system, g)) at(n.node, n.topZone).managedPages -= n.memmapPages;
  return out;
}

export const zoneCountersKey = key;

/** memmap pages each node's memory provides: its boot memmap plus every hot-added section's regular memmap placed there. */
export function expectedNodeMemmapPages(world: World, g: Geometry): Map<number, number> {
  const out = new Map<number, number>();
  for (const n of bootLayout(world.system, g)) out.set(n.node, (out.get(n.node) ?? 0) + n.memmapPages);
  for (const s of tableToArray(world.sections)) if (s.memmap.kind === 'node') out.set(s.memmap.node, (out.get(s.memmap.node) ?? 0) + s.memmap.pages);
  return out;
}
