/**
 * JSON text written piece by piece, byte for byte what
 * `JSON.stringify(value, null, 2)` gives, for values holding a world view
 * that is never built whole: a `worldViewJson(world)` field streams its
 * arrays one element at a time (a 524,288-block view as objects and then as
 * one string would need several times the memory of the world itself).
 */
import { isSequence, worldViewFields } from './to-view.ts';
import type { World } from './world.ts';

const INDENT = 2;
/** Bytes gathered before each write: few writes, bounded memory. */
const CHUNK = 1 << 16;

/** An object whose fields are produced when written; a field that returns a sequence is streamed as an array. */
export class LazyJsonObject {
  constructor(readonly fields: Readonly<Record<string, () => unknown>>) {}
}

/** The world's view (src/engine/view.ts), to be written as a stream. */
export function worldViewJson(world: World): LazyJsonObject {
  return new LazyJsonObject(worldViewFields(world));
}

/**
 * Writes `value` as `JSON.stringify(value, null, 2)` would, calling `write`
 * with pieces of about 64 KiB. Plain values inside go through JSON.stringify
 * (so toJSON, undefined and the rest behave as there); LazyJsonObject and
 * sequences are walked.
 */
export function writeJson(value: unknown, write: (text: string) => void): void {
  let buf = '';
  const put = (s: string) => {
    buf += s;
    if (buf.length >= CHUNK) {
      write(buf);
      buf = '';
    }
  };
  if (emit(value, 0, put) === undefined) put('undefined');
  if (buf) write(buf);
}

/** Writes one value at nesting `depth`; returns undefined (writing nothing) where JSON.stringify would omit it. */
function emit(value: unknown, depth: number, put: (s: string) => void): true | undefined {
  if (value instanceof LazyJsonObject) {
    emitEntries(Object.entries(value.fields).map(([k, f]) => [k, f()] as const), depth, put);
    return true;
  }
  if (isSequence(value)) {
    emitArray(value, depth, put);
    return true;
  }
  if (isWalked(value)) {
    if (Array.isArray(value)) emitArray(value, depth, put);
    else emitEntries(Object.entries(value), depth, put);
    return true;
  }
  const text = JSON.stringify(value, null, INDENT);
  if (text === undefined) return undefined;
  put(depth === 0 ? text : text.replace(/\n/g, `\n${pad(depth)}`));
  return true;
}

/** Plain containers that hold something lazy are walked here; all others are left to JSON.stringify. */
function isWalked(value: unknown): value is Record<string, unknown> | unknown[] {
  if (typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).some((v) => v instanceof LazyJsonObject || isSequence(v) || isWalked(v));
}

function emitEntries(entries: Iterable<readonly [string, unknown]>, depth: number, put: (s: string) => void): void {
  let first = true;
  const inner = pad(depth + 1);
  for (const [key, v] of entries) {
    // JSON.stringify leaves out a key whose value it cannot write (undefined, a function)
    let head = `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    const wrote = emit(v, depth + 1, (s) => {
      put(head + s);
      head = '';
    });
    if (wrote) first = false;
  }
  put(first ? '{}' : `\n${pad(depth)}}`);
}

/** Elements stringified together: one JSON.stringify per batch instead of per element. */
const BATCH = 512;

function emitArray(items: Iterable<unknown>, depth: number, put: (s: string) => void): void {
  let first = true;
  const inner = pad(depth + 1);
  let batch: unknown[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    put(`${first ? '[' : ','}\n${inner}${plainElements(batch, depth)}`);
    first = false;
    batch = [];
  };
  for (const v of items) {
    if (v instanceof LazyJsonObject || isSequence(v) || isWalked(v)) {
      flush();
      put(`${first ? '[' : ','}\n${inner}`);
      first = false;
      emit(v, depth + 1, put);
    } else {
      batch.push(v);
      if (batch.length === BATCH) flush();
    }
  }
  flush();
  put(first ? '[]' : `\n${pad(depth)}]`);
}

/**
 * Plain elements of an array at nesting `depth`, joined as JSON.stringify joins them: the
 * batch is stringified inside `depth` empty arrays, so that it comes out indented as it will
 * stand, and the wrapping is cut off (an element it cannot write becomes null, as there).
 */
function plainElements(batch: unknown[], depth: number): string {
  let wrapped: unknown = batch;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, INDENT);
  // depth + 1 opening brackets, each followed by a newline and its indent
  let head = 0;
  for (let i = 0; i <= depth; i++) head += 2 + i * INDENT + INDENT;
  let tail = 0;
  for (let i = 0; i <= depth; i++) tail += 2 + i * INDENT;
  return text.slice(head, text.length - tail);
}

function pad(depth: number): string {
  return ' '.repeat(depth * INDENT);
}
