/**
 * The change between two worlds, read from their persistent tables. Two
 * worlds of one log share every table chunk (and every entity) that no
 * event between them touched, so comparing references finds the few
 * entities that changed without building a view of 32,768 blocks.
 *
 * diffWorldTables(a, b) gives exactly what diffWorlds(toView(a), toView(b))
 * gives (test/inspector/world-diff.test.ts checks that on every step of the
 * seed log), including the derived fields: a block's valid_zones follows the
 * zones and parameters, a section's memmapLost follows its vmemmap head.
 */
import { tableGet, type Table } from '../engine/table.ts';
import { blockView, faultView, nodeView, sectionView, vmemmapView, zoneView } from '../engine/to-view.ts';
import type { World } from '../engine/world.ts';
import type { WorldChange } from './backend.ts';
import { diffKeyed, same } from './diff.ts';

/** Keys whose entries differ by reference between two versions of one table, ascending. */
export function changedKeys<T>(a: Table<T>, b: Table<T>): number[] {
  const out: number[] = [];
  if (a === b) return out;
  const n = Math.max(a.chunks.length, b.chunks.length);
  for (let ci = 0; ci < n; ci++) {
    const ca = a.chunks[ci];
    const cb = b.chunks[ci];
    if (ca === cb) continue;
    const len = Math.max(ca?.length ?? 0, cb?.length ?? 0);
    const base = ci * len;
    for (let j = 0; j < len; j++) if (ca?.[j] !== cb?.[j]) out.push(base + j);
  }
  return out;
}

/** Every key of a table, ascending. */
function allKeys<T>(t: Table<T>): number[] {
  const out: number[] = [];
  t.chunks.forEach((c, ci) => c?.forEach((v, j) => { if (v !== undefined) out.push(ci * c.length + j); }));
  return out;
}

const zonesOrParamsDiffer = (a: World, b: World) => a.zones !== b.zones || !same(a.params, b.params);

/**
 * Block ids whose view may differ: the changed entries, plus — when zones or
 * parameters changed — every offline block (its valid_zones is derived from them).
 */
export function changedBlockIds(a: World, b: World): number[] {
  const ids = new Set(changedKeys(a.blocks, b.blocks));
  if (zonesOrParamsDiffer(a, b)) {
    for (const t of [a.blocks, b.blocks]) for (const c of t.chunks) if (c) for (const x of c) if (x && x.state === 'offline') ids.add(x.id);
  }
  return [...ids].sort((x, y) => x - y);
}

/** Section numbers whose view may differ: changed entries, plus the sections of vmemmap heads whose orphaned flag changed. */
export function changedSectionNrs(a: World, b: World): number[] {
  const nrs = new Set(changedKeys(a.sections, b.sections));
  for (const k of changedKeys(a.vmemmap, b.vmemmap)) {
    const ha = tableGet(a.vmemmap, k);
    const hb = tableGet(b.vmemmap, k);
    if ((ha !== undefined && ha.orphanedBy !== null) === (hb !== undefined && hb.orphanedBy !== null) && ha?.headPfn === hb?.headPfn) continue;
    // a head's sections list the sections it serves (the tails that point at it)
    for (const h of [ha, hb]) for (const nr of h?.sections ?? []) nrs.add(nr);
  }
  return [...nrs].sort((x, y) => x - y);
}

/** One keyed collection's change, over the given keys only (the others are the same entity in both worlds). */
function diffSome<E, V extends object>(name: string, keys: number[], a: Table<E>, b: Table<E>, wa: World, wb: World, view: (w: World, e: E) => V, out: WorldChange[]): void {
  const before: V[] = [];
  const after: V[] = [];
  for (const k of keys) {
    const x = tableGet(a, k);
    const y = tableGet(b, k);
    if (x !== undefined) before.push(view(wa, x));
    if (y !== undefined) after.push(view(wb, y));
  }
  diffKeyed(name, before, after, keyOf(name) as (x: V) => string | number, out);
}

function keyOf(name: string): (x: never) => string | number {
  switch (name) {
    case 'blocks': return (x: { id: number }) => x.id;
    case 'sections': return (x: { nr: number }) => x.nr;
    default: return (x: { headPfn: number }) => x.headPfn;
  }
}

export function diffWorldTables(a: World, b: World): WorldChange[] {
  const out: WorldChange[] = [];
  if (a === b) return out;
  diffSome('blocks', changedBlockIds(a, b), a.blocks, b.blocks, a, b, blockView, out);
  diffSome('sections', changedSectionNrs(a, b), a.sections, b.sections, a, b, sectionView, out);
  // zones and nodes are a handful: compare them whole, as the view shows them (a node sums its zones)
  const zones = (w: World) => allKeys(w.zones).map((k) => zoneView(tableGet(w.zones, k)!));
  if (a.zones !== b.zones) diffKeyed('zones', zones(a), zones(b), (x) => `${x.node}/${x.zone}`, out);
  const nodes = (w: World) => allKeys(w.nodes).map((k) => nodeView(w, tableGet(w.nodes, k)!));
  if (a.nodes !== b.nodes || a.zones !== b.zones) diffKeyed('nodes', nodes(a), nodes(b), (x) => x.id, out);
  diffSome('vmemmap', changedKeys(a.vmemmap, b.vmemmap), a.vmemmap, b.vmemmap, a, b, (_w, v) => vmemmapView(v), out);
  if (a.faults !== b.faults) diffKeyed('faults', a.faults.map(faultView), b.faults.map(faultView), (x) => x.seq, out);
  const tops: Array<[string, unknown, unknown]> = [
    ['tainted', a.oopses > 0, b.oopses > 0],
    ['signalPending', a.signalPending, b.signalPending],
    ['injection', { ...a.injection }, { ...b.injection }],
    ['params', a.params, b.params],
  ];
  for (const [path, x, y] of tops) if (!same(x, y)) out.push({ path, before: x, after: y });
  return out;
}
