/**
 * A Timeline is a cursor over a log: the world at any step, stepping both
 * ways, breakpoints, watchpoints, lastWrite, diff and fork.
 *
 * Step n is the world after events 1..n (step 0: nothing has happened, not
 * even boot). Cost model, with K the checkpoint interval:
 * - open: reads and verifies the log. The world at every K-th step (a
 *   checkpoint) is kept once a seek first needs it — the first seek to step
 *   n replays up to n once. The world's tables are persistent
 *   (src/engine/table.ts), so checkpoints share every chunk that did not
 *   change between them.
 * - seek(n): from the checkpoint at or below n (or from the cursor, when it
 *   is closer and below n): at most K-1 events, in one batch draft.
 * - stepForward: one event.
 * - stepBack: the first step back into a segment materialises that
 *   segment's worlds (K single-event evolves sharing structure); every
 *   further step back in it is a lookup. The last few segments stay cached.
 * - worldAt(n) away from the cursor: the last few worlds asked for stay
 *   cached and serve as bases, so a viewer that reads the steps around one
 *   (the inspector asks for n-1, n and the end of n's operation) pays once.
 * A live session (src/session) appends to a timeline as it runs, and a
 * branch forked at step n starts as prefixOf(parent, n): it shares the
 * parent's events and checkpoints up to n by reference.
 */
import type { MemhpEvent, TransitionEvent } from '../engine/events.ts';
import type { EventList } from '../engine/event-list.ts';
import { applyEvent, evolve, evolveAll, WorldDraft } from '../engine/evolve.ts';
import type { WorldView } from '../engine/view.ts';
import { emptyWorld, type World } from '../engine/world.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { readLog } from '../log/index.ts';
import { FileEvents } from '../log/file-events.ts';
import { indexLogFile } from '../log/indexed.ts';
import { EventIndex, type ActorLog } from './event-index.ts';
import { eventMatches, hitsAt, needsWorld, watch, type Breakpoint, type Hit } from './breakpoints.ts';
import { diffWorlds, type WorldChange } from './diff.ts';
import { forkAt, type Fork, type ForkOptions } from './fork.ts';
import type { ParsedPath } from './path.ts';
import { evaluate, viewOf } from './resolve.ts';

export interface TimelineOptions {
  /** Events between checkpoints (default DEFAULT_CHECKPOINT_INTERVAL, 1024). */
  checkpointInterval?: number;
  /** How many segments' per-step worlds stepBack keeps (default 2). */
  cachedSegments?: number;
  /** How many worlds worldAt keeps by step (default 12; they share structure). */
  recentWorlds?: number;
  /** open(): called now and then while the file is read and verified (a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

export interface StopResult {
  /** The cursor after the motion. */
  step: number;
  /** What stopped it; empty when it ran to the end (or the start) of the log. */
  hits: Hit[];
}

export interface Write {
  step: number;
  event: MemhpEvent;
  before: unknown;
  after: unknown;
}

/**
 * 1024: on a 1M-event log a median seek replays ~512 events (~1/2000 of a
 * full replay) and the ~1000 checkpoints share all unchanged table chunks
 * (≈70 MB measured for 1M events over 512 blocks).
 */
export const DEFAULT_CHECKPOINT_INTERVAL = 1024;

export class Timeline {
  readonly interval: number;
  /** In memory, or on disk for a log opened with openIndexed (parsed when asked for). */
  private readonly _events: MemhpEvent[] | FileEvents;
  /** checkpoints[i]: the world at step i * interval */
  private readonly checkpoints: World[];
  /** segment index → worlds of its steps (LRU order: most recent last) */
  private readonly segments = new Map<number, World[]>();
  private readonly maxSegments: number;
  /** step → world, for worldAt away from the cursor (LRU order: most recent last) */
  private readonly recent = new Map<number, World>();
  private readonly maxRecent: number;
  /** Types, row actors and each actor's transitions; built on first use (open does not pay for it), or while openIndexed reads. */
  private idx: EventIndex | null;
  private _cursor = 0;
  private _world: World;

  private constructor(
    readonly system: SystemSpec,
    events: readonly MemhpEvent[],
    opts: TimelineOptions,
    /** The log file, when opened from one. */
    readonly path?: string,
    /** What reading the log reported (e.g. a torn tail that was ignored). */
    readonly warnings: readonly string[] = [],
    /** Checkpoints 0..i of a timeline these events are a prefix of (prefixOf), or built while the log was read. */
    shared: readonly World[] = [],
    /** The events as stored (a prefix of another timeline's, or a log on disk), taken as they are. */
    store: MemhpEvent[] | FileEvents = [],
    index: EventIndex | null = null,
  ) {
    const k = opts.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL;
    if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`checkpointInterval must be a positive integer, got ${k}`);
    this.interval = k;
    this.maxSegments = Math.max(1, opts.cachedSegments ?? 2);
    this.maxRecent = Math.max(0, opts.recentWorlds ?? 12);
    this.checkpoints = shared.length > 0 ? [...shared] : [emptyWorld(system)];
    this._world = this.checkpoints[0]!;
    this._events = store;
    this.idx = index;
    this.append(events);
  }

  static fromEvents(system: SystemSpec, events: readonly MemhpEvent[], opts: TimelineOptions = {}): Timeline {
    return new Timeline(system, events, opts);
  }

  /** Reads a log file (without locking or changing it). */
  static open(path: string, opts: TimelineOptions = {}): Timeline {
    const read = readLog(path, opts.onProgress ? { onProgress: opts.onProgress } : {});
    return new Timeline(read.header.system, read.events, opts, path, read.warnings);
  }

  /**
   * Reads a log file keeping only an index of it (a few bytes an event, see
   * event-index.ts), its checkpoints (built in the same pass) and the events
   * `retain` chooses: the others are read back from the file when asked for.
   * For a viewer of a log of millions of events (the inspector): memory stays
   * far below the log's size, and every seek costs at most one checkpoint
   * interval of events parsed and evolved.
   */
  static openIndexed(path: string, opts: TimelineOptions & { retain?: (e: MemhpEvent) => boolean } = {}): Timeline {
    const k = opts.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL;
    const index = new EventIndex();
    const checkpoints: World[] = [];
    // each event goes into one open draft at once and is dropped (the batch evolveAll would keep K events alive)
    let draft: WorldDraft | null = null;
    let inDraft = 0;
    const read = indexLogFile(path, {
      onHeader: (h) => {
        checkpoints.push(emptyWorld(h.system));
        draft = new WorldDraft(checkpoints[0]!);
      },
      onEvent: (e) => {
        index.add(e);
        applyEvent(draft!, e);
        if (++inDraft === k) {
          checkpoints.push(draft!.finish());
          draft = new WorldDraft(checkpoints[checkpoints.length - 1]!);
          inDraft = 0;
        }
      },
      ...(opts.retain ? { retain: opts.retain } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    return new Timeline(read.header.system, [], opts, path, read.warnings, checkpoints, read.events, index);
  }

  /**
   * The first n steps of `parent` as a timeline of their own (a branch forked
   * at step n): the events and the checkpoints built so far are shared, not
   * replayed.
   */
  static prefixOf(parent: Timeline, n: number, path?: string): Timeline {
    parent.check(n);
    const shared = parent.checkpoints.slice(0, Math.floor(n / parent.interval) + 1);
    const opts = { checkpointInterval: parent.interval, cachedSegments: parent.maxSegments, recentWorlds: parent.maxRecent };
    const store = parent._events instanceof FileEvents ? parent._events.prefix(n) : parent._events.slice(0, n);
    const index = parent.idx && parent.idx.length >= n ? parent.idx.prefix(n, (seq) => parent._events.at(seq - 1) as TransitionEvent) : null;
    return new Timeline(parent.system, [], opts, path, [], shared, store, index);
  }

  /** Builds every checkpoint now (a viewer that will seek anywhere pays the replay once, up front). */
  buildCheckpoints(): void {
    this.checkpoint(Math.floor(this._events.length / this.interval));
  }

  /** Adds events recorded after the last one (a live log growing); the cursor stays. */
  append(events: readonly MemhpEvent[]): void {
    const k = this.interval;
    const oldLength = this._events.length;
    for (const e of events) {
      const i = this._events.length;
      if (e.seq !== i + 1) throw new Error(`${this.path ?? 'events'}: event at position ${i + 1} has seq ${e.seq}, expected ${i + 1}`);
      this._events.push(e);
    }
    // Checkpoints are built on first need (checkpoint()): opening a log does not
    // pay for a whole replay; the first seek far into it does, once.
    // A cached segment that stopped at the old end is now incomplete.
    for (const s of [...this.segments.keys()]) if ((s + 1) * k - 1 > oldLength) this.segments.delete(s);
    // A checkpoint past the old end cannot exist, and kept worlds stay true: the past does not change.
  }

  /** Every event, in order (on disk for a log opened with openIndexed: ask for what you need, not for all). */
  get events(): EventList {
    return this._events;
  }
  /** The event with this seq (1-based). */
  eventAt(seq: number): MemhpEvent {
    this.check(seq);
    if (seq === 0) throw new RangeError('there is no event 0 (step 0 is before the first event)');
    return this._events.at(seq - 1)!;
  }
  /** The last step (= number of events). */
  get length(): number {
    return this._events.length;
  }
  get cursor(): number {
    return this._cursor;
  }
  /** The world at the cursor. */
  get world(): World {
    return this._world;
  }
  /** The WorldView at the cursor. */
  view(): WorldView {
    return viewOf(this._world);
  }
  /** The event that led to the cursor (null at step 0). */
  get event(): MemhpEvent | null {
    return this._cursor === 0 ? null : this._events.at(this._cursor - 1)!;
  }

  private check(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > this._events.length) throw new RangeError(`step ${n} is out of range 0..${this._events.length}`);
  }

  /** Step n is an operation boundary: every effect of an operation is applied (the next event is an op, or n is the end). */
  isBoundary(n: number): boolean {
    return n === this._events.length || this._events.at(n)!.type === 'op';
  }

  /** The world at step n, without moving the cursor. */
  worldAt(n: number): World {
    this.check(n);
    if (n === this._cursor) return this._world;
    const seg = this.segments.get(Math.floor(n / this.interval));
    if (seg) return seg[n % this.interval]!;
    const hit = this.recent.get(n);
    if (hit) {
      this.recent.delete(n);
      this.recent.set(n, hit);
      return hit;
    }
    // from the nearest known world at or below n: its checkpoint, the cursor or a recent world
    let base = Math.floor(n / this.interval) * this.interval;
    let world = this.checkpoint(base / this.interval);
    if (this._cursor > base && this._cursor < n) {
      base = this._cursor;
      world = this._world;
    }
    for (const [s, w] of this.recent) if (s > base && s < n) { base = s; world = w; }
    if (base === n) return world;
    world = evolveAll(world, this._events.slice(base, n));
    if (this.maxRecent > 0) {
      this.recent.set(n, world);
      if (this.recent.size > this.maxRecent) this.recent.delete(this.recent.keys().next().value!);
    }
    return world;
  }

  /** The world at step i * interval, building the checkpoints up to it if they are not yet. */
  private checkpoint(i: number): World {
    const k = this.interval;
    for (let last = this.checkpoints.length - 1; last < i; last++)
      this.checkpoints.push(evolveAll(this.checkpoints[last]!, this._events.slice(last * k, (last + 1) * k)));
    return this.checkpoints[i]!;
  }

  /** The worlds of one segment, each one event apart (cached). */
  private segmentWorlds(s: number): World[] {
    let worlds = this.segments.get(s);
    if (worlds) {
      this.segments.delete(s);
      this.segments.set(s, worlds);
      return worlds;
    }
    const start = s * this.interval;
    const end = Math.min(start + this.interval - 1, this._events.length);
    worlds = [this.checkpoint(s)];
    for (const e of this._events.slice(start, end)) worlds.push(evolve(worlds[worlds.length - 1]!, e));
    this.segments.set(s, worlds);
    if (this.segments.size > this.maxSegments) this.segments.delete(this.segments.keys().next().value!);
    return worlds;
  }

  /** World at step n through the segment cache: for walks that go backwards. */
  private walkWorld(n: number): World {
    if (n === this._cursor) return this._world;
    return this.segmentWorlds(Math.floor(n / this.interval))[n % this.interval]!;
  }

  seek(n: number): World {
    this._world = this.worldAt(n);
    this._cursor = n;
    return this._world;
  }

  /** Moves forward `count` events (default 1); false when already at the end. */
  stepForward(count = 1): boolean {
    if (this._cursor >= this._events.length) return false;
    const to = Math.min(this._events.length, this._cursor + count);
    if (to === this._cursor + 1 && !this.segments.has(Math.floor(to / this.interval))) this._world = evolve(this._world, this._events.at(this._cursor)!);
    else this._world = this.worldAt(to);
    this._cursor = to;
    return true;
  }

  /** Moves back `count` events (default 1); false when already at step 0. */
  stepBack(count = 1): boolean {
    if (this._cursor === 0) return false;
    const to = Math.max(0, this._cursor - count);
    this._world = this.walkWorld(to);
    this._cursor = to;
    return true;
  }

  /** The first hits at a step in from..length (pure: the cursor does not move). */
  findForward(breakpoints: readonly Breakpoint[], from = this._cursor + 1): Hit[] {
    const n = this._events.length;
    if (breakpoints.length === 0) return [];
    if (!needsWorld(breakpoints)) {
      for (let c = Math.max(1, from); c <= n; c++) {
        const hits = eventHits(c, this._events.at(c - 1)!, breakpoints);
        if (hits) return hits;
      }
      return [];
    }
    if (from > n) return [];
    const memo = memoised();
    if (from <= 0) {
      const hits = hitsAt(0, null, this.worldAt(0), this.isBoundary(0), null, breakpoints, memo);
      if (hits.length > 0) return hits;
      from = 1;
    }
    let world = this.worldAt(from - 1);
    for (let c = from; c <= n; c++) {
      const prev = world;
      const seg = this.segments.get(Math.floor(c / this.interval));
      const e = this._events.at(c - 1)!;
      world = seg ? seg[c % this.interval]! : evolve(prev, e);
      const hits = hitsAt(c, e, world, this.isBoundary(c), () => prev, breakpoints, memo);
      if (hits.length > 0) return hits;
    }
    return [];
  }

  /** The last hits at a step in 0..from (pure: the cursor does not move). */
  findBackward(breakpoints: readonly Breakpoint[], from = this._cursor - 1): Hit[] {
    if (breakpoints.length === 0) return [];
    from = Math.min(from, this._events.length);
    if (!needsWorld(breakpoints)) {
      for (let c = from; c >= 1; c--) {
        const hits = eventHits(c, this._events.at(c - 1)!, breakpoints);
        if (hits) return hits;
      }
      return [];
    }
    const memo = memoised();
    for (let c = from; c >= 0; c--) {
      const world = this.walkWorld(c);
      const prev = c === 0 ? null : () => this.walkWorld(c - 1);
      const hits = hitsAt(c, c === 0 ? null : this._events.at(c - 1)!, world, this.isBoundary(c), prev, breakpoints, memo);
      if (hits.length > 0) return hits;
    }
    return [];
  }

  /** Runs forward to the next step where a breakpoint hits, or to the end. */
  continue(breakpoints: readonly Breakpoint[]): StopResult {
    const hits = this.findForward(breakpoints);
    this.seek(hits.length > 0 ? hits[0]!.step : this._events.length);
    return { step: this._cursor, hits };
  }

  /** Runs backward to the previous step where a breakpoint hits, or to step 0. */
  reverseContinue(breakpoints: readonly Breakpoint[]): StopResult {
    const hits = this.findBackward(breakpoints);
    this.seek(hits.length > 0 ? hits[0]!.step : 0);
    return { step: this._cursor, hits };
  }

  /** The last event at or before step `at` (default: the cursor) that changed the value at `path`; null if it never changed. */
  lastWrite(path: string | ParsedPath, at = this._cursor): Write | null {
    this.check(at);
    const hit = this.findBackward([watch(path)], at)[0];
    return hit ? { step: hit.step, event: hit.event!, before: hit.before, after: hit.after } : null;
  }

  /** The index of the events (types, row actors, each actor's transitions), caught up with the last append. */
  index(): EventIndex {
    const idx = (this.idx ??= new EventIndex());
    idx.catchUp(this._events);
    return idx;
  }

  /** One actor's transitions (their seqs and contexts), undefined when it has none. */
  actorLog(actor: string): ActorLog | undefined {
    return this.index().actor(actor);
  }

  /** Every transition of one actor (memory65, section520, hotplug), in order (read back one by one from a log on disk). */
  actorHistory(actor: string): readonly TransitionEvent[] {
    return (this.actorLog(actor)?.seqs ?? []).map((s) => this._events.at(s - 1) as TransitionEvent);
  }

  /** Actor ids that appear in the log. */
  actors(): string[] {
    return this.index().actorIds();
  }

  /** What changed in the world between steps a and b. */
  diff(a: number, b: number): WorldChange[] {
    return diffWorlds(this.worldAt(a), this.worldAt(b));
  }

  /** Goes live from step n into a new log at `newLogPath`; this timeline and its file stay as they are. */
  fork(n: number, newLogPath: string, opts: ForkOptions = {}): Fork {
    this.check(n);
    return forkAt(this.system, this._events.slice(0, n), newLogPath, opts);
  }
}

/** The event breakpoints that hit at step c, or null (no allocation on a miss: a scan may read a million events). */
function eventHits(step: number, event: MemhpEvent, breakpoints: readonly Breakpoint[]): Hit[] | null {
  let hits: Hit[] | null = null;
  for (const b of breakpoints) if (b.kind === 'event' && eventMatches(event, b.match)) (hits ??= []).push({ step, breakpoint: b, event });
  return hits;
}

/** Watched values, computed once per (world, path) during one scan. */
function memoised(): (w: World, p: ParsedPath) => unknown {
  const cache = new WeakMap<World, Map<string, unknown>>();
  return (w, p) => {
    let m = cache.get(w);
    if (!m) cache.set(w, (m = new Map()));
    if (m.has(p.text)) return m.get(p.text);
    const v = evaluate(w, p);
    m.set(p.text, v);
    return v;
  };
}
