/**
 * A shallow copy of a record (a table entry, an event's context or device),
 * keys in the same order, as `{ ...o }` makes.
 *
 * Object.assign, not spread: on the contexts the operations write, V8's
 * spread took 1.3 µs a copy against Object.assign's 0.1, a tenth of an
 * add_memory decision and of the model checker's time (docs/explore.md
 * "Where the time went"). The two differ only on an own `__proto__` key,
 * which Object.assign would turn into the copy's prototype; only a parsed log
 * can hold one, and such a record is copied by spread, as before.
 */
export function copyRecord<T extends object>(o: T): T {
  return Object.hasOwn(o, '__proto__') ? { ...o } : Object.assign({}, o);
}
