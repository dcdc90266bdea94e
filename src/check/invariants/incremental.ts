/**
 * The invariants of ./index.ts, checked incrementally from one world to the
 * next (the inspector checks every step of a 32,768-block log).
 *
 * The world's tables are persistent and chunked (src/engine/table.ts): two
 * worlds of one log share every chunk no event between them touched, and a
 * shared chunk is never written again. So each invariant is split into a part
 * per table chunk, whose result is cached with the chunks it read (by
 * reference), and a cheap combination of the parts in chunk order. A part is
 * recomputed only when one of the chunks it read differs. The combination
 * reproduces the full check's messages in the same order; where a world is
 * corrupt in a way that changes that order (a block or head filed in the
 * wrong slot), the invariant falls back to its full check.
 *
 * test/check/incremental-invariants.test.ts compares this with the full check
 * on every step of a seed-sized log and on random operation sequences.
 */
import { TABLE_CHUNK, chunkOf, slotOf, tableToArray, type Table } from '../../engine/table.ts';
import { geometry, type BlockState, type SectionState, type VmemmapState, type World } from '../../engine/world.ts';
import { nr_vmemmap_pages, type Geometry } from '../../kernel/geometry.ts';
import type { SystemSpec, ZoneName } from '../../kernel/types.ts';
import { bootLayout, bootZoneSplit, zoneCountersKey, type ZoneCounters } from '../expected.ts';
import { hex } from '../walk.ts';
import { nodeMemmapProblems, zoneCounterProblems } from './accounting.ts';
import { blockLayout } from './block-layout.ts';
import { blockAgainstSections, sectionAgainstBlock } from './block-sections.ts';
import { memmapInRemovedMemory } from './memmap-alive.ts';
import { noLeak } from './no-leak.ts';
import { memoryGroups } from './memory-groups.ts';
import { vmemmapHeads } from './vmemmap-heads.ts';

const CHUNK = TABLE_CHUNK;

type TableName = 'blocks' | 'sections' | 'vmemmap';
type Chunk<T> = readonly (T | undefined)[] | undefined;

/** Reads entries of a world's tables and remembers which chunks (by reference) it read. */
class Reads {
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
class PerChunk<T, R> {
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

const concat = (parts: readonly (readonly string[])[]) => {
  const out: string[] = [];
  for (const p of parts) for (const m of p) out.push(m);
  return out;
};

interface BlockAccounting {
  zones: Map<string, ZoneCounters>;
  nids: Set<number>;
  nvMessages: string[];
}

interface HeadPart {
  messages: string[];
  /** the users list each head of the chunk was checked against, in slot order */
  used: (readonly number[])[];
  heads: VmemmapState[];
  pfns: Set<number>;
  sorted: boolean;
  overlaps: string[];
}

const sameList = (a: readonly number[], b: readonly number[]) => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));

const EMPTY: readonly number[] = Object.freeze([]);

/** Checks the per-step invariants of successive worlds of one system, reusing what the previous worlds' chunks gave. */
export class IncrementalInvariants {
  private system: SystemSpec | null = null;
  private g!: Geometry;
  private memmapAlive!: PerChunk<SectionState, string[]>;
  private blockSide!: PerChunk<BlockState, string[]>;
  private sectionSide!: PerChunk<SectionState, string[]>;
  private blockSlots!: PerChunk<BlockState, { messages: string[]; clean: boolean }>;
  private sectionSlots!: PerChunk<SectionState, string[]>;
  private vmemmapByBlock!: Map<number, number>;
  /** block chunks whose vmemmap pages changed since they were last summed */
  private dirtyBlockChunks!: Set<number>;
  private vmemmapParts!: PerChunk<VmemmapState, Map<number, number>>;
  private blockAccounting!: PerChunk<BlockState, BlockAccounting>;
  private sectionMemmap!: PerChunk<SectionState, Map<number, number>>;
  private sectionUsers!: PerChunk<SectionState, { messages: string[]; users: Map<number, number[]> }>;
  /** the sections using each head (by head pfn), kept up to date from the section chunks that changed */
  private users!: Map<number, readonly number[]>;
  /** per head pfn: each section chunk's users of it */
  private usersByChunk!: Map<number, Map<number, number[]>>;
  /** head pfns whose users changed in this check */
  private dirtyHeads!: Set<number>;
  private headParts!: PerChunk<VmemmapState, HeadPart>;
  private allEarly!: PerChunk<BlockState, boolean>;

  /** Every invariant's messages for this world, by name (the replay invariant is not a per-world check and is absent). */
  check(world: World): Map<string, string[]> {
    if (world.system !== this.system) this.reset(world);
    const out = new Map<string, string[]>();
    const ctx = { world, g: this.g };
    out.set('memmap-in-present-memory', concat(this.memmapAlive.run(world)));
    out.set('block-sections-agree', [...concat(this.blockSide.run(world)), ...concat(this.sectionSide.run(world))]);
    out.set('accounting-matches-blocks', this.accounting(world));
    out.set('vmemmap-heads-consistent', this.vmemmapHeads(world) ?? vmemmapHeads.check(ctx));
    out.set('blocks-do-not-overlap', this.blockLayout(world) ?? blockLayout.check(ctx));
    // memory groups and resources: few groups, a resource list, one pass over the blocks (not per chunk yet)
    out.set('memory-groups-consistent', memoryGroups.check(ctx));
    out.set('nothing-leaks', this.allEarly.run(world).every(Boolean) ? noLeak.check(ctx) : []);
    return out;
  }

  private reset(world: World): void {
    this.system = world.system;
    const g = (this.g = geometry(world));

    // memmap-in-present-memory, per section chunk
    this.memmapAlive = new PerChunk<SectionState, string[]>('sections', (chunk, _ci, r) => {
      const out: string[] = [];
      const head = (i: number) => r.get<VmemmapState>('vmemmap', i);
      const blockExists = (id: number) => r.get('blocks', id) !== undefined;
      if (chunk) for (const s of chunk) {
        if (s === undefined) continue;
        const m = memmapInRemovedMemory(s, g, head, blockExists);
        if (m) out.push(m);
      }
      return out;
    });

    // block-sections-agree: blocks against their sections, then sections against their blocks
    this.blockSide = new PerChunk<BlockState, string[]>('blocks', (chunk, _ci, r) => {
      const out: string[] = [];
      if (chunk) for (const b of chunk) if (b !== undefined) blockAgainstSections(b, g, (nr) => r.get<SectionState>('sections', nr), out);
      return out;
    });
    this.sectionSide = new PerChunk<SectionState, string[]>('sections', (chunk, _ci, r) => {
      const out: string[] = [];
      if (chunk) for (const s of chunk) if (s !== undefined) sectionAgainstBlock(s, g, (id) => r.get('blocks', id) !== undefined, out);
      return out;
    });

    // blocks-do-not-overlap: a block stored in its own slot cannot overlap another
    this.blockSlots = new PerChunk<BlockState, { messages: string[]; clean: boolean }>('blocks', (chunk, ci) => {
      const messages: string[] = [];
      if (chunk) chunk.forEach((b, j) => {
        const slot = ci * CHUNK + j;
        if (b !== undefined && b.id !== slot) messages.push(`the block stored as memory${slot} says it is memory${b.id}: its id is not its phys_index`);
      });
      return { messages, clean: messages.length === 0 };
    });
    this.sectionSlots = new PerChunk<SectionState, string[]>('sections', (chunk, ci) => {
      const out: string[] = [];
      if (chunk) chunk.forEach((s, j) => {
        const slot = ci * CHUNK + j;
        if (s !== undefined && s.nr !== slot) out.push(`the section stored as section ${slot} says it is section ${s.nr}`);
      });
      return out;
    });

    // accounting: vmemmap pages per block, kept as a sum over vmemmap chunks (by difference)
    this.vmemmapByBlock = new Map();
    this.dirtyBlockChunks = new Set();
    const add = (m: Map<number, number> | undefined, sign: number) => {
      if (!m) return;
      for (const [id, pages] of m) {
        const v = (this.vmemmapByBlock.get(id) ?? 0) + sign * pages;
        if (v === 0) this.vmemmapByBlock.delete(id); else this.vmemmapByBlock.set(id, v);
        this.dirtyBlockChunks.add(chunkOf(id));
      }
    };
    this.vmemmapParts = new PerChunk<VmemmapState, Map<number, number>>(
      'vmemmap',
      (chunk) => {
        const out = new Map<number, number>();
        if (chunk) for (const h of chunk) {
          if (h === undefined) continue;
          const end = h.headPfn + h.nrPages;
          for (let id = Math.floor(h.headPfn / g.pagesPerBlock); id * g.pagesPerBlock < end; id++) {
            const start = id * g.pagesPerBlock;
            const pages = Math.max(0, Math.min(end, start + g.pagesPerBlock) - Math.max(start, h.headPfn));
            if (pages > 0) out.set(id, (out.get(id) ?? 0) + pages);
          }
        }
        return out;
      },
      undefined,
      (_ci, old, now) => {
        add(old, -1);
        add(now, +1);
      },
    );
    this.blockAccounting = new PerChunk<BlockState, BlockAccounting>(
      'blocks',
      (chunk) => {
        const zones = new Map<string, ZoneCounters>();
        const nids = new Set<number>();
        const nvMessages: string[] = [];
        const at = (node: number, zone: ZoneName) => {
          let c = zones.get(zoneCountersKey(node, zone));
          if (!c) zones.set(zoneCountersKey(node, zone), (c = { node, zone, presentPages: 0, managedPages: 0, presentEarlyPages: 0 }));
          return c;
        };
        if (chunk) for (const b of chunk) {
          if (b === undefined) continue;
          nids.add(b.nid);
          const nvRaw = this.vmemmapByBlock.get(b.id) ?? 0;
          if (b.nr_vmemmap_pages !== nvRaw)
            nvMessages.push(`memory${b.id} says ${b.nr_vmemmap_pages} of its pages hold vmemmap, but the vmemmap heads in its range cover ${nvRaw}`);
          if (b.state === 'offline') continue;
          const nv = Math.min(nvRaw, g.pagesPerBlock);
          const pfn = b.id * g.pagesPerBlock;
          const parts: [ZoneName, number][] = b.zone !== null ? [[b.zone, g.pagesPerBlock]] : bootZoneSplit(g, pfn, pfn + g.pagesPerBlock);
          parts.forEach(([zone, nr], i) => {
            const c = at(b.nid, zone);
            c.presentPages += nr;
            c.managedPages += nr - (i === 0 ? nv : 0);
            if (b.early) c.presentEarlyPages += nr;
          });
        }
        return { zones, nids, nvMessages };
      },
      (ci) => !this.dirtyBlockChunks.has(ci),
    );
    this.sectionMemmap = new PerChunk<SectionState, Map<number, number>>('sections', (chunk) => {
      const out = new Map<number, number>();
      if (chunk) for (const s of chunk) if (s !== undefined && s.memmap.kind === 'node') out.set(s.memmap.node, (out.get(s.memmap.node) ?? 0) + s.memmap.pages);
      return out;
    });

    // vmemmap-heads-consistent: the sections using each head, then each head
    this.sectionUsers = new PerChunk<SectionState, { messages: string[]; users: Map<number, number[]> }>('sections', (chunk, _ci, r) => {
      const messages: string[] = [];
      const users = new Map<number, number[]>();
      if (chunk) for (const s of chunk) {
        if (s === undefined || s.memmap.kind !== 'altmap') continue;
        const headPfn = s.memmap.headPfn;
        const head = r.get<VmemmapState>('vmemmap', Math.floor(headPfn / g.pagesPerSection));
        if (!head || head.headPfn !== headPfn) {
          messages.push(`section ${s.nr}'s memmap points at a vmemmap head at pfn ${hex(headPfn)}, but no head is there (freed too early)`);
          continue;
        }
        const list = users.get(headPfn);
        if (list) list.push(s.nr); else users.set(headPfn, [s.nr]);
      }
      return { messages, users };
    }, undefined, (ci, old, now) => {
      for (const pfn of old?.users.keys() ?? []) {
        this.usersByChunk.get(pfn)?.delete(ci);
        this.dirtyHeads.add(pfn);
      }
      for (const [pfn, list] of now?.users ?? []) {
        let m = this.usersByChunk.get(pfn);
        if (!m) this.usersByChunk.set(pfn, (m = new Map()));
        m.set(ci, list);
        this.dirtyHeads.add(pfn);
      }
    });
    this.users = new Map();
    this.usersByChunk = new Map();
    this.dirtyHeads = new Set();
    this.headParts = new PerChunk<VmemmapState, HeadPart>(
      'vmemmap',
      (chunk, ci, r) => {
        const messages: string[] = [];
        const used: (readonly number[])[] = [];
        const heads: VmemmapState[] = [];
        const overlaps: string[] = [];
        let sorted = true;
        if (chunk) chunk.forEach((h, j) => {
          if (h === undefined) return;
          const slot = ci * CHUNK + j;
          const prev = heads[heads.length - 1];
          if (prev) {
            if (h.headPfn < prev.headPfn) sorted = false;
            else if (h.headPfn < prev.headPfn + prev.nrPages)
              overlaps.push(`vmemmap heads at pfn ${hex(prev.headPfn)} and ${hex(h.headPfn)} share pages: a tail page cannot point at both`);
          }
          heads.push(h);
          const at = `vmemmap head at pfn ${hex(h.headPfn)}`;
          if (Math.floor(h.headPfn / g.pagesPerSection) !== slot) messages.push(`${at} is filed under section ${slot}, not its own section`);
          const using = this.users.get(h.headPfn) ?? EMPTY;
          used.push(using);
          if (h.refcount !== using.length)
            messages.push(`${at}: _refcount is ${h.refcount}, but ${using.length} section(s) still use it${using.length ? ` (${using.join(', ')})` : ''}`);
          const listed = h.sections.length === using.length && h.sections.every((nr, i) => nr === using[i]) ? null : [...h.sections].sort((a, b) => a - b).join(',');
          if (listed !== null && listed !== using.join(','))
            messages.push(`${at} lists sections [${listed}] as served, but the sections using it are [${using.join(',')}]`);
          if (h.refcount === 0) messages.push(`${at} serves no section but was not freed (the deferred vmemmap_free() leaked it)`);
          const needed = nr_vmemmap_pages(g, using.length * g.pagesPerSection);
          if (h.nrPages < needed) messages.push(`${at}: private is ${h.nrPages} pages, but the ${using.length} sections it serves need ${needed}`);
          if (h.orphanedBy) return;
          const first = Math.floor(h.headPfn / g.pagesPerBlock);
          const last = Math.floor((h.headPfn + h.nrPages - 1) / g.pagesPerBlock);
          for (let id = first; id <= last; id++) {
            const b = r.get<BlockState>('blocks', id);
            if (!b) continue;
            const start = id * g.pagesPerBlock;
            const inBlock = Math.min(start + g.pagesPerBlock, h.headPfn + h.nrPages) - Math.max(start, h.headPfn);
            if (b.nr_vmemmap_pages < inBlock)
              messages.push(`${at}: private says ${inBlock} of its pages lie in memory${id}, but that block sets aside only ${b.nr_vmemmap_pages} vmemmap pages`);
          }
        });
        return { messages, used, heads, pfns: new Set(heads.map((h) => h.headPfn)), sorted, overlaps };
      },
      // a head's result depends on its users: recheck the chunks holding a head whose users changed
      (_ci, part) => {
        if (this.dirtyHeads.size === 0) return true;
        if (this.dirtyHeads.size > part.heads.length) return part.heads.every((h, i) => sameList(part.used[i]!, this.users.get(h.headPfn) ?? EMPTY));
        for (const pfn of this.dirtyHeads) if (part.pfns.has(pfn)) return false;
        return true;
      },
    );

    this.allEarly = new PerChunk<BlockState, boolean>('blocks', (chunk) => !chunk || chunk.every((b) => b === undefined || b.early));
  }

  private accounting(world: World): string[] {
    const g = this.g;
    this.vmemmapParts.run(world);
    const parts = this.blockAccounting.run(world);
    this.dirtyBlockChunks.clear();
    const out: string[] = [];
    const expected = new Map<string, ZoneCounters>();
    const at = (node: number, zone: ZoneName) => {
      let c = expected.get(zoneCountersKey(node, zone));
      if (!c) expected.set(zoneCountersKey(node, zone), (c = { node, zone, presentPages: 0, managedPages: 0, presentEarlyPages: 0 }));
      return c;
    };
    const nodesWithBlocks = new Set<number>();
    for (const p of parts) {
      for (const [, c] of p.zones) {
        const e = at(c.node, c.zone);
        e.presentPages += c.presentPages;
        e.managedPages += c.managedPages;
        e.presentEarlyPages += c.presentEarlyPages;
      }
      for (const n of p.nids) nodesWithBlocks.add(n);
    }
    const layout = bootLayout(world.system, g);
    for (const n of layout) at(n.node, n.topZone).managedPages -= n.memmapPages;

    out.push(...zoneCounterProblems(world, expected));
    const memmap = new Map<number, number>();
    for (const n of layout) memmap.set(n.node, (memmap.get(n.node) ?? 0) + n.memmapPages);
    for (const p of this.sectionMemmap.run(world)) for (const [node, pages] of p) memmap.set(node, (memmap.get(node) ?? 0) + pages);
    out.push(...nodeMemmapProblems(world, memmap));
    for (const p of parts) for (const m of p.nvMessages) out.push(m);
    const bootNodes = new Set(layout.map((n) => n.node));
    for (const n of tableToArray(world.nodes)) {
      if (bootNodes.has(n.id)) {
        if (!n.online) out.push(`boot node ${n.id} is offline`);
        continue;
      }
      if (nodesWithBlocks.has(n.id) && !n.online) out.push(`node ${n.id} holds memory blocks but is offline`);
    }
    return out;
  }

  /** null when the heads are not in address order by slot: then the full check sorts them */
  private vmemmapHeads(world: World): string[] | null {
    const userParts = this.sectionUsers.run(world);
    for (const pfn of this.dirtyHeads) {
      const m = this.usersByChunk.get(pfn);
      if (!m || m.size === 0) {
        this.usersByChunk.delete(pfn);
        this.users.delete(pfn);
      } else if (m.size === 1) this.users.set(pfn, m.values().next().value!);
      // in section order: the chunks' lists by chunk index
      else this.users.set(pfn, [...m.keys()].sort((a, b) => a - b).flatMap((ci) => m.get(ci)!));
    }
    const heads = this.headParts.run(world);
    this.dirtyHeads.clear();
    const overlaps: string[] = [];
    let prev: VmemmapState | undefined;
    for (const p of heads) {
      if (!p.sorted) return null;
      const first = p.heads[0];
      if (!first) continue;
      if (prev) {
        if (first.headPfn < prev.headPfn) return null;
        if (first.headPfn < prev.headPfn + prev.nrPages)
          overlaps.push(`vmemmap heads at pfn ${hex(prev.headPfn)} and ${hex(first.headPfn)} share pages: a tail page cannot point at both`);
      }
      for (const m of p.overlaps) overlaps.push(m);
      prev = p.heads[p.heads.length - 1];
    }
    const out: string[] = [];
    for (const p of userParts) for (const m of p.messages) out.push(m);
    for (const p of heads) for (const m of p.messages) out.push(m);
    for (const m of overlaps) out.push(m);
    return out;
  }

  /** null when a block is filed in another block's slot: then the full check sorts and compares them */
  private blockLayout(world: World): string[] | null {
    if (!this.blockSlots.run(world).every((p) => p.clean)) return null;
    return concat(this.sectionSlots.run(world));
  }
}

/** The names the incremental checker answers for (every invariant of INVARIANTS but the replay one). */
export const INCREMENTAL_NAMES: readonly string[] = Object.freeze([
  'memmap-in-present-memory', 'block-sections-agree', 'accounting-matches-blocks', 'vmemmap-heads-consistent', 'blocks-do-not-overlap',
  'memory-groups-consistent', 'nothing-leaks',
]);
