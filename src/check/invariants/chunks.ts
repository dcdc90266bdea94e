/**
 * Checking an invariant per table chunk (src/check/invariants/incremental.ts).
 *
 * The world's tables are persistent and chunked (src/engine/table.ts): two
 * worlds of one log share every chunk no event between them touched, and a
 * shared chunk is never written again. So an invariant can be split into a
 * part per table chunk, whose result is cached with the chunks it read (by
 * reference), and a cheap combination of the parts in chunk order. A part is
 * recomputed only when one of the chunks it read differs. Each invariant's
 * parts live beside its full check, in its own file.
 */
import { TABLE_CHUNK, chunkOf, slotOf, type Table } from '../../engine/table.ts';
import type { World } from '../../engine/world.ts';

export const CHUNK = TABLE_CHUNK;

export type TableName = 'blocks' | 'sections' | 'vmemmap';
export type Chunk<T> = readonly (T | undefined)[] | undefined;

/** Reads entries of a world's tables and remembers which chunks (by reference) it read. */
export class Reads {
  /** flat triples: table, chunk index, chunk */
  readonly deps: unknown[] = [];
  constructor(private readonly world: World) {}
  get<T>(name: TableName, id: number): T | undefined {
    const ci = chunkOf(id);
    const c = (this.world[name] as Table<T>).chunks[ci];
    const d = this.deps;
    // reads come in runs on one chunk: remember a chunk once per run
    if (!(d.length >= 3 && d[d.length - 3] === name && d[d.length - 2] === ci)) d.push(name, ci, c);
    return c === undefined ? undefined : c[slotOf(id)];
  }
}

interface Part<R> {
  deps: unknown[];
  value: R;
}

const stillValid = (world: World, deps: unknown[]) => {
  for (let i = 0; i < deps.length; i += 3) if ((world[deps[i] as TableName] as Table<unknown>).chunks[deps[i + 1] as number] !== deps[i + 2]) return false;
  return true;
};

/**
 * One cached result per chunk of `primary`, recomputed when a chunk it read
 * changed (or `fresh` says its other inputs did). `changed` hears of every
 * replaced result, so a combination can be kept up to date by difference.
 */
export class PerChunk<T, R> {
  private parts: (Part<R> | undefined)[] = [];
  constructor(
    private readonly primary: TableName,
    private readonly compute: (chunk: Chunk<T>, ci: number, reads: Reads) => R,
    private readonly fresh: (ci: number, value: R) => boolean = () => true,
    private readonly changed?: (ci: number, old: R | undefined, now: R | undefined) => void,
  ) {}
  run(world: World): R[] {
    const chunks = (world[this.primary] as Table<T>).chunks;
    const out: R[] = new Array(chunks.length);
    for (let ci = 0; ci < chunks.length; ci++) {
      const p = this.parts[ci];
      if (p && p.deps[2] === chunks[ci] && stillValid(world, p.deps) && this.fresh(ci, p.value)) {
        out[ci] = p.value;
        continue;
      }
      const reads = new Reads(world);
      reads.deps.push(this.primary, ci, chunks[ci]);
      const value = this.compute(chunks[ci], ci, reads);
      this.changed?.(ci, p?.value, value);
      this.parts[ci] = { deps: reads.deps, value };
      out[ci] = value;
    }
    for (let ci = chunks.length; ci < this.parts.length; ci++) this.changed?.(ci, this.parts[ci]?.value, undefined);
    this.parts.length = chunks.length;
    return out;
  }
}

export const concat = (parts: readonly (readonly string[])[]) => {
  const out: string[] = [];
  for (const p of parts) for (const m of p) out.push(m);
  return out;
};
