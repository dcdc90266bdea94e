/**
 * A persistent table keyed by small non-negative integers (block ids,
 * section numbers): a two-level array of fixed-size chunks. Changing one
 * entry copies one chunk and the top array, never the whole table — immer
 * over one 32K-element array copies all of it per event (measured: immer over one 32K-element array manages about 120–550 events/s).
 *
 * A TableDraft is a transient editor: during a batch it copies each touched
 * chunk once and then writes in place, so replaying many events costs about
 * as much as a mutable loop.
 *
 * A chunk array is only as long as its highest occupied slot needs (at most
 * TABLE_CHUNK): the model checker's small machines use a few dozen keys, and
 * copying 256 slots per table an operation writes was a large share of its
 * decide() (docs/explore.md "Where the time went"). So a key's chunk index is
 * `chunkOf(key)` and its slot `slotOf(key)`; never derive a key from a
 * chunk's length.
 */
import { copyRecord } from './copy.ts';

/** Entries per chunk: readers that cache per chunk (the inspector's diff and incremental checks) index by it. */
export const TABLE_CHUNK = 256;
const CHUNK = TABLE_CHUNK;
/**
 * Keys are whole numbers below 2^32 * CHUNK (chunk indexes must stay array indexes).
 * No 32-bit arithmetic on them: a shift or mask would turn block 2^32 + 64 into block 64
 * (issue 13). Inputs are bounded far below this (kernel/limits.ts); a key outside it
 * is a bug, refused by set/edit and absent for get.
 */
const MAX_KEY = (2 ** 32 - 1) * CHUNK - 1;
const validKey = (id: number): boolean => Number.isInteger(id) && id >= 0 && id <= MAX_KEY;
export const chunkOf = (id: number): number => Math.floor(id / CHUNK);
export const slotOf = (id: number): number => id % CHUNK;
function checkKey(id: number): void {
  if (!validKey(id)) throw new RangeError(`table key ${id} is not a whole number from 0 to ${MAX_KEY}`);
}

export interface Table<T> {
  readonly chunks: readonly (readonly (T | undefined)[] | undefined)[];
  readonly size: number;
}

export const emptyTable = <T>(): Table<T> => Object.freeze({ chunks: Object.freeze([]) as readonly never[], size: 0 });

export function tableGet<T>(t: Table<T>, id: number): T | undefined {
  if (!validKey(id)) return undefined;
  const c = t.chunks[chunkOf(id)];
  return c === undefined ? undefined : c[slotOf(id)];
}

/** Entries in ascending key order. */
export function* tableValues<T>(t: Table<T>): Generator<T> {
  for (const c of t.chunks) if (c) for (const v of c) if (v !== undefined) yield v;
}

export function tableToArray<T>(t: Table<T>): T[] {
  const out: T[] = [];
  for (const c of t.chunks) if (c) for (const v of c) if (v !== undefined) out.push(v);
  return out;
}

export class TableDraft<T> {
  private chunks: (T | undefined)[][] | null = null;
  /**
   * Per chunk index: undefined = the chunk is still shared with the base;
   * an array = this draft copied the chunk, and flag[i] === true means this
   * draft also copied the entity in slot i, so later edits may write it in
   * place. (Arrays, not Sets: these checks run several times per event. Null
   * until the first write: most drafts of an operation write nothing.)
   */
  private owned: (boolean[] | undefined)[] | null = null;
  private count: number;
  constructor(private readonly base: Table<T>) {
    this.count = base.size;
  }
  /** Entries, as the draft sees them now. */
  get size(): number {
    return this.count;
  }
  get(id: number): T | undefined {
    if (!validKey(id)) return undefined;
    const src = this.chunks ?? this.base.chunks;
    const c = src[chunkOf(id)];
    return c === undefined ? undefined : c[slotOf(id)];
  }
  /** The chunk holding `id`, copied for this draft if it was still shared, long enough to hold `slot`. */
  private ownChunk(ci: number, slot: number): (T | undefined)[] {
    if (this.chunks === null) this.chunks = this.base.chunks.slice() as (T | undefined)[][];
    const owned = (this.owned ??= []);
    let chunk = this.chunks[ci];
    if (owned[ci] === undefined) {
      this.chunks[ci] = chunk = chunk ? chunk.slice() : [];
      owned[ci] = [];
    }
    // packed, never holey: grow with explicit undefined up to the slot
    while (chunk!.length <= slot) chunk!.push(undefined);
    return chunk!;
  }
  set(id: number, value: T | undefined): void {
    checkKey(id);
    const ci = chunkOf(id);
    const slot = slotOf(id);
    const chunk = this.ownChunk(ci, slot);
    this.owned![ci]![slot] = false;
    const had = chunk[slot] !== undefined;
    chunk[slot] = value;
    this.count += (value !== undefined ? 1 : 0) - (had ? 1 : 0);
  }
  /**
   * A private, writable copy of entry `id` (created from `init` if absent).
   * Writes to it are visible through get(); after finish() it is shared and
   * must not be written again.
   */
  edit(id: number, init?: () => T): T {
    checkKey(id);
    const ci = chunkOf(id);
    const slot = slotOf(id);
    const flags = this.owned?.[ci];
    if (flags !== undefined && flags[slot] === true) return this.chunks![ci]![slot]!;
    const cur = this.get(id);
    const copy = cur !== undefined ? (copyRecord(cur as object) as T) : init!();
    const chunk = this.ownChunk(ci, slot);
    if (chunk[slot] === undefined) this.count++;
    chunk[slot] = copy;
    this.owned![ci]![slot] = true;
    return copy;
  }

  /** Entries in ascending key order, as the draft sees them now. */
  /** The first entry, in key order, that `pred` holds for: a plain loop, where values() makes a generator and a result object per entry. */
  find(pred: (v: T) => boolean): T | undefined {
    for (const c of this.chunks ?? this.base.chunks) if (c) for (const v of c) if (v !== undefined && pred(v)) return v;
    return undefined;
  }
  *values(): Generator<T> {
    for (const c of this.chunks ?? this.base.chunks) if (c) for (const v of c) if (v !== undefined) yield v;
  }
  /** The table as the draft left it; `freeze` false leaves its wrapper unfrozen, as the model checker's worlds are (src/engine/evolve.ts WorldDraft.freeze). */
  finish(freeze = true): Table<T> {
    if (this.chunks === null) return this.base;
    // Chunk arrays are not Object.freeze()d: V8 turns frozen arrays into slow
    // elements, and slice() of them stays slow. Table's types are readonly.
    for (let i = 0; i < this.chunks.length; i++) if (this.chunks[i] === undefined) this.chunks[i] = undefined as never;
    const made = { chunks: this.chunks, size: this.count };
    const t: Table<T> = freeze ? Object.freeze(made) : made;
    this.chunks = null;
    this.owned = null;
    return t;
  }
}
