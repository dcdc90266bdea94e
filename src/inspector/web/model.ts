/**
 * The page's copy of the map: kept between steps and patched with what the
 * server says changed (MapPatch), so a step moves a few entries instead of
 * downloading 32,768 blocks again. Columns are typed arrays indexed by block
 * id (a block's id is its slot on the map: startPfn = id × blockPages) and by
 * section number, written in place; apply() says which slots to redraw.
 */
import type { VmemmapView } from '../../engine/view.ts';
import type { Params } from '../../kernel/types.ts';
import type { MapPatch, MapTables } from '../protocol.ts';
import { lowerBound } from './heads.ts';

export interface MapView extends MapTables {
  seq: number;
  pageSize: number;
  blockPages: number;
  sectionPages: number;
  sectionsPerBlock: number;
  memmapPagesPerSection: number;
  params: Params;
  /** Slots the columns hold; blocks present. */
  cap: number;
  count: number;
  blocks: {
    /** id[i] = i: a block is known by its slot */
    id: Int32Array;
    present: Uint8Array;
    /** 0 offline, 1 online, 2 going-offline */
    state: Int8Array;
    /** index into ZONE_CODES, -1 = none */
    zone: Int8Array;
    node: Int16Array;
    startPfn: Float64Array;
    nrPages: Float64Array;
    vmemmapPages: Int32Array;
    /** bit 0 early, bit 1 pinned */
    flags: Uint8Array;
  };
  /** indexed by section number */
  sections: {
    nr: Int32Array;
    present: Uint8Array;
    block: Int32Array;
    state: Int8Array;
    memmapKind: Int8Array;
    memmapNode: Int16Array;
    memmapHead: Float64Array;
    memmapLost: Uint8Array;
  };
  /** sorted by head pfn */
  vmemmap: VmemmapView[];
}

/** What a patch changed on the map: slots to redraw, or everything. */
export interface MapChange {
  /** A new map (no earlier world held): everything. Columns growing is not `full`: new entries are in `slots`. */
  full: boolean;
  slots: number[];
  vmemmap: boolean;
  /** Head pfns of the vmemmap entries the patch deleted or set (their altmap groups change). */
  heads: number[];
  removed: boolean;
}

/**
 * Follow a patch of the heads in `sorted` (ascending headPfn, no duplicates):
 * replaced heads are swapped in place, a few deletions/insertions are spliced
 * at their binary-searched place, many are merged in one linear pass; never a
 * sort of all 24,576 heads of a big map.
 */
export function patchSorted(sorted: VmemmapView[], del: number[], set: VmemmapView[]): VmemmapView[] {
  const gone = new Set<number>();
  const added: VmemmapView[] = [];
  for (const h of del) {
    const i = lowerBound(sorted, h);
    if (i < sorted.length && sorted[i]!.headPfn === h) gone.add(h);
  }
  // the last word on a head wins (a set after a delete of the same head keeps it)
  const fresh = new Map<number, VmemmapView>();
  for (const h of set) { fresh.set(h.headPfn, h); gone.delete(h.headPfn); }
  for (const h of fresh.values()) {
    const i = lowerBound(sorted, h.headPfn);
    if (i < sorted.length && sorted[i]!.headPfn === h.headPfn) sorted[i] = h;
    else added.push(h);
  }
  if (gone.size === 0 && added.length === 0) return sorted;
  added.sort((x, y) => x.headPfn - y.headPfn);
  if (gone.size + added.length <= 32) {
    for (const h of gone) sorted.splice(lowerBound(sorted, h), 1);
    for (const h of added) sorted.splice(lowerBound(sorted, h.headPfn), 0, h);
    return sorted;
  }
  const out: VmemmapView[] = [];
  let j = 0;
  for (const h of sorted) {
    if (gone.has(h.headPfn)) continue;
    while (j < added.length && added[j]!.headPfn < h.headPfn) out.push(added[j++]!);
    out.push(h);
  }
  while (j < added.length) out.push(added[j++]!);
  return out;
}

function grown<T extends Int32Array | Uint8Array | Int8Array | Int16Array | Float64Array>(a: T, n: number, fill = 0): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  if (fill !== 0) b.fill(fill as never);
  b.set(a as never);
  return b;
}

/** a[i] = i × step, in a plain loop: TypedArray.from with a mapping function over 65,536 slots took ~20 ms on a step that grew the columns. */
function iota<T extends Int32Array | Float64Array>(a: T, step: number): T {
  for (let i = 0; i < a.length; i++) a[i] = i * step;
  return a;
}

export class MapModel {
  view: MapView | null = null;
  private heads = new Map<number, VmemmapView>();

  get seq(): number | null { return this.view?.seq ?? null; }

  reset(): void {
    this.view = null;
    this.heads.clear();
  }

  private ensure(v: MapView, slots: number, sections: number): boolean {
    let grew = false;
    if (slots > v.cap) {
      const cap = Math.max(slots, v.cap * 2, 64);
      const b = v.blocks;
      v.blocks = {
        id: iota(new Int32Array(cap), 1),
        present: grown(b.present, cap), state: grown(b.state, cap), zone: grown(b.zone, cap, -1), node: grown(b.node, cap),
        startPfn: iota(new Float64Array(cap), v.blockPages),
        nrPages: new Float64Array(cap).fill(v.blockPages),
        vmemmapPages: grown(b.vmemmapPages, cap), flags: grown(b.flags, cap),
      };
      v.cap = cap;
      grew = true;
    }
    if (sections > v.sections.nr.length) {
      const cap = Math.max(sections, v.sections.nr.length * 2, 64 * v.sectionsPerBlock);
      const s = v.sections;
      v.sections = {
        nr: iota(new Int32Array(cap), 1),
        present: grown(s.present, cap), block: grown(s.block, cap), state: grown(s.state, cap), memmapKind: grown(s.memmapKind, cap),
        memmapNode: grown(s.memmapNode, cap), memmapHead: grown(s.memmapHead, cap), memmapLost: grown(s.memmapLost, cap),
      };
      grew = true;
    }
    return grew;
  }

  private empty(p: MapPatch): MapView {
    const g = p.geometry!;
    const spb = Math.max(1, Math.round(g.blockPages / g.sectionPages));
    return {
      seq: p.seq, pageSize: g.pageSize, blockPages: g.blockPages, sectionPages: g.sectionPages, sectionsPerBlock: spb,
      memmapPagesPerSection: g.memmapPagesPerSection, params: p.params, cap: 0, count: 0,
      blocks: { id: new Int32Array(0), present: new Uint8Array(0), state: new Int8Array(0), zone: new Int8Array(0), node: new Int16Array(0),
        startPfn: new Float64Array(0), nrPages: new Float64Array(0), vmemmapPages: new Int32Array(0), flags: new Uint8Array(0) },
      sections: { nr: new Int32Array(0), present: new Uint8Array(0), block: new Int32Array(0), state: new Int8Array(0), memmapKind: new Int8Array(0),
        memmapNode: new Int16Array(0), memmapHead: new Float64Array(0), memmapLost: new Uint8Array(0) },
      zones: [], nodes: [], vmemmap: [], faults: [], removed: [], tainted: false, signalPending: false,
      injection: { MEM_GOING_ONLINE: 0, MEM_GOING_OFFLINE: 0 },
    };
  }

  /** Apply a patch; null when it does not start from the world held (the caller asks for a full map). */
  apply(p: MapPatch): MapChange | null {
    if (p.base === null) this.reset();
    else if (!this.view || p.base !== this.view.seq) return null;
    const full = this.view === null;
    const v = this.view ?? (this.view = this.empty(p));
    const b = p.blocks;
    const s = p.sections;
    let maxId = 0;
    for (const id of b.id) maxId = Math.max(maxId, id + 1);
    let maxNr = 0;
    for (const nr of s.nr) maxNr = Math.max(maxNr, nr + 1);
    // columns that grow keep their entries; the new ones are dirty like any other
    this.ensure(v, maxId, maxNr);
    // dirty slots as marks, not a Set: a far jump marks ~9,000 slots, read back in order without a sort
    const marks = new Uint8Array(v.cap);
    const extra: number[] = [];
    const dirty = { add: (slot: number) => { if (slot < marks.length) marks[slot] = 1; else extra.push(slot); } };
    const B = v.blocks;
    for (const id of b.del) { if (id < v.cap && B.present[id]) { B.present[id] = 0; v.count--; } dirty.add(id); }
    for (let i = 0; i < b.id.length; i++) {
      const id = b.id[i]!;
      if (!B.present[id]) v.count++;
      B.present[id] = 1;
      B.state[id] = b.state[i]!;
      B.zone[id] = b.zone[i]!;
      B.node[id] = b.node[i]!;
      B.vmemmapPages[id] = b.vmemmapPages[i]!;
      B.flags[id] = b.flags[i]!;
      dirty.add(id);
    }
    const S = v.sections;
    const spb = v.sectionsPerBlock;
    for (const nr of s.del) { if (nr < S.nr.length) S.present[nr] = 0; dirty.add(Math.floor(nr / spb)); }
    const lost = (nr: number) => (S.memmapKind[nr] === 2 && this.heads.get(S.memmapHead[nr]!)?.orphaned ? 1 : 0);
    for (let i = 0; i < s.nr.length; i++) {
      const nr = s.nr[i]!;
      S.present[nr] = 1;
      S.block[nr] = s.block[i]!;
      S.state[nr] = s.state[i]!;
      S.memmapKind[nr] = s.memmapKind[i]!;
      S.memmapNode[nr] = s.memmapNode[i]!;
      S.memmapHead[nr] = s.memmapHead[i]!;
      dirty.add(s.block[i]!);
    }
    const vmemmap = p.vmemmap.del.length > 0 || p.vmemmap.set.length > 0;
    if (vmemmap) {
      const touched: number[] = [];
      for (const h of p.vmemmap.del) { const old = this.heads.get(h); if (old) touched.push(...old.sections); this.heads.delete(h); }
      for (const h of p.vmemmap.set) { const old = this.heads.get(h.headPfn); if (old) touched.push(...old.sections); touched.push(...h.sections); this.heads.set(h.headPfn, h); }
      // a section's memmapLost follows its head: recompute it for the sections the changed heads serve
      for (const nr of touched) if (nr < S.nr.length && S.present[nr]) { S.memmapLost[nr] = lost(nr); dirty.add(Math.floor(nr / spb)); }
      v.vmemmap = patchSorted(v.vmemmap, p.vmemmap.del, p.vmemmap.set);
    }
    for (let i = 0; i < s.nr.length; i++) S.memmapLost[s.nr[i]!] = lost(s.nr[i]!);
    const removed = JSON.stringify(v.removed) !== JSON.stringify(p.removed);
    if (removed) {
      // the slots of ranges that stopped or started being removed
      for (const r of [...v.removed, ...p.removed]) for (let x = Math.floor(r.startPfn / v.blockPages); x < Math.ceil((r.startPfn + r.nrPages) / v.blockPages); x++) dirty.add(x);
    }
    const faultsBefore = new Set(v.faults.map((f) => f.block));
    const faultsAfter = new Set(p.faults.map((f) => f.block));
    for (const x of faultsBefore) if (!faultsAfter.has(x)) dirty.add(x);
    for (const x of faultsAfter) if (!faultsBefore.has(x)) dirty.add(x);
    v.seq = p.seq;
    v.params = p.params;
    v.zones = p.zones;
    v.nodes = p.nodes;
    v.faults = p.faults;
    v.removed = p.removed;
    v.tainted = p.tainted;
    v.signalPending = p.signalPending;
    v.injection = p.injection;
    const heads = vmemmap ? [...p.vmemmap.del, ...p.vmemmap.set.map((h) => h.headPfn)] : [];
    const slots: number[] = [];
    for (let x = 0; x < marks.length; x++) if (marks[x]) slots.push(x);
    if (extra.length) slots.push(...[...new Set(extra)].sort((x, y) => x - y));
    return { full, slots, vmemmap, heads, removed };
  }
}
