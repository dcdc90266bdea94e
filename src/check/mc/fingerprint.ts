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
 */
import { tableToArray } from '../../engine/table.ts';
import type { World } from '../../engine/world.ts';

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
  private readonly strings = new Map<string, number>();

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
      for (const x of v) this.value(x);
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

/** Writes the world's state into the hasher: what ../canonical.ts keys on, in its order. */
export function hashWorld(h: Hasher, w: World, out: Fp): Fp {
  h.reset();
  h.str(w.hotplug);
  h.num(w.oopses);
  h.value(w.params);
  h.num(w.faults.length);
  h.num(w.injection.MEM_GOING_ONLINE);
  h.num(w.injection.MEM_GOING_OFFLINE);
  h.bool(w.signalPending);
  const blocks = tableToArray(w.blocks);
  h.word(blocks.length);
  for (const b of blocks) {
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
  }
  const sections = tableToArray(w.sections);
  h.word(sections.length);
  for (const s of sections) {
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
  }
  const zones = tableToArray(w.zones);
  h.word(zones.length);
  for (const z of zones) {
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
  }
  const nodes = tableToArray(w.nodes);
  h.word(nodes.length);
  for (const n of nodes) {
    h.num(n.id);
    h.bool(n.online);
    h.bool(n.boot);
    h.num(n.memmapPages);
    h.num(n.bootMemmapPages);
    h.num(n.usedPages);
    h.num(n.maxFreeOrder);
  }
  const vm = tableToArray(w.vmemmap);
  h.word(vm.length);
  for (const v of vm) {
    h.num(v.headPfn);
    h.num(v.nrPages);
    h.num(v.refcount);
    h.word(v.sections.length);
    for (const s of v.sections) h.num(s);
    h.num(v.node);
    if (v.orphanedBy) {
      h.word(1);
      h.num(v.orphanedBy.start);
      h.num(v.orphanedBy.size);
    } else h.word(0);
  }
  h.word(w.groups.length);
  for (const g of w.groups) {
    h.num(g.id);
    h.num(g.nid);
    h.bool(g.dynamic);
    h.num(g.pages);
    h.num(g.presentKernelPages);
    h.num(g.presentMovablePages);
    h.str(g.owner);
  }
  h.word(w.devices.length);
  for (const d of w.devices) h.value(d);
  h.word(w.resources.length);
  for (const r of w.resources) {
    h.num(r.start);
    h.num(r.size);
    h.str(r.name);
    h.bool(r.driverManaged);
    h.bool(r.container);
  }
  h.word(w.firmwareMap.length);
  for (const f of w.firmwareMap) {
    h.num(f.start);
    h.num(f.size);
  }
  return h.finish(out);
}
