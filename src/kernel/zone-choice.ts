/**
 * Zone choice and zone bookkeeping (docs/kernel-model.md §4.5, §5.6; mm/memory_hotplug.c):
 * zone_for_pfn_range(), valid_zones, zone span growth and shrinking.
 */
import type { Geometry } from './geometry.ts';
import type { OnlineType, Params, ZoneName } from './types.ts';
import type { BlockFacts, KernelReader, MemoryGroupState, ZoneState } from './reader.ts';
import type { ReasonStep, ReasonValue } from './reason.ts';

/** What zone choice reads: a world, or an operation's draft. */
export type ZoneReader = Pick<KernelReader, 'zone' | 'zonesOfAll'>;

const KERNEL_LOW: ZoneName[] = ['DMA', 'DMA32'];

/** zone_intersects(): span-based. */
function intersects(z: ZoneState | undefined, pfn: number, nr: number): boolean {
  return !!z && z.span !== null && pfn < z.span.endPfn && pfn + nr > z.span.startPfn;
}

/** default_kernel_zone_for_pfn(): the first zone below Normal intersecting the range, else Normal. */
export function defaultKernelZone(zr: ZoneReader, nid: number, pfn: number, nr: number): ZoneName {
  for (const z of KERNEL_LOW) if (intersects(zr.zone(nid, z), pfn, nr)) return z;
  return 'Normal';
}

/** The same, with its reason: which low zone's span meets the range, if any. */
function defaultKernelZoneWhy(zr: ZoneReader, nid: number, pfn: number, nr: number): { zone: ZoneName; step: ReasonStep } {
  const zone = defaultKernelZone(zr, nid, pfn, nr);
  return { zone, step: { rule: 'default_kernel_zone', values: { zone, nid, startPfn: pfn, nrPages: nr, DMA: spanText(zr.zone(nid, 'DMA')), DMA32: spanText(zr.zone(nid, 'DMA32')) } } };
}

/** A zone's span as `zone_start_pfn-zone_end_pfn` (hex), or null when the zone is empty. */
function spanText(z: ZoneState | undefined): string | null {
  return z && z.span !== null ? `0x${z.span.startPfn.toString(16)}-0x${z.span.endPfn.toString(16)}` : null;
}

export interface AutoMovableInput {
  params: Params;
  zones: ZoneReader;
}

/**
 * What auto-movable reads of memory groups (5.15+): every group, the block's own
 * group, and the blocks of a dynamic group's unit. Absent: no groups (before
 * 5.15, or a block added without one).
 */
export interface GroupContext {
  groups: readonly MemoryGroupState[];
  group: MemoryGroupState | null;
  /** the zone of an online block, null when the block is offline or absent */
  onlineZone(id: number): ZoneName | null;
  pagesPerBlock: number;
}

/** The stats auto_movable_can_online_movable() compares, and its verdict. */
export interface MovableStats {
  /** present early pages of populated kernel zones, corrected for dynamic groups */
  kernelEarly: number;
  /** ZONE_MOVABLE present pages, other dynamic groups' movable pages taken out */
  movable: number;
  need: number;
  /** ratio × kernelEarly / 100 */
  limit: number;
  ok: boolean;
}

/**
 * auto_movable_can_online_movable(nid, group, nr_pages): early kernel pages
 * against movable pages, with the movable memory of every other dynamic
 * group and the kernel memory it needs taken out, and a dynamic group's own
 * kernel memory counted for it (no CMA).
 */
export function movableStats(zr: ZoneReader, nid: number | null, ratio: number, need: number, gc?: GroupContext): MovableStats {
  let kernelEarly = 0;
  let movable = 0;
  for (const z of zr.zonesOfAll()) {
    if (nid !== null && z.node !== nid) continue;
    // for_each_populated_zone(): present pages > 0
    if (z.presentPages <= 0) continue;
    if (z.zone === 'Movable') movable += z.presentPages;
    else kernelEarly += z.presentEarlyPages;
  }
  // walk_dynamic_memory_groups(nid, auto_movable_stats_account_group, group)
  let reqKernelEarly = 0;
  let groupsMovable = 0;
  for (const g of gc?.groups ?? []) {
    if (!g.dynamic || g.id === gc?.group?.id || (nid !== null && g.nid !== nid)) continue;
    const pages = Math.floor((g.presentMovablePages * 100) / ratio) - g.presentKernelPages;
    if (pages > 0) reqKernelEarly += pages;
    groupsMovable += g.presentMovablePages;
  }
  if (kernelEarly <= reqKernelEarly) return { kernelEarly: kernelEarly - reqKernelEarly, movable: movable - groupsMovable, need, limit: 0, ok: false };
  kernelEarly -= reqKernelEarly;
  movable -= groupsMovable;
  if (gc?.group?.dynamic) kernelEarly += gc.group.presentKernelPages;
  const limit = Math.floor((ratio * kernelEarly) / 100);
  return { kernelEarly, movable, need, limit, ok: movable + need <= limit };
}

export function canOnlineMovable(zr: ZoneReader, nid: number | null, ratio: number, need: number, gc?: GroupContext): boolean {
  return movableStats(zr, nid, ratio, need, gc).ok;
}

interface Choice {
  zone: ZoneName;
  why: ReasonStep[];
}

/**
 * The steps auto_movable_zone_for_pfn() records, when someone asked why (`why` null: nobody did,
 * and no step is built). Module-level functions, not closures made per call: the model checker
 * onlines blocks millions of times, and tsx names every closure a function makes each time.
 */
function kernelZoneFor(zr: ZoneReader, nid: number, pfn: number, nr: number, why: ReasonStep[] | null): ZoneName {
  if (why === null) return defaultKernelZone(zr, nid, pfn, nr);
  const k = defaultKernelZoneWhy(zr, nid, pfn, nr);
  why.push(k.step);
  return k.zone;
}

function groupStep(why: ReasonStep[] | null, ratio: number, group: MemoryGroupState | null, values: Record<string, ReasonValue>): void {
  if (why !== null) why.push({ rule: 'auto_movable_group', values: { ratio, group: group?.id ?? null, dynamic: group?.dynamic ?? null, ...values } });
}

/** can_online_movable() for node `n` (null: every node), its step recorded. */
function movableFits(zr: ZoneReader, n: number | null, ratio: number, need: number, gc: GroupContext | undefined, why: ReasonStep[] | null): boolean {
  const s = movableStats(zr, n, ratio, need, gc);
  if (why !== null) why.push({ rule: 'can_online_movable', values: { nid: n, ratio, kernelEarly: s.kernelEarly, movable: s.movable, need: s.need, limit: s.limit, ok: s.ok } });
  return s.ok;
}

/** auto_movable_zone_for_pfn(nid, group, pfn, nr_pages) */
function autoMovableZone(zr: ZoneReader, params: Params, nid: number, pfn: number, nr: number, why: ReasonStep[] | null, gc?: GroupContext): ZoneName {
  const ratio = params.auto_movable_ratio;
  const group = gc?.group ?? null;
  if (ratio === 0) {
    groupStep(why, ratio, group, { verdict: 'ratio 0: kernel zone' });
    return kernelZoneFor(zr, nid, pfn, nr, why);
  }
  let maxPages: number;
  let onlinePages = 0;
  if (group && !group.dynamic) {
    // a static group (a DIMM) goes all or nothing: anything kernel → the rest kernel
    maxPages = group.pages;
    onlinePages = group.presentMovablePages;
    if (group.presentKernelPages) {
      groupStep(why, ratio, group, { maxPages, onlinePages, kernelPages: group.presentKernelPages, verdict: 'static group partly in a kernel zone: kernel zone' });
      return kernelZoneFor(zr, nid, pfn, nr, why);
    }
  } else if (!group || group.pages === nr) {
    maxPages = nr;
  } else {
    // a dynamic group's unit (virtio-mem big block) is judged as a whole: its online parts
    // must all be movable, and the rest must fit
    maxPages = group.pages;
    const unitStart = Math.floor(pfn / group.pages) * group.pages;
    for (let p = unitStart; p < unitStart + group.pages; p += gc!.pagesPerBlock) {
      const id = Math.floor(p / gc!.pagesPerBlock);
      const z = gc!.onlineZone(id);
      if (z === null) continue;
      if (z !== 'Movable') {
        groupStep(why, ratio, group, { maxPages, unitStartPfn: unitStart, kernelBlock: id, kernelBlockZone: z, verdict: 'unit partly in a kernel zone: kernel zone' });
        return kernelZoneFor(zr, nid, pfn, nr, why);
      }
      onlinePages += gc!.pagesPerBlock;
    }
  }
  const need = maxPages - onlinePages;
  groupStep(why, ratio, group, { maxPages, onlinePages, need });
  if (!movableFits(zr, null, ratio, need, gc, why)) return kernelZoneFor(zr, nid, pfn, nr, why);
  if (params.auto_movable_numa_aware && !movableFits(zr, nid, ratio, need, gc, why)) return kernelZoneFor(zr, nid, pfn, nr, why);
  return 'Movable';
}

/** zone_for_pfn_range(online_type, nid, group, start_pfn, nr_pages) */
export function zoneForPfnRange(zr: ZoneReader, params: Params, type: OnlineType, nid: number, pfn: number, nr: number, gc?: GroupContext): ZoneName {
  if (type === 'online_kernel') return defaultKernelZone(zr, nid, pfn, nr);
  if (type === 'online_movable') return 'Movable';
  if (params.online_policy === 'auto-movable') return autoMovableZone(zr, params, nid, pfn, nr, null, gc);
  const k = defaultKernelZone(zr, nid, pfn, nr);
  const inK = intersects(zr.zone(nid, k), pfn, nr);
  const inM = intersects(zr.zone(nid, 'Movable'), pfn, nr);
  if (inK !== inM) return inK ? k : 'Movable';
  return params.movable_node ? 'Movable' : k;
}

/**
 * zone_for_pfn_range() with its reason: the chain of rules it went through
 * and every value each compared (docs/kernel-model.md §5.6). The same
 * decision as zoneForPfnRange(), which valid_zones calls on every read and so
 * builds no reason.
 */
export function zoneChoice(zr: ZoneReader, params: Params, type: OnlineType, nid: number, pfn: number, nr: number, gc?: GroupContext): Choice {
  const why: ReasonStep[] = [{ rule: 'zone_for_pfn_range', values: { onlineType: type, online_policy: params.online_policy } }];
  if (type === 'online_kernel') {
    const k = defaultKernelZoneWhy(zr, nid, pfn, nr);
    return { zone: k.zone, why: [...why, k.step] };
  }
  if (type === 'online_movable') return { zone: 'Movable', why };
  if (params.online_policy === 'auto-movable') {
    const zone = autoMovableZone(zr, params, nid, pfn, nr, why, gc);
    return { zone, why };
  }
  const k = defaultKernelZoneWhy(zr, nid, pfn, nr);
  why.push(k.step);
  const kz = zr.zone(nid, k.zone);
  const mz = zr.zone(nid, 'Movable');
  const inK = intersects(kz, pfn, nr);
  const inM = intersects(mz, pfn, nr);
  const zone: ZoneName = inK !== inM ? (inK ? k.zone : 'Movable') : params.movable_node ? 'Movable' : k.zone;
  why.push({ rule: 'contig_zones', values: { kernelZone: k.zone, kernelSpan: spanText(kz), movableSpan: spanText(mz), inKernelZone: inK, inMovable: inM, movable_node: params.movable_node, zone } });
  return { zone, why };
}

/** memoryN/valid_zones (without the newline). */
export function validZones(zr: ZoneReader, params: Params, g: Geometry, b: BlockFacts, gc?: GroupContext): string {
  if (b.state === 'online' || b.state === 'going-offline') return b.zone ?? 'none';
  const pfn = b.id * g.pagesPerBlock;
  const d = zoneForPfnRange(zr, params, 'online', b.nid, pfn, g.pagesPerBlock, gc);
  const out = [d];
  for (const t of ['online_kernel', 'online_movable'] as const) {
    const z = zoneForPfnRange(zr, params, t, b.nid, pfn, g.pagesPerBlock);
    if (z !== d) out.push(z);
  }
  return out.join(' ');
}

/** The span after growing it over [pfn, pfn+nr). */
export function grownSpan(z: ZoneState | undefined, pfn: number, nr: number) {
  if (!z || z.span === null) return { startPfn: pfn, endPfn: pfn + nr };
  return { startPfn: Math.min(z.span.startPfn, pfn), endPfn: Math.max(z.span.endPfn, pfn + nr) };
}

/** Whether block `id` (`b`) is online in the zone and node of `z`, and not the block being removed. */
function onlineInZone(b: BlockFacts | undefined, id: number, z: ZoneState, removedId: number): boolean {
  return !!b && id !== removedId && b.state !== 'offline' && b.zone === z.zone && b.nid === z.node;
}

/**
 * shrink_zone_span(): only an edge moves, to the next block still online in
 * this zone and node (find_smallest/biggest_section_pfn); a hole in the
 * middle leaves the span as it is.
 */
export function shrunkSpan(
  z: ZoneState,
  g: Geometry,
  block: (id: number) => BlockFacts | undefined,
  removedId: number,
): { startPfn: number; endPfn: number } | null | undefined {
  if (z.span === null) return undefined;
  const start = removedId * g.pagesPerBlock;
  const end = start + g.pagesPerBlock;
  let { startPfn, endPfn } = z.span;
  if (startPfn === start) {
    let id = removedId + 1;
    const last = Math.ceil(endPfn / g.pagesPerBlock);
    while (id < last && !onlineInZone(block(id), id, z, removedId)) id++;
    if (id >= last) return null;
    startPfn = id * g.pagesPerBlock;
  }
  if (endPfn === end) {
    let id = removedId - 1;
    const first = Math.floor(startPfn / g.pagesPerBlock);
    while (id >= first && !onlineInZone(block(id), id, z, removedId)) id--;
    if (id < first) return null;
    endPfn = (id + 1) * g.pagesPerBlock;
  }
  if (startPfn === z.span.startPfn && endPfn === z.span.endPfn) return undefined;
  return { startPfn, endPfn };
}

/** What auto_movable_zone_for_pfn() reads for this block. */
export function groupContextOf(r: Pick<KernelReader, 'groups' | 'block'>, b: BlockFacts, pagesPerBlock: number): GroupContext {
  return new ReaderGroupContext(r, b.group == null ? null : (r.groups.find((g) => g.id === b.group) ?? null), pagesPerBlock);
}

/** A GroupContext over a reader: a class, so that its lookup is not a closure made (and, under tsx, named) per online. */
class ReaderGroupContext implements GroupContext {
  readonly groups: readonly MemoryGroupState[];
  constructor(
    private readonly r: Pick<KernelReader, 'groups' | 'block'>,
    readonly group: MemoryGroupState | null,
    readonly pagesPerBlock: number,
  ) {
    this.groups = r.groups;
  }
  onlineZone(id: number): ZoneName | null {
    const x = this.r.block(id);
    return x && x.state !== 'offline' ? x.zone : null;
  }
}
