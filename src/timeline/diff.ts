/**
 * What changed between two worlds, as a list of paths in the grammar of
 * path.ts — so every path a diff prints can be watched or used in a
 * predicate, in the stepper and in the inspector alike. Entities are matched
 * by kernel identity (block id, section_nr, node, zone name, vmemmap head
 * pfn); objects are compared field by field down to the leaves, arrays as a
 * whole (faults, iomem and the driver lists by position, since they are
 * read per entry). `seq` and `version` are left out: they say which step,
 * not what the world is.
 *
 * diffViews() is the definition, over two whole views. diffWorlds() gives
 * exactly the same list from the worlds' persistent tables: two worlds of
 * one log share every table chunk (and every entity) that no event between
 * them touched, so comparing references finds the few entities that changed
 * without building a view of 32,768 blocks. test/inspector/world-diff.test.ts
 * and test/timeline/breakpoints.test.ts hold the two to each other.
 */
import { isDeepStrictEqual } from 'node:util';
import { TABLE_CHUNK, tableGet, type Table } from '../engine/table.ts';
import { firmwareMemmapView, groupViews, iomemView, vmemmapHeadAt } from '../engine/to-view.ts';
import type { WorldView } from '../engine/view.ts';
import type { World } from '../engine/world.ts';
import { keyedInView, KEYED_ROOTS, type KeyedRoot } from './path.ts';
import { entity, scalarRoot } from './resolve.ts';

export interface WorldChange {
  /** e.g. blocks[65].state, zones[0].Movable.presentPages, vmemmap[2097152].refcount */
  path: string;
  /** undefined: did not exist before */
  before: unknown;
  /** undefined: does not exist after */
  after: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function diffValue(path: string, a: unknown, b: unknown, out: WorldChange[]): void {
  if (a === b) return;
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const sub = /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
      diffValue(sub, a[k], b[k], out);
    }
    return;
  }
  if (!isDeepStrictEqual(a, b)) out.push({ path, before: a, after: b });
}

function keysOf(view: WorldView, root: KeyedRoot): number[] {
  switch (root) {
    case 'blocks': return view.blocks.map((b) => b.id);
    case 'sections': return view.sections.map((s) => s.nr);
    case 'nodes': return view.nodes.map((n) => n.id);
    case 'zones': return view.zones.map((z) => z.node);
    case 'vmemmap': return view.vmemmap.map((v) => v.headPfn);
  }
}

/** Lists compared by position (faults are only ever appended; the short driver lists read best per entry). */
const POSITIONAL = ['faults', 'iomem', 'firmwareMemmap', 'groups', 'devices'] as const;
/** The view's other top-level fields, in the view's order (seq and version say which step, not what the world is). */
const SCALARS = ['arch', 'kernel', 'pageSize', 'sectionSizeBytes', 'blockSizeBytes', 'params', 'config', 'tainted', 'taint', 'taintFlags', 'injection', 'signalPending'] as const;

/** The definition: the change between two whole views. */
export function diffViews(a: WorldView, b: WorldView): WorldChange[] {
  const out: WorldChange[] = [];
  for (const root of KEYED_ROOTS) {
    const keys = [...new Set([...keysOf(a, root), ...keysOf(b, root)])].sort((x, y) => x - y);
    for (const k of keys) {
      const step = { kind: 'index', index: k } as const;
      diffValue(`${root}[${k}]`, keyedInView(a, root, step), keyedInView(b, root, step), out);
    }
  }
  for (const key of POSITIONAL) positional(key, (a[key] ?? []) as unknown[], (b[key] ?? []) as unknown[], out);
  const skip = new Set<string>([...KEYED_ROOTS, ...POSITIONAL, 'seq', 'version']);
  for (const k of Object.keys(b) as (keyof WorldView)[]) if (!skip.has(k)) diffValue(k, a[k], b[k], out);
  return out;
}

function positional(key: string, la: readonly unknown[], lb: readonly unknown[], out: WorldChange[]): void {
  for (let i = 0; i < Math.max(la.length, lb.length); i++) diffValue(`${key}[${i}]`, la[i], lb[i], out);
}

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
    const base = ci * TABLE_CHUNK;
    for (let j = 0; j < len; j++) if (ca?.[j] !== cb?.[j]) out.push(base + j);
  }
  return out;
}

/** Every key of a table, ascending. */
function allKeys<T>(t: Table<T>): number[] {
  const out: number[] = [];
  t.chunks.forEach((c, ci) => c?.forEach((v, j) => { if (v !== undefined) out.push(ci * TABLE_CHUNK + j); }));
  return out;
}

/**
 * Block ids whose view may differ: the changed entries, plus every offline
 * block when what its valid_zones is derived from changed (the zones, the
 * parameters, the memory groups, or a block of a group).
 */
function changedBlockIds(a: World, b: World): number[] {
  const changed = changedKeys(a.blocks, b.blocks);
  const ids = new Set(changed);
  const grouped = (a.groups.length > 0 || b.groups.length > 0) && changed.some((k) => tableGet(a.blocks, k)?.group != null || tableGet(b.blocks, k)?.group != null);
  if (a.zones !== b.zones || a.groups !== b.groups || grouped || !isDeepStrictEqual(a.params, b.params)) {
    for (const t of [a.blocks, b.blocks]) for (const c of t.chunks) if (c) for (const x of c) if (x && x.state === 'offline') ids.add(x.id);
  }
  return [...ids].sort((x, y) => x - y);
}

/** Section numbers whose view may differ: changed entries, plus the sections of vmemmap heads whose orphaned flag changed. */
function changedSectionNrs(a: World, b: World): number[] {
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

/** Node numbers that have zones (the keys of zones[N]). */
function zoneNodes(w: World): number[] {
  return allKeys(w.zones).map((k) => tableGet(w.zones, k)!.node);
}

/** diffViews(toView(a), toView(b)), reading only what differs by reference. */
export function diffWorlds(a: World, b: World): WorldChange[] {
  const out: WorldChange[] = [];
  if (a === b) return out;
  const keyed = (root: KeyedRoot, keys: Iterable<number>) => {
    for (const k of [...new Set(keys)].sort((x, y) => x - y)) diffValue(`${root}[${k}]`, entity(a, root, k), entity(b, root, k), out);
  };
  keyed('blocks', changedBlockIds(a, b));
  keyed('sections', changedSectionNrs(a, b));
  // nodes and zones are a handful: compare them whole when their tables changed (a node sums its zones)
  if (a.nodes !== b.nodes || a.zones !== b.zones) keyed('nodes', [...allKeys(a.nodes), ...allKeys(b.nodes)]);
  if (a.zones !== b.zones) keyed('zones', [...zoneNodes(a), ...zoneNodes(b)]);
  const heads: number[] = [];
  for (const k of changedKeys(a.vmemmap, b.vmemmap)) for (const h of [tableGet(a.vmemmap, k), tableGet(b.vmemmap, k)]) if (h) heads.push(h.headPfn);
  for (const h of [...new Set(heads)].sort((x, y) => x - y)) {
    const view = (w: World) => (vmemmapHeadAt(w, h) ? entity(w, 'vmemmap', h) : undefined);
    diffValue(`vmemmap[${h}]`, view(a), view(b), out);
  }
  if (a.faults !== b.faults) positional('faults', scalarRoot(a, 'faults')!.value as unknown[], scalarRoot(b, 'faults')!.value as unknown[], out);
  if (a.resources !== b.resources || a.system !== b.system) positional('iomem', iomemView(a), iomemView(b), out);
  if (a.firmwareMap !== b.firmwareMap || a.system !== b.system) positional('firmwareMemmap', firmwareMemmapView(a), firmwareMemmapView(b), out);
  // a group lists its blocks: a changed block may change its group's view
  if (a.groups !== b.groups || ((a.groups.length > 0 || b.groups.length > 0) && a.blocks !== b.blocks)) positional('groups', groupViews(a), groupViews(b), out);
  if (a.devices !== b.devices) positional('devices', a.devices.map((d) => ({ ...d })), b.devices.map((d) => ({ ...d })), out);
  for (const k of SCALARS) diffValue(k, scalarRoot(a, k)!.value, scalarRoot(b, k)!.value, out);
  return out;
}
