import type { Table } from '../../engine/table.ts';
import type { World } from '../../engine/world.ts';

/**
 * Whether two values are the same plain data: equal primitives, or arrays of
 * the same length and objects of the same prototype and keys whose members
 * are the same data. Shared references are equal at once, which is what makes
 * it cheap on two versions of a world: they share every table chunk and entry
 * their operation did not write (src/engine/table.ts), so only the written
 * ones are looked into.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    const u = x[k];
    const v = y[k];
    keys++;
    if (u === v) {
      if (u === undefined && !Object.hasOwn(y, k)) return false;
      continue;
    }
    if (!sameData(u, v)) return false;
  }
  for (const _ in y) keys--;
  return keys === 0;
}

/** How each field of a world is compared: a table chunk by chunk, anything else as data. */
const WORLD_FIELDS: Record<keyof World, 'table' | 'data'> = {
  seq: 'data',
  system: 'data',
  params: 'data',
  hotplug: 'data',
  oopses: 'data',
  taint: 'data',
  warnedOnce: 'data',
  blocks: 'table',
  sections: 'table',
  zones: 'table',
  nodes: 'table',
  vmemmap: 'table',
  faults: 'data',
  injection: 'data',
  signalPending: 'data',
  agentWork: 'data',
  groups: 'data',
  devices: 'data',
  resources: 'data',
  firmwareMap: 'data',
};
const FIELDS = Object.entries(WORLD_FIELDS) as [keyof World, 'table' | 'data'][];

function sameTable(a: Table<unknown>, b: Table<unknown>): boolean {
  if (a === b) return true;
  if (a.size !== b.size || a.chunks.length !== b.chunks.length) return false;
  for (let i = 0; i < a.chunks.length; i++) if (a.chunks[i] !== b.chunks[i] && !sameData(a.chunks[i], b.chunks[i])) return false;
  return true;
}

/**
 * sameData for two worlds, field by field (the table above names every field
 * a World has, so a new one does not compile until it says how it compares),
 * without walking the world's own keys: the replay check compares one pair
 * of worlds per new state.
 */
export function sameWorld(a: World, b: World): boolean {
  if (a === b) return true;
  for (const [k, kind] of FIELDS) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (!(kind === 'table' ? sameTable(x as Table<unknown>, y as Table<unknown>) : sameData(x, y))) return false;
  }
  return true;
}
