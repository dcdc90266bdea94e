/** Events are immutable facts (docs/README.md, principle 1): freeze them all the way down. */
export function deepFreeze<T>(value: T): T {
  const obj = value as Record<string, unknown>;
  Object.freeze(obj);
  for (const key in obj) {
    const v = obj[key];
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) deepFreeze(v);
  }
  return value;
}
