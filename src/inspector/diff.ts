/**
 * The change between two worlds, entity by entity, as the "what changed"
 * panel shows it. Entities are matched by their kernel identity (block id,
 * section_nr, node/zone, vmemmap head pfn) so a removed block shows as gone
 * rather than as every later block shifting by one.
 */
import type { WorldView } from '../engine/view.ts';
import type { WorldChange } from './backend.ts';

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function diffFields(path: string, a: object, b: object, out: WorldChange[]): void {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    if (!same(ra[key], rb[key])) out.push({ path: `${path}.${key}`, before: ra[key], after: rb[key] });
  }
}

function diffKeyed<T extends object>(name: string, a: T[], b: T[], key: (x: T) => string, out: WorldChange[]): void {
  const before = new Map(a.map((x) => [key(x), x]));
  const after = new Map(b.map((x) => [key(x), x]));
  for (const [k, x] of before) {
    const y = after.get(k);
    if (y === undefined) out.push({ path: `${name}[${k}]`, before: x, after: undefined });
    else if (x !== y) diffFields(`${name}[${k}]`, x, y, out);
  }
  for (const [k, y] of after) if (!before.has(k)) out.push({ path: `${name}[${k}]`, before: undefined, after: y });
}

export function diffWorlds(a: WorldView, b: WorldView): WorldChange[] {
  const out: WorldChange[] = [];
  diffKeyed('blocks', a.blocks, b.blocks, (x) => `memory${x.id}`, out);
  diffKeyed('sections', a.sections, b.sections, (x) => `section${x.nr}`, out);
  diffKeyed('zones', a.zones, b.zones, (x) => `${x.node}/${x.zone}`, out);
  diffKeyed('nodes', a.nodes, b.nodes, (x) => `node${x.id}`, out);
  diffKeyed('vmemmap', a.vmemmap, b.vmemmap, (x) => `head@${x.headPfn}`, out);
  diffKeyed('faults', a.faults, b.faults, (x) => `seq${x.seq}`, out);
  for (const key of ['tainted', 'signalPending', 'injection', 'params'] as const) {
    if (!same(a[key], b[key])) out.push({ path: key, before: a[key], after: b[key] });
  }
  return out;
}
