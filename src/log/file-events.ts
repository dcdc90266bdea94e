/**
 * The events of a log indexed on disk (indexed.ts): the byte offset of every
 * record is kept, the records are not. An event asked for is read back and
 * parsed with its block of neighbours; the last blocks read stay parsed,
 * and a few events chosen at open (`retain`) are kept parsed for good.
 * Events appended after the open are kept in memory.
 */
import fs from 'node:fs';
import type { MemhpEvent } from '../engine/events.ts';
import type { EventList } from '../engine/event-list.ts';
import { checkLineBytes, parseLineBytes } from './codec.ts';
import { LineError } from './errors.ts';
import { deepFreeze } from './freeze.ts';
import { checkEventShape } from './schema.ts';

/** Events parsed together: one read of ~50 KB. */
const BLOCK_BITS = 8;
const BLOCK = 1 << BLOCK_BITS;
/** Parsed blocks kept (≈16K events, a few MB): a step's worlds and rows, a scrub's neighbourhood. */
const CACHED_BLOCKS = 64;

/** What the list and its prefixes share: the file, its index and the parsed blocks. */
export interface RecordIndex {
  readonly file: string;
  /** starts[i]: file offset of record i (seq i + 1); starts[count]: the end of the last one. */
  readonly starts: Float64Array;
  /** Records in the file that belong to the log (committed). */
  readonly count: number;
  /** Events kept parsed for good, by position. */
  readonly kept: ReadonlyMap<number, MemhpEvent>;
  /** Parsed blocks, least recently used first. */
  readonly blocks: Map<number, MemhpEvent[]>;
}

export class FileEvents implements EventList {
  private readonly tail: MemhpEvent[] = [];

  /** `onFile`: how many of the index's records this list holds (a prefix holds fewer). */
  constructor(private readonly index: RecordIndex, private readonly onFile: number = index.count) {}

  get length(): number {
    return this.onFile + this.tail.length;
  }

  at(i: number): MemhpEvent | undefined {
    if (i < 0) i += this.length;
    if (!(i >= 0 && i < this.length)) return undefined;
    if (i >= this.onFile) return this.tail[i - this.onFile];
    return this.index.kept.get(i) ?? this.block(i >> BLOCK_BITS)[i & (BLOCK - 1)];
  }

  slice(start = 0, end = this.length): MemhpEvent[] {
    const n = this.length;
    const clamp = (x: number) => (x < 0 ? Math.max(0, n + x) : Math.min(x, n));
    const a = clamp(start);
    const b = clamp(end);
    const out: MemhpEvent[] = [];
    const kept = this.index.kept;
    for (let i = a; i < b && i < this.onFile; ) {
      // a kept event is not worth parsing its block for
      const k = kept.get(i);
      if (k) { out.push(k); i++; continue; }
      const blk = this.block(i >> BLOCK_BITS);
      const stop = Math.min(b, this.onFile, ((i >> BLOCK_BITS) + 1) << BLOCK_BITS);
      for (; i < stop; i++) out.push(blk[i & (BLOCK - 1)]!);
    }
    for (let i = Math.max(a, this.onFile); i < b; i++) out.push(this.tail[i - this.onFile]!);
    return out;
  }

  *[Symbol.iterator](): Iterator<MemhpEvent> {
    for (let i = 0; i < this.length; ) {
      if (i >= this.onFile) { yield this.tail[i++ - this.onFile]!; continue; }
      const blk = this.block(i >> BLOCK_BITS);
      const stop = Math.min(this.onFile, ((i >> BLOCK_BITS) + 1) << BLOCK_BITS);
      for (; i < stop; i++) yield blk[i & (BLOCK - 1)]!;
    }
  }

  /** Events appended after the open (a live session's operations). */
  push(...events: MemhpEvent[]): number {
    for (const e of events) this.tail.push(e);
    return this.length;
  }

  /** The first n events, sharing this list's index and parsed blocks. */
  prefix(n: number): FileEvents {
    const out = new FileEvents(this.index, Math.min(n, this.onFile));
    for (let i = this.onFile; i < n; i++) out.tail.push(this.tail[i - this.onFile]!);
    return out;
  }

  /** Block b parsed: read back from the file and checked again (the file may have changed since it was indexed). */
  private block(b: number): MemhpEvent[] {
    const { blocks, starts, count, file } = this.index;
    const hit = blocks.get(b);
    if (hit) {
      blocks.delete(b);
      blocks.set(b, hit);
      return hit;
    }
    const first = b << BLOCK_BITS;
    const last = Math.min(count, first + BLOCK);
    const from = starts[first]!;
    const bytes = Buffer.allocUnsafe(starts[last]! - from);
    const fd = fs.openSync(file, 'r');
    try {
      for (let off = 0; off < bytes.length; ) {
        const n = fs.readSync(fd, bytes, off, bytes.length - off, from + off);
        if (n === 0) throw new Error(`memhp log ${file}: it is shorter than when it was read (it changed on disk): open it again`);
        off += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    const out: MemhpEvent[] = [];
    for (let i = first; i < last; i++) {
      const pos = starts[i]! - from;
      const nl = starts[i + 1]! - from - 1;
      try {
        const { close } = checkLineBytes(bytes, pos, nl);
        const r = parseLineBytes(bytes, pos, close, true);
        if (r.seq !== i + 1) throw new LineError(`seq ${String(r.seq)} where seq ${i + 1} was`, false);
        checkEventShape(r);
        out.push(deepFreeze(r as unknown as MemhpEvent));
      } catch (e) {
        if (!(e instanceof LineError)) throw e;
        throw new Error(`memhp log ${file}: record ${i + 1} (byte offset ${starts[i]}) changed on disk since it was read (${e.message}): open it again`);
      }
    }
    blocks.set(b, out);
    if (blocks.size > CACHED_BLOCKS) blocks.delete(blocks.keys().next().value!);
    return out;
  }
}
