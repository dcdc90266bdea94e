/**
 * A persistent table keyed by small non-negative integers (block ids,
 * section numbers): a two-level array of fixed-size chunks. Changing one
 * entry copies one chunk and the top array, never the whole table — immer
 * over one 32K-element array copies all of it per event (DESIGN.md).
 *
 * A TableDraft is a transient editor: during a batch it copies each touched
 * chunk once and then writes in place, so replaying many events costs about
 * as much as a mutable loop.
 */
const CHUNK_BITS = 8;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

export interface Table<T> {
  readonly chunks: readonly (readonly (T | undefined)[] | undefined)[];
  readonly size: number;
}

export const emptyTable = <T>(): Table<T> => Object.freeze({ chunks: Object.freeze([]) as readonly never[], size: 0 });

export function tableGet<T>(t: Table<T>, id: number): T | undefined {
  const c = t.chunks[id >>> CHUNK_BITS];
  return c === undefined ? undefined : c[id & MASK];
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
  private owned = new Set<number>();
  /** ids whose entity this draft copied: still private, so later edits may write in place.
   *  (Keyed by id, not by object: hashing objects makes V8 give each a hash slot.) */
  private ownedIds = new Set<number>();
  private size: number;
  constructor(private readonly base: Table<T>) {
    this.size = base.size;
  }
  get(id: number): T | undefined {
    const src = this.chunks ?? this.base.chunks;
    const c = src[id >>> CHUNK_BITS];
    return c === undefined ? undefined : c[id & MASK];
  }
  set(id: number, value: T | undefined): void {
    this.ownedIds.delete(id);
    if (this.chunks === null) this.chunks = this.base.chunks.slice() as (T | undefined)[][];
    const ci = id >>> CHUNK_BITS;
    let c = this.chunks[ci];
    if (!this.owned.has(ci)) {
      c = c ? c.slice() : new Array<T | undefined>(CHUNK).fill(undefined);
      this.chunks[ci] = c;
      this.owned.add(ci);
    }
    const had = c![id & MASK] !== undefined;
    c![id & MASK] = value;
    this.size += (value !== undefined ? 1 : 0) - (had ? 1 : 0);
  }
  /**
   * A private, writable copy of entry `id` (created from `init` if absent).
   * Writes to it are visible through get(); after finish() it is shared and
   * must not be written again.
   */
  edit(id: number, init?: () => T): T {
    const cur = this.get(id);
    if (cur !== undefined && this.ownedIds.has(id)) return cur;
    const copy = cur !== undefined ? ({ ...cur } as T) : init!();
    this.set(id, copy);
    this.ownedIds.add(id);
    return copy;
  }

  /** Entries in ascending key order, as the draft sees them now. */
  *values(): Generator<T> {
    for (const c of this.chunks ?? this.base.chunks) if (c) for (const v of c) if (v !== undefined) yield v;
  }
  get changed(): boolean {
    return this.chunks !== null;
  }
  finish(): Table<T> {
    if (this.chunks === null) return this.base;
    // chunks are not Object.freeze()d: V8 turns frozen arrays into slow elements, and slice() of them stays slow

    for (let i = 0; i < this.chunks.length; i++) if (this.chunks[i] === undefined) this.chunks[i] = undefined as never;
    const t: Table<T> = Object.freeze({ chunks: this.chunks, size: this.size });
    this.chunks = null;
    this.owned = new Set();
    this.ownedIds = new Set();
    return t;
  }
}
