/**
 * Whether two values are the same plain data: equal primitives, or arrays of
 * the same length and objects of the same prototype and keys whose members
 * are the same data. Shared references are equal at once, which is what makes
 * it cheap on two versions of a world: they share every table chunk and entry
 * their operation did not write (src/engine/table.ts), so only the written
 * ones are looked into. The model checker's replay check compares one pair of
 * worlds with it per new state (./space.ts).
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
