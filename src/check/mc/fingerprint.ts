/**
 * A 64-bit fingerprint of a world, computed straight from its tables: no
 * string key, no JSON, no crypto hash. It covers exactly what the old
 * canonical key (../canonical.ts) covers, field for field and in the same
 * order, so two worlds get the same fingerprint when (and, up to a 2^-64
 * collision, only when) they had the same canonical key: the search visits
 * the same states as before (test/check/explore-differential.test.ts).
 *
 * The hash is two independent 32-bit MurmurHash3 lanes over a stream of
 * 32-bit words (a number that is not an int32 goes in as its two halves,
 * a string as a cached 64-bit hash of its characters). Strings are hashed by
 * content, never interned, so every worker thread computes the same
 * fingerprint for the same world (the workers partition nothing by thread,
 * but share one visited set).
 *
 * It is hashed in three tiers. Each table entry (a block, a section, a
 * device, ...) is hashed with its slot to a 64-bit pair digest; a table's (or
 * list's) digest is the sum of its pair digests, lane by lane (Zobrist's
 * incremental hashing); the world's is a stream of its own fields and its
 * tables' sizes and digests. A successor shares every entry its operation did
 * not write with the state it came from (src/engine/table.ts), so
 * `WorldHasher` keeps the pair digests of that state (`base()`) and a
 * successor's table digest is the base's, minus the pairs that differ by
 * reference, plus their replacements: one or two entries hashed, of the thirty
 * or so. An entry is immutable, so a digest reused for the same object is the
 * digest of the same content: the fingerprint is a pure function of the
 * world's content, whatever the base (test/check/fingerprint.test.ts).
 */
import type { DeviceRecord } from '../../engine/events.ts';
import { TABLE_CHUNK, type Table } from '../../engine/table.ts';
import type { BlockState, ResourceState, SectionState, VmemmapState, World } from '../../engine/world.ts';
import type { MemoryGroupState, NodeState, ZoneState } from '../../kernel/reader.ts';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

const fmix = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Fingerprint of a world: `hi` and `lo` are unsigned 32-bit halves; never both 0 (0,0 marks an empty slot). */
export interface Fp {
  hi: number;
  lo: number;
}

/** Streams words into two MurmurHash3 lanes. One per thread; reset() before each world. */
export class Hasher {
  private a = 0;
  private b = 0;
  private n = 0;
  constructor(private readonly strings = new Map<string, number>()) {}

  reset(): void {
    this.a = 0x9747b28c;
    this.b = 0x5bd1e995;
    this.n = 0;
  }

  word(w: number): void {
    let k = Math.imul(w | 0, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    let a = this.a ^ k;
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    // the second lane sees the word through another multiplier and rotation
    let j = Math.imul(w ^ 0x27d4eb2f, 0x165667b1);
    j = (j << 17) | (j >>> 15);
    j = Math.imul(j, 0x85ebca77);
    let b = this.b ^ j;
    b = (b << 11) | (b >>> 21);
    this.b = (Math.imul(b, 9) + 0x52dce729) | 0;
    this.n++;
  }

  /** Any number: an int32 as one word, anything else (addresses past 4 GiB, fractions) as a tag and its 64 bits. */
  num(x: number): void {
    if ((x | 0) === x) this.word(x);
    else {
      f64[0] = x;
      this.word(0x7ff80001);
      this.word(u32[0]!);
      this.word(u32[1]!);
    }
  }

  /** A digest (of an entry, a table) as two words. */
  pair(hi: number, lo: number): void {
    this.word(hi);
    this.word(lo);
  }

  pair2(d: Fp): void {
    this.word(d.hi);
    this.word(d.lo);
  }

  bool(x: boolean | undefined): void {
    this.word(x ? 1 : 0);
  }

  str(s: string): void {
    let h = this.strings.get(s);
    if (h === undefined) {
      // FNV-1a over the UTF-16 code units, then mixed: the strings here are short names
      h = 0x811c9dc5;
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
      h = fmix(h ^ s.length);
      this.strings.set(s, h);
    }
    this.word(h);
    this.word(s.length);
  }

  /** A JSON-like value in JSON.stringify's order (keys as inserted, undefined members skipped). */
  value(v: unknown): void {
    if (v === null || v === undefined) return this.word(0x6e756c6c);
    switch (typeof v) {
      case 'number':
        this.word(0x6e756d00);
        return this.num(v);
      case 'string':
        this.word(0x73747200);
        return this.str(v);
      case 'boolean':
        return this.word(v ? 0x74727565 : 0x66616c73);
    }
    if (Array.isArray(v)) {
      this.word(0x61727200);
      this.word(v.length);
      // indexed: the world's arrays are frozen, and for-of over a frozen array takes V8's slow path
      for (let i = 0; i < v.length; i++) this.value(v[i]);
      return;
    }
    this.word(0x6f626a00);
    for (const k in v as Record<string, unknown>) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined) continue;
      this.str(k);
      this.value(x);
    }
    this.word(0x6f626a01);
  }

  /** The 64-bit result; (0, 0) is reserved for an empty slot. */
  finish(out: Fp): Fp {
    let a = this.a ^ this.n;
    let b = this.b ^ this.n;
    a = (a + b) | 0;
    b = (b + a) | 0;
    a = fmix(a);
    b = fmix(b);
    a = (a + b) | 0;
    b = (b + a) | 0;
    out.hi = a >>> 0;
    out.lo = b >>> 0;
    if (out.hi === 0 && out.lo === 0) out.lo = 1;
    return out;
  }
}

type Hash<T> = (h: Hasher, x: T) => void;

const hashBlock: Hash<BlockState> = (h, b) => {
  h.num(b.id);
  h.str(b.state);
  h.num(b.nid);
  h.str(b.zone ?? 'null');
  h.str(b.online_type);
  h.bool(b.early);
  h.bool(b.pinned);
  h.num(b.nr_vmemmap_pages);
  h.num(b.used_pages);
  h.num(b.group ?? -1);
  h.bool(b.kernel_allocations);
  h.num(b.fake_offline_pages ?? 0);
};

const hashSection: Hash<SectionState> = (h, s) => {
  h.num(s.nr);
  h.str(s.state);
  h.num(s.nid);
  h.num(s.block);
  h.bool(s.early);
  const m = s.memmap;
  if (m.kind === 'boot') {
    h.word(1);
    h.num(m.node);
  } else if (m.kind === 'node') {
    h.word(2);
    h.num(m.node);
    h.num(m.pages);
    h.bool(m.basePages);
  } else {
    h.word(3);
    h.num(m.headPfn);
    h.num(m.pages);
  }
};

const hashZone: Hash<ZoneState> = (h, z) => {
  h.num(z.node);
  h.str(z.zone);
  h.num(z.presentPages);
  h.num(z.managedPages);
  h.num(z.presentEarlyPages);
  if (z.span) {
    h.word(1);
    h.num(z.span.startPfn);
    h.num(z.span.endPfn);
  } else h.word(0);
};

const hashNode: Hash<NodeState> = (h, n) => {
  h.num(n.id);
  h.bool(n.online);
  h.bool(n.boot);
  h.num(n.memmapPages);
  h.num(n.bootMemmapPages);
  h.num(n.usedPages);
  h.num(n.maxFreeOrder);
};

const hashHead: Hash<VmemmapState> = (h, v) => {
  h.num(v.headPfn);
  h.num(v.nrPages);
  h.num(v.refcount);
  h.word(v.sections.length);
  for (let i = 0; i < v.sections.length; i++) h.num(v.sections[i]!);
  h.num(v.node);
  if (v.orphanedBy) {
    h.word(1);
    h.num(v.orphanedBy.start);
    h.num(v.orphanedBy.size);
  } else h.word(0);
};

const hashDevice: Hash<DeviceRecord> = (h, d) => h.value(d);

const hashGroup: Hash<MemoryGroupState> = (h, g) => {
  h.num(g.id);
  h.num(g.nid);
  h.bool(g.dynamic);
  h.num(g.pages);
  h.num(g.presentKernelPages);
  h.num(g.presentMovablePages);
  h.str(g.owner);
};

const hashResource: Hash<ResourceState> = (h, r) => {
  h.num(r.start);
  h.num(r.size);
  h.str(r.name);
  h.bool(r.driverManaged);
  h.bool(r.container);
};

const hashRange: Hash<{ readonly start: number; readonly size: number }> = (h, f) => {
  h.num(f.start);
  h.num(f.size);
};

type Slots<T> = readonly (T | undefined)[];

/**
 * One table's (or list's) digest: the sum, lane by lane mod 2^32, of the digests of its
 * (slot, entry) pairs, so a successor's digest is the base's with the pairs its operation
 * replaced taken out and the new ones put in (Zobrist's incremental hashing). It keeps the base
 * state's pair digests by slot, and the digest of the table hashed last.
 */
class TableDigest<T> {
  private baseOf: unknown = null;
  /** the base's pair digests, per slot (chunk * 256 + index) */
  private readonly hi: number[] = [];
  private readonly lo: number[] = [];
  private baseHi = 0;
  private baseLo = 0;
  private last: unknown = null;
  private lastHi = 0;
  private lastLo = 0;
  private sumHi = 0;
  private sumLo = 0;
  private readonly fp: Fp = { hi: 0, lo: 0 };
  private readonly listChunks: (readonly T[])[] = [[]];
  private readonly baseListChunks: (readonly T[])[] = [[]];

  constructor(
    private readonly hashEntry: Hash<T>,
    private readonly e: Hasher,
  ) {}

  /** The digest of the pair (slot, x). */
  private pair(slot: number, x: T): Fp {
    this.e.reset();
    this.e.word(slot);
    this.hashEntry(this.e, x);
    return this.e.finish(this.fp);
  }

  private rebase(owner: unknown, chunks: Slots<Slots<T>>): void {
    this.baseOf = owner;
    let hi = 0;
    let lo = 0;
    for (let ci = 0; ci < chunks.length; ci++) {
      const c = chunks[ci];
      if (!c) continue;
      for (let j = 0; j < c.length; j++) {
        const x = c[j];
        if (x === undefined) continue;
        const slot = ci * TABLE_CHUNK + j;
        const d = this.pair(slot, x);
        this.hi[slot] = d.hi;
        this.lo[slot] = d.lo;
        hi = (hi + d.hi) | 0;
        lo = (lo + d.lo) | 0;
      }
    }
    this.baseHi = hi;
    this.baseLo = lo;
  }

  /** Adds to the sum what differs between chunk c and the base's chunk b: the base's pairs out, c's in. */
  private delta(c: Slots<T> | undefined, b: Slots<T> | undefined, at: number, bounded: boolean, childLeft: number, baseLeft: number): void {
    const n = Math.max(c ? c.length : 0, b ? b.length : 0);
    for (let j = 0; j < n; j++) {
      // a chunk has 256 slots and the small machine's keys are all below 16: stop past both tables' last entries
      if (bounded && childLeft === 0 && baseLeft === 0) return;
      const x = c ? c[j] : undefined;
      const y = b ? b[j] : undefined;
      if (x !== undefined) childLeft--;
      if (y !== undefined) baseLeft--;
      if (x === y) continue;
      const slot = at + j;
      if (y !== undefined) {
        this.sumHi = (this.sumHi - this.hi[slot]!) | 0;
        this.sumLo = (this.sumLo - this.lo[slot]!) | 0;
      }
      if (x !== undefined) {
        const d = this.pair(slot, x);
        this.sumHi = (this.sumHi + d.hi) | 0;
        this.sumLo = (this.sumLo + d.lo) | 0;
      }
    }
  }

  /** Digest of `chunks` (a table's, or a list as one chunk) holding `size` entries; `base` the base state's (null: none). */
  digest(owner: unknown, chunks: Slots<Slots<T>>, size: number, baseOwner: unknown, base: Slots<Slots<T>> | null, baseSize: number, out: Fp): Fp {
    if (owner === this.last) {
      out.hi = this.lastHi;
      out.lo = this.lastLo;
      return out;
    }
    if (base === null) {
      // no base: every pair hashed, from an empty base
      this.sumHi = this.sumLo = 0;
      for (let ci = 0; ci < chunks.length; ci++) this.delta(chunks[ci], undefined, ci * TABLE_CHUNK, false, 0, 0);
    } else {
      if (baseOwner !== this.baseOf) this.rebase(baseOwner, base);
      this.sumHi = this.baseHi;
      this.sumLo = this.baseLo;
      const one = chunks.length <= 1 && base.length <= 1;
      for (let ci = 0; ci < Math.max(chunks.length, base.length); ci++) {
        const c = chunks[ci];
        const b = base[ci];
        if (c !== b) this.delta(c, b, ci * TABLE_CHUNK, one, size, baseSize);
      }
    }
    this.last = owner;
    out.hi = this.lastHi = this.sumHi >>> 0;
    out.lo = this.lastLo = this.sumLo >>> 0;
    return out;
  }

  table(t: Table<T>, base: Table<T> | null, out: Fp): Fp {
    return this.digest(t, t.chunks, t.size, base, base && base.chunks, base ? base.size : 0, out);
  }

  list(l: readonly T[], base: readonly T[] | null, out: Fp): Fp {
    if (l.length > TABLE_CHUNK) throw new RangeError(`a list of ${l.length} entries: the fingerprint takes at most ${TABLE_CHUNK}`);
    // a list is a table of one chunk; the two one-chunk wrappers are reused (digest() keeps neither),
    // where two new arrays per list per successor were a twentieth of the search's allocation
    this.listChunks[0] = l;
    let baseChunks: Slots<Slots<T>> | null = null;
    if (base) {
      this.baseListChunks[0] = base;
      baseChunks = this.baseListChunks;
    }
    return this.digest(l, this.listChunks, l.length, base, baseChunks, base ? base.length : 0, out);
  }
}

/**
 * Fingerprints worlds, reusing the digests of the entries they share with a
 * base world (the state whose successors are being fingerprinted). One per
 * thread.
 */
export class WorldHasher {
  private readonly strings = new Map<string, number>();
  private readonly h = new Hasher(this.strings);
  private readonly e = new Hasher(this.strings);
  private readonly blocks = new TableDigest(hashBlock, this.e);
  private readonly sections = new TableDigest(hashSection, this.e);
  private readonly zones = new TableDigest(hashZone, this.e);
  private readonly nodes = new TableDigest(hashNode, this.e);
  private readonly vmemmap = new TableDigest(hashHead, this.e);
  private readonly groups = new TableDigest(hashGroup, this.e);
  private readonly devices = new TableDigest(hashDevice, this.e);
  private readonly resources = new TableDigest(hashResource, this.e);
  private readonly firmwareMap = new TableDigest(hashRange, this.e);
  private readonly d: Fp = { hi: 0, lo: 0 };
  private baseWorld: World | null = null;
  private lastParams: unknown = null;
  private paramsHi = 0;
  private paramsLo = 0;

  /** The world whose entries the next worlds mostly share (its successors'); only a cache: any world gives the same fingerprints. */
  base(w: World | null): void {
    this.baseWorld = w;
  }

  /** The world's 64-bit fingerprint: what ../canonical.ts keys on. */
  hash(w: World, out: Fp): Fp {
    const b = this.baseWorld;
    const h = this.h;
    const d = this.d;
    h.reset();
    h.str(w.hotplug);
    h.num(w.oopses);
    if (w.params !== this.lastParams) {
      this.e.reset();
      this.e.value(w.params);
      this.e.finish(d);
      this.lastParams = w.params;
      this.paramsHi = d.hi;
      this.paramsLo = d.lo;
    }
    h.pair(this.paramsHi, this.paramsLo);
    h.num(w.faults.length);
    h.num(w.injection.MEM_GOING_ONLINE);
    h.num(w.injection.MEM_GOING_OFFLINE);
    h.bool(w.signalPending);
    // the onlining agents' pending reactions, in order: which one runs next is part of the state
    h.word(w.agentWork.length);
    // indexed: for-of over a frozen array (as the world's lists are) takes V8's slow iteration path, five times the time of a plain array's
    for (let i = 0; i < w.agentWork.length; i++) {
      h.str(w.agentWork[i]!.agent);
      h.str(w.agentWork[i]!.target);
    }
    h.word(w.blocks.size);
    h.pair2(this.blocks.table(w.blocks, b && b.blocks, d));
    h.word(w.sections.size);
    h.pair2(this.sections.table(w.sections, b && b.sections, d));
    h.word(w.zones.size);
    h.pair2(this.zones.table(w.zones, b && b.zones, d));
    h.word(w.nodes.size);
    h.pair2(this.nodes.table(w.nodes, b && b.nodes, d));
    h.word(w.vmemmap.size);
    h.pair2(this.vmemmap.table(w.vmemmap, b && b.vmemmap, d));
    h.word(w.groups.length);
    h.pair2(this.groups.list(w.groups, b && b.groups, d));
    h.word(w.devices.length);
    h.pair2(this.devices.list(w.devices, b && b.devices, d));
    h.word(w.resources.length);
    h.pair2(this.resources.list(w.resources, b && b.resources, d));
    h.word(w.firmwareMap.length);
    h.pair2(this.firmwareMap.list(w.firmwareMap, b && b.firmwareMap, d));
    return h.finish(out);
  }
}
