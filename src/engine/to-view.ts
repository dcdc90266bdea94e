/**
 * World → WorldView (the JSON contract). Each entity has its own view
 * function so that callers needing one entity (watchpoints, the inspector)
 * do not build the whole view of a 32K-block world.
 */
import { bootRanges as kernelBootRanges } from '../kernel/boot-layout.ts';
import type { FaultEvent } from './events.ts';
import { groupContextOf, validZones } from '../kernel/zone-choice.ts';
import { freeKernelPages } from '../kernel/zones.ts';
import { readerOf } from './reader.ts';
import { tableGet, tableToArray, tableValues } from './table.ts';
import type { BlockView, FaultView, FirmwareMemmapView, IomemView, MemoryGroupView, NodeView, SectionView, VmemmapView, WorldView, ZoneView } from './view.ts';
import { WORLD_VIEW_VERSION } from './view.ts';
import { geometry, taintLetters, taintOf, ZONE_INDEX, zoneKey, type BlockState, type SectionState, type VmemmapState, type World } from './world.ts';
import type { NodeState, ZoneState } from '../kernel/reader.ts';
import type { ZoneName } from '../kernel/types.ts';
import { configOf } from '../kernel/config.ts';

const ZONES = Object.keys(ZONE_INDEX) as ZoneName[];

export function blockView(world: World, b: BlockState): BlockView {
  const g = geometry(world);
  const r = readerOf(world);
  return {
    id: b.id,
    state: b.state,
    zone: b.zone,
    node: b.nid,
    startPfn: b.id * g.pagesPerBlock,
    nrPages: g.pagesPerBlock,
    vmemmapPages: b.nr_vmemmap_pages,
    validZones: validZones(r, r.params, g, b, groupContextOf(r, b, g.pagesPerBlock)),
    group: b.group ?? null,
    early: b.early,
    onlineType: b.online_type,
    pinned: b.pinned,
    kernelAllocations: b.kernel_allocations === true,
  };
}

/** The vmemmap head with exactly this head pfn (tables are keyed by its section). */
export function vmemmapHeadAt(world: World, headPfn: number): VmemmapState | undefined {
  const v = tableGet(world.vmemmap, Math.floor(headPfn / geometry(world).pagesPerSection));
  return v && v.headPfn === headPfn ? v : undefined;
}

export function sectionView(world: World, s: SectionState): SectionView {
  const head = s.memmap.kind === 'altmap' ? vmemmapHeadAt(world, s.memmap.headPfn) : undefined;
  return { nr: s.nr, state: s.state, node: s.nid, block: s.block, early: s.early, memmap: s.memmap, memmapLost: !!head && head.orphanedBy !== null };
}

export function zoneView(z: ZoneState): ZoneView {
  return { node: z.node, zone: z.zone, presentPages: z.presentPages, managedPages: z.managedPages, startPfn: z.span?.startPfn ?? null, endPfn: z.span?.endPfn ?? null };
}

/** The zones of one node, in zone order. */
export function zonesOfNode(world: World, node: number): ZoneState[] {
  const out: ZoneState[] = [];
  for (const name of ZONES) {
    const z = tableGet(world.zones, zoneKey(node, name));
    if (z) out.push(z);
  }
  return out;
}

export function nodeView(world: World, n: NodeState): NodeView {
  const mine = zonesOfNode(world, n.id);
  return {
    id: n.id,
    online: n.online,
    memmapPages: n.memmapPages,
    presentPages: mine.reduce((a, z) => a + z.presentPages, 0),
    managedPages: mine.reduce((a, z) => a + z.managedPages, 0),
    freeKernelPages: freeKernelPages(readerOf(world), n.id),
  };
}

export function vmemmapView(v: VmemmapState): VmemmapView {
  return { headPfn: v.headPfn, nrPages: v.nrPages, refcount: v.refcount, sections: [...v.sections], node: v.node, orphaned: v.orphanedBy !== null };
}

export function faultView(f: FaultEvent): FaultView {
  return { seq: f.seq, kind: f.kind, section: f.section, block: f.block, access: f.access, message: f.message };
}

/**
 * The view's fields in the contract's key order, each computed when asked;
 * the long arrays (blocks, sections, …) come as sequences, so a writer can
 * stream a 524,288-block world without holding its view (src/engine/view-json.ts).
 */
export type WorldViewFields = {
  [K in keyof WorldView]-?: () => NonNullable<WorldView[K]> extends readonly (infer E)[] ? Iterable<E> : WorldView[K];
};

export function worldViewFields(world: World): WorldViewFields {
  const g = geometry(world);
  return {
    version: () => WORLD_VIEW_VERSION,
    seq: () => world.seq,
    arch: () => world.system.arch,
    kernel: () => world.system.kernel,
    pageSize: () => g.pageSize,
    sectionSizeBytes: () => g.sectionSize,
    blockSizeBytes: () => g.blockSize,
    params: () => world.params,
    config: () => ({ ...configOf(world.system) }),
    blocks: () => mapValues(tableValues(world.blocks), (b) => blockView(world, b)),
    sections: () => mapValues(tableValues(world.sections), (s) => sectionView(world, s)),
    zones: () => mapValues(tableValues(world.zones), zoneView),
    nodes: () => mapValues(tableValues(world.nodes), (n) => nodeView(world, n)),
    vmemmap: () => mapValues(tableValues(world.vmemmap), vmemmapView),
    faults: () => world.faults.map(faultView),
    tainted: () => taintOf(world) !== 0,
    taint: () => taintOf(world),
    taintFlags: () => taintLetters(taintOf(world)),
    injection: () => ({ ...world.injection }),
    signalPending: () => world.signalPending,
    agentWork: () => (world.agentWork ?? []).map((w) => ({ ...w })),
    groups: () => groupViews(world),
    devices: () => world.devices.map((d) => ({ ...d })),
    iomem: () => iomemView(world),
    firmwareMemmap: () => firmwareMemmapView(world),
  };
}

function* mapValues<T, U>(values: Iterable<T>, f: (v: T) => U): Generator<U> {
  for (const v of values) yield f(v);
}

export function toView(world: World): WorldView {
  const fields = worldViewFields(world);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields) as [string, () => unknown][]) {
    const v = field();
    out[key] = isSequence(v) ? Array.from(v) : v;
  }
  return out as unknown as WorldView;
}

/** A lazily produced array field (a generator), as opposed to an object value. */
export function isSequence(v: unknown): v is Iterable<unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function';
}

export function groupViews(world: World): MemoryGroupView[] {
  const members = new Map<number, number[]>();
  if (world.groups.length)
    for (const b of tableValues(world.blocks))
      if (b.group != null) {
        const list = members.get(b.group);
        if (list) list.push(b.id);
        else members.set(b.group, [b.id]);
      }
  return world.groups.map((g) => ({
    id: g.id,
    node: g.nid,
    dynamic: g.dynamic,
    pages: g.pages,
    presentKernelPages: g.presentKernelPages,
    presentMovablePages: g.presentMovablePages,
    owner: g.owner,
    blocks: members.get(g.id) ?? [],
  }));
}

/** Boot memory as e820 hands it over: one System RAM range per boot range (src/kernel/boot-layout.ts), in address order. */
function bootRanges(world: World): { start: number; size: number }[] {
  return kernelBootRanges(world.system).map((r) => ({ start: r.start, size: r.size })).sort((a, b) => a.start - b.start);
}

/** The System RAM part of /proc/iomem: boot ranges, hot-added ranges, drivers' containers with their children. */
export function iomemView(world: World): IomemView[] {
  const out: IomemView[] = bootRanges(world).map((r) => ({ start: r.start, end: r.start + r.size - 1, name: 'System RAM', level: 0 as const, driverManaged: false }));
  const containers = world.resources.filter((r) => r.container);
  for (const r of world.resources) {
    const inside = !r.container && containers.some((c) => r.start >= c.start && r.start + r.size <= c.start + c.size);
    out.push({ start: r.start, end: r.start + r.size - 1, name: r.name, level: inside ? 1 : 0, driverManaged: r.driverManaged });
  }
  return out.sort((a, b) => a.start - b.start || a.level - b.level);
}

export function firmwareMemmapView(world: World): FirmwareMemmapView[] {
  return [...bootRanges(world), ...world.firmwareMap].map((r) => ({ start: r.start, end: r.start + r.size - 1, type: 'System RAM' as const })).sort((a, b) => a.start - b.start);
}
