/**
 * What changed between two worlds, as a list of paths in the grammar of
 * path.ts — so every path diff() prints can be watched or used in a
 * predicate. Entities are matched by kernel identity (block id, section_nr,
 * node, zone name, vmemmap head pfn); objects are compared field by field
 * down to the leaves, arrays as a whole (faults by position, since faults
 * are only ever appended). `seq` and `version` are left out: they say which
 * step, not what the world is.
 */
import { isDeepStrictEqual } from 'node:util';
import type { WorldView } from '../engine/view.ts';
import { keyedInView, KEYED_ROOTS, type KeyedRoot } from './path.ts';

export interface WorldChange {
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

const POSITIONAL = ['faults', 'iomem', 'firmwareMemmap', 'groups', 'devices'] as const;

export function diffViews(a: WorldView, b: WorldView): WorldChange[] {
  const out: WorldChange[] = [];
  for (const root of KEYED_ROOTS) {
    const keys = [...new Set([...keysOf(a, root), ...keysOf(b, root)])].sort((x, y) => x - y);
    for (const k of keys) {
      const step = { kind: 'index', index: k } as const;
      diffValue(`${root}[${k}]`, keyedInView(a, root, step), keyedInView(b, root, step), out);
    }
  }
  // lists compared by position (faults are only ever appended; the short driver lists read best per entry)
  for (const key of POSITIONAL) {
    const la = (a[key] ?? []) as unknown[];
    const lb = (b[key] ?? []) as unknown[];
    for (let i = 0; i < Math.max(la.length, lb.length); i++) diffValue(`${key}[${i}]`, la[i], lb[i], out);
  }
  const skip = new Set<string>([...KEYED_ROOTS, ...POSITIONAL, 'seq', 'version']);
  for (const k of Object.keys(b) as (keyof WorldView)[]) if (!skip.has(k)) diffValue(k, a[k], b[k], out);
  return out;
}
