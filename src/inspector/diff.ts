/**
 * The change between two worlds, entity by entity, as the "what changed"
 * panel shows it. Entities are matched by their kernel identity (block id,
 * section_nr, node/zone, vmemmap head pfn) so a removed block shows as gone
 * rather than as every later block shifting by one.
 */
import type { WorldView } from '../engine/view.ts';
import type { WorldChange } from './backend.ts';

export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let n = 0;
  for (const k in ra) { n++; if (!same(ra[k], rb[k])) return false; }
  for (const _ in rb) n--;
  return n === 0;
}

export function diffFields(path: string, a: object, b: object, out: WorldChange[]): void {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  for (const key of keys) if (!same(ra[key], rb[key])) out.push({ path: `${path}.${key}`, before: ra[key], after: rb[key] });
  if (Object.keys(rb).length !== keys.length) {
    for (const key of Object.keys(rb)) if (!(key in ra)) out.push({ path: `${path}.${key}`, before: undefined, after: rb[key] });
  }
}

export function diffKeyed<T extends object>(name: string, a: readonly T[], b: readonly T[], key: (x: T) => string | number, out: WorldChange[]): void {
  const after = new Map<string | number, T>();
  for (const y of b) after.set(key(y), y);
  for (const x of a) {
    const k = key(x);
    const y = after.get(k);
    if (y === undefined) out.push({ path: `${name}[${label(name, k)}]`, before: x, after: undefined });
    else {
      if (x !== y) diffFields(`${name}[${label(name, k)}]`, x, y, out);
      after.delete(k);
    }
  }
  for (const [k, y] of after) out.push({ path: `${name}[${label(name, k)}]`, before: undefined, after: y });
}

const PREFIX: Record<string, string> = { blocks: 'memory', sections: 'section', nodes: 'node', vmemmap: 'head@', faults: 'seq' };
function label(name: string, k: string | number): string {
  // a vmemmap is known by its head pfn, which reads in hex like the kernel prints it
  if (name === 'vmemmap' && typeof k === 'number') return `head@0x${k.toString(16)}`;
  return typeof k === 'number' ? `${PREFIX[name] ?? ''}${k}` : k;
}

export function diffWorlds(a: WorldView, b: WorldView): WorldChange[] {
  const out: WorldChange[] = [];
  diffKeyed('blocks', a.blocks, b.blocks, (x) => x.id, out);
  diffKeyed('sections', a.sections, b.sections, (x) => x.nr, out);
  diffKeyed('zones', a.zones, b.zones, (x) => `${x.node}/${x.zone}`, out);
  diffKeyed('nodes', a.nodes, b.nodes, (x) => x.id, out);
  diffKeyed('vmemmap', a.vmemmap, b.vmemmap, (x) => x.headPfn, out);
  diffKeyed('faults', a.faults, b.faults, (x) => x.seq, out);
  for (const key of ['tainted', 'signalPending', 'injection', 'params'] as const) {
    if (!same(a[key], b[key])) out.push({ path: key, before: a[key], after: b[key] });
  }
  return out;
}
