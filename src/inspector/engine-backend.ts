/**
 * An InspectorBackend over the real engine: the world at any step is
 * evolve() folded over the log from the nearest checkpoint; operations go
 * through HotplugSystem (decide → events → evolve) and are appended to the
 * log file, or forked into a new log when applied at a past step.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { MemhpEvent, TransitionEvent } from '../engine/events.ts';
import { evolveAll } from '../engine/evolve.ts';
import { HotplugSystem } from '../engine/system.ts';
import { toView } from '../engine/to-view.ts';
import type { WorldView } from '../engine/view.ts';
import { emptyWorld, geometry, type World } from '../engine/world.ts';
import { tableToArray } from '../engine/table.ts';
import type { SystemSpec } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
import { openLogForAppend, readLog, writeLogFile, type LogWriter } from '../log/index.ts';
import { loadScenarioFile } from '../scenario/index.ts';
import { MACHINES } from '../../machines/index.ts';
import type {
  AccountingPoint, ApplyResult, BranchInfo, Breakpoint, EventFilter, InspectorBackend, InspectorInfo, InvariantResult, LogOutcome,
  MachineDefinition, OpSample, OpSeries, WorldChange,
} from './backend.ts';
import { diffWorldTables } from './world-diff.ts';
import { eventMatches, opLine } from './event-text.ts';
import { statechartFromMachine } from './graph.ts';
// invariants/ directly: src/check/index.ts also loads the model checker and its dev-only fast-check
import { INVARIANTS } from '../check/invariants/index.ts';
import { IncrementalInvariants } from '../check/invariants/incremental.ts';

/** Distance between kept worlds: seeking costs at most this many evolve steps. */
const CHECKPOINT_EVERY = 1024;
/** Recent worlds kept by seq: a step asks for the world before, after and on the map; they share structure. */
const RECENT_WORLDS = 12;

export interface EngineBackendOptions {
  name: string;
  system: SystemSpec;
  events: readonly MemhpEvent[];
  /** Log file the events came from; live operations are appended to it. */
  logPath?: string;
  /** Where forks go when there is no log file (default: the OS temp dir). */
  forkDir?: string;
}

/**
 * One line of history: a log (the one opened, or a fork of another branch at
 * an earlier step). A fork shares its parent's events and checkpoints up to
 * the fork point by reference, so keeping the original costs nothing extra.
 */
class Branch {
  log: MemhpEvent[];
  checkpoints: World[];
  writer: LogWriter | null = null;
  live: HotplugSystem | null = null;
  recent = new Map<number, World>();
  viewCache = new Map<number, WorldView>();
  invCache = new Map<number, InvariantResult[]>();
  readonly incremental = new IncrementalInvariants();
  byActor: Map<string, TransitionEvent[]> | null = null;
  opSeqs: number[] | null = null;
  series: { last: number; points: number; data: AccountingPoint[] } | null = null;
  opSeries = new Map<string, OpSeries>();
  outcome: LogOutcome | null = null;

  constructor(
    readonly id: number,
    public name: string,
    readonly system: SystemSpec,
    events: MemhpEvent[],
    public logPath: string | undefined,
    readonly parent: number | null,
    readonly forkSeq: number | null,
    checkpoints: World[],
  ) {
    this.log = events;
    this.checkpoints = checkpoints.length ? checkpoints : [emptyWorld(system)];
    this.extendCheckpoints();
  }

  extendCheckpoints(): void {
    let w = this.checkpoints[this.checkpoints.length - 1]!;
    for (let i = (this.checkpoints.length - 1) * CHECKPOINT_EVERY; i + CHECKPOINT_EVERY <= this.log.length; i += CHECKPOINT_EVERY) {
      w = evolveAll(w, this.log.slice(i, i + CHECKPOINT_EVERY));
      this.checkpoints.push(w);
    }
  }

  /** Forget what depends on the log's length (it grew). */
  grew(): void {
    this.viewCache.clear();
    this.byActor = null;
    this.opSeqs = null;
    this.series = null;
    this.opSeries.clear();
    this.outcome = null;
    this.extendCheckpoints();
  }

  world(seq: number): World {
    seq = Math.max(0, Math.min(seq, this.log.length));
    const hit = this.recent.get(seq);
    if (hit) {
      this.recent.delete(seq);
      this.recent.set(seq, hit);
      return hit;
    }
    // from the nearest kept world at or below seq: a checkpoint, or a recent world closer to it
    const k = Math.min(Math.floor(seq / CHECKPOINT_EVERY), this.checkpoints.length - 1);
    let base = this.checkpoints[k]!;
    let from = k * CHECKPOINT_EVERY;
    for (const [s, w] of this.recent) if (s <= seq && s > from) { base = w; from = s; }
    const world = evolveAll(base, this.log.slice(from, seq));
    this.recent.set(seq, world);
    if (this.recent.size > RECENT_WORLDS) this.recent.delete(this.recent.keys().next().value!);
    return world;
  }

  ops(): number[] {
    if (!this.opSeqs) {
      this.opSeqs = [];
      for (const e of this.log) if (e.type === 'op') this.opSeqs.push(e.seq);
    }
    return this.opSeqs;
  }

  close(): void {
    this.live?.stop();
    this.live = null;
    this.writer?.close();
    this.writer = null;
  }
}

export class EngineBackend implements InspectorBackend {
  private branchList: Branch[] = [];
  private cur: Branch;
  private forkDir: string;
  private inspect: ((e: unknown) => void) | null = null;
  private listeners = new Set<() => void>();

  constructor(opts: EngineBackendOptions) {
    this.forkDir = opts.forkDir ?? join(tmpdir(), 'memhp-forks');
    this.cur = new Branch(0, opts.name, opts.system, [...opts.events], opts.logPath, null, null, []);
    this.branchList.push(this.cur);
  }

  private get log(): MemhpEvent[] { return this.cur.log; }

  info(): InspectorInfo {
    const b = this.cur;
    return { name: b.name, lastSeq: b.log.length, system: b.system, ...(b.logPath ? { logPath: b.logPath } : {}), live: true, branch: b.id };
  }

  branches(): BranchInfo[] {
    return this.branchList.map((b) => ({
      id: b.id, name: b.name, ...(b.logPath ? { logPath: b.logPath } : {}),
      parent: b.parent, forkSeq: b.forkSeq, lastSeq: b.log.length, current: b === this.cur,
    }));
  }

  selectBranch(id: number): InspectorInfo {
    const b = this.branchList.find((x) => x.id === id);
    if (!b) throw new Error(`no branch ${id} (branches: ${this.branchList.map((x) => x.id).join(', ')})`);
    this.cur = b;
    for (const l of this.listeners) l();
    return this.info();
  }

  events(fromSeq: number, toSeq: number): MemhpEvent[] {
    return this.log.slice(Math.max(0, fromSeq - 1), Math.max(0, toSeq));
  }

  search(filter: EventFilter): number[] {
    if (filter.type === 'op' && !filter.actor && !filter.text) return this.cur.ops().slice();
    const out: number[] = [];
    for (const e of this.log) if (eventMatches(e, filter)) out.push(e.seq);
    return out;
  }

  worldState(seq: number): World {
    return this.cur.world(seq);
  }

  worldAt(seq: number): WorldView {
    const cache = this.cur.viewCache;
    let v = cache.get(seq);
    if (!v) {
      v = toView(this.cur.world(seq));
      if (cache.size > 8) cache.delete(cache.keys().next().value!);
      cache.set(seq, v);
    }
    return v;
  }

  diff(a: number, b: number): WorldChange[] {
    return diffWorldTables(this.cur.world(a), this.cur.world(b));
  }

  /** The project's invariants (src/check) at this step, plus whether the simulated kernel has faulted. */
  invariantsAt(seq: number): InvariantResult[] {
    const cache = this.cur.invCache;
    const hit = cache.get(seq);
    if (hit) return hit;
    const world = this.cur.world(seq);
    const g = geometry(world);
    // replay-reproduces-world needs the whole log up to seq; it is `memhp check`'s job, not a per-step view.
    // checked incrementally: only the table chunks that differ from the last checked world are looked at again
    const incremental = this.cur.incremental.check(world);
    const results = INVARIANTS.filter((i) => i.name !== 'replay-reproduces-world').map((inv): InvariantResult => {
      const violations = incremental.get(inv.name) ?? inv.check({ world, g });
      return { name: inv.name, holds: violations.length === 0, violations };
    });
    const faults = world.faults.map((f) => `seq ${f.seq}: ${f.message}`);
    const out = [...results, { name: 'no-fault', holds: faults.length === 0, violations: faults }];
    cache.set(seq, out);
    if (cache.size > 64) cache.delete(cache.keys().next().value!);
    return out;
  }

  accountingSeries(points: number): AccountingPoint[] {
    const b = this.cur;
    const last = b.log.length;
    if (b.series?.last === last && b.series.points === points) return b.series.data;
    const seqs = new Set<number>();
    for (let i = 0; i < points; i++) seqs.add(Math.round((i * last) / Math.max(1, points - 1)));
    // Sample the counters by folding the log once (not by seeking per point).
    const out: AccountingPoint[] = [];
    let w = emptyWorld(b.system);
    let at = 0;
    for (const seq of [...seqs].sort((x, y) => x - y)) {
      w = evolveAll(w, b.log.slice(at, seq));
      at = seq;
      const v = toViewCounters(w);
      out.push({ seq, ...v });
    }
    b.series = { last, points, data: out };
    return out;
  }

  accountingByOp(fromOp: number, toOp: number, points: number): OpSeries {
    const b = this.cur;
    const ops = b.ops();
    const total = ops.length;
    const lo = Math.max(0, Math.min(fromOp, total - 1));
    const hi = Math.max(lo, Math.min(toOp, total - 1));
    const key = `${lo}:${hi}:${points}`;
    const hit = b.opSeries.get(key);
    if (hit) return hit;
    const picks = new Set<number>();
    const span = hi - lo;
    for (let i = 0; i < points; i++) picks.add(lo + Math.round((i * span) / Math.max(1, points - 1)));
    const samples: OpSample[] = [];
    // fold forward from sample to sample when that is shorter than a seek from a checkpoint
    let w: World | null = null;
    let at = 0;
    for (const i of [...picks].sort((x, y) => x - y)) {
      if (total === 0) break;
      const end = i + 1 < total ? ops[i + 1]! - 1 : b.log.length;
      if (w && end - at <= end % CHECKPOINT_EVERY) w = evolveAll(w, b.log.slice(at, end));
      else w = b.world(end);
      at = end;
      const op = b.log[ops[i]! - 1]!;
      samples.push({
        op: i, seq: ops[i]!, end,
        label: op.type === 'op' ? opLine(op) : '',
        failed: op.type === 'op' && op.ret !== 0,
        ...opCounters(w),
      });
    }
    const series: OpSeries = { totalOps: total, opSeqs: ops, samples };
    if (b.opSeries.size > 16) b.opSeries.clear();
    b.opSeries.set(key, series);
    return series;
  }

  outcome(): LogOutcome {
    const b = this.cur;
    if (b.outcome) return b.outcome;
    const out: LogOutcome = { faults: [], taintSeq: null, failedOps: [], faultCount: 0, failedCount: 0 };
    for (const e of b.log) {
      if (e.type === 'fault') {
        out.faultCount++;
        if (out.faults.length < 200) out.faults.push({ seq: e.seq, text: `memory${e.block} section${e.section}: ${e.message}` });
      } else if (e.type === 'op' && e.ret !== 0) {
        out.failedCount++;
        if (out.failedOps.length < 200) out.failedOps.push({ seq: e.seq, text: opLine(e) });
      } else if (out.taintSeq === null && e.type === 'transition' && e.actor === 'hotplug' && e.to === 'tainted') {
        out.taintSeq = e.seq;
      }
    }
    b.outcome = out;
    return out;
  }

  machines(): MachineDefinition[] {
    return Object.entries(MACHINES).map(([name, m]) => ({ name, definition: statechartFromMachine(m) }));
  }

  actorHistory(actorId: string): TransitionEvent[] {
    const b = this.cur;
    if (!b.byActor) {
      b.byActor = new Map();
      for (const e of b.log) {
        if (e.type !== 'transition') continue;
        let list = b.byActor.get(e.actor);
        if (!list) b.byActor.set(e.actor, (list = []));
        list.push(e);
      }
    }
    return b.byActor.get(actorId) ?? [];
  }

  continueTo(fromSeq: number, direction: 'forward' | 'backward', breakpoints: Breakpoint[]): number | null {
    if (breakpoints.length === 0) return null;
    const log = this.log;
    const seqs = new Set(breakpoints.flatMap((b) => (b.kind === 'seq' ? [b.seq] : [])));
    const filters = breakpoints.flatMap((b) => (b.kind === 'match' ? [b.filter] : []));
    const hits = (e: MemhpEvent) => seqs.has(e.seq) || filters.some((f) => eventMatches(e, f));
    if (direction === 'forward') {
      for (let s = fromSeq + 1; s <= log.length; s++) if (hits(log[s - 1]!)) return s;
    } else {
      for (let s = fromSeq - 1; s >= 1; s--) if (hits(log[s - 1]!)) return s;
    }
    return null;
  }

  /** End of the operation that contains seq: an op's effects are atomic, a fork never splits them. */
  private opBoundary(seq: number): number {
    let s = seq;
    while (s < this.log.length && this.log[s]!.type !== 'op') s++;
    return s;
  }

  async apply(op: Op, atSeq: number): Promise<ApplyResult> {
    const cut = this.opBoundary(atSeq);
    let forkedLogPath: string | undefined;
    let forkedBranch: number | undefined;
    if (cut < this.log.length) {
      // A past step: the original branch and its log file stay as they are; continue in a new one.
      const parent = this.cur;
      forkedLogPath = this.forkPath(cut);
      const events = parent.log.slice(0, cut);
      writeLogFile(forkedLogPath, parent.system, events.map(({ seq: _seq, ...rest }) => rest as never), { createdAt: null });
      const id = this.branchList.length;
      const shared = parent.checkpoints.slice(0, Math.floor(cut / CHECKPOINT_EVERY) + 1);
      const root = parent.name.replace(/ \(fork .*\)$/, '');
      this.cur = new Branch(id, `${root} (fork ${id} at seq ${cut})`, parent.system, events, forkedLogPath, parent.id, cut, shared);
      this.branchList.push(this.cur);
      forkedBranch = id;
    }
    const b = this.cur;
    const sys = this.system_();
    const before = sys.events.length;
    const r = sys.apply(op);
    const added = sys.events.slice(before);
    if (b.logPath) {
      b.writer ??= openLogForAppend(b.logPath);
      b.writer.append(added.map(({ seq: _seq, ...rest }) => rest as never));
    }
    b.log.push(...added);
    b.grew();
    for (const l of this.listeners) l();
    const opEvent = added.find((e) => e.type === 'op');
    return {
      ok: r.ret === 0, ret: r.ret, errno: r.errno,
      ...(opEvent ? { seq: opEvent.seq } : {}),
      ...(r.message ? { message: r.message } : {}),
      ...(forkedLogPath ? { forkedLogPath, forkedBranch: forkedBranch! } : {}),
    };
  }

  private forkPath(cut: number): string {
    const logPath = this.branchList[0]!.logPath;
    const dir = logPath ? dirname(logPath) : this.forkDir;
    mkdirSync(dir, { recursive: true });
    const stem = logPath ? basename(logPath).replace(/\.jsonl?$/, '') : this.branchList[0]!.name.replace(/[^\w.-]+/g, '-');
    for (let i = 1; ; i++) {
      const p = join(dir, `${stem}.fork-${cut}${i > 1 ? `-${i}` : ''}.jsonl`);
      if (!existsSync(p)) return p;
    }
  }

  /** The live system continuing this branch (real XState actors, so Stately can watch them). */
  private system_(): HotplugSystem {
    const b = this.cur;
    b.live ??= new HotplugSystem(b.system, {
      actors: 'live',
      history: b.log,
      ...(this.inspect ? { inspect: this.inspect as never } : {}),
    });
    return b.live;
  }

  attachInspect(observer: (event: unknown) => void): void {
    this.inspect = observer;
    for (const b of this.branchList) { b.live?.stop(); b.live = null; }
    this.system_();
  }

  /** Takes the log's lock now: a live mount holds it from the start, not from its first write. */
  holdLog(): void {
    const b = this.cur;
    if (b.logPath) b.writer ??= openLogForAppend(b.logPath);
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const b of this.branchList) b.close();
  }
}

/** Counters after an operation for the plot: per node and zone, with the zone's spanned pages. */
function opCounters(w: World): Pick<OpSample, 'nodes' | 'zones'> {
  const zones = tableToArray(w.zones);
  const spanned = (z: { span: { startPfn: number; endPfn: number } | null }) => (z.span ? z.span.endPfn - z.span.startPfn : 0);
  return {
    nodes: tableToArray(w.nodes).map((n) => {
      const mine = zones.filter((z) => z.node === n.id);
      const spans = mine.filter((z) => z.span);
      return {
        node: n.id,
        presentPages: mine.reduce((a, z) => a + z.presentPages, 0),
        managedPages: mine.reduce((a, z) => a + z.managedPages, 0),
        memmapPages: n.memmapPages,
        // node_spanned_pages: from the lowest zone start to the highest zone end
        spannedPages: spans.length ? Math.max(...spans.map((z) => z.span!.endPfn)) - Math.min(...spans.map((z) => z.span!.startPfn)) : 0,
      };
    }),
    zones: zones.map((z) => ({ node: z.node, zone: z.zone, presentPages: z.presentPages, managedPages: z.managedPages, spannedPages: spanned(z) })),
  };
}

/** The counters the plot needs, read from the world's small zone and node tables (no full view of 32K blocks). */
function toViewCounters(w: World): Omit<AccountingPoint, 'seq'> {
  const zones = tableToArray(w.zones);
  return {
    nodes: tableToArray(w.nodes).map((n) => {
      const mine = zones.filter((z) => z.node === n.id);
      return {
        node: n.id,
        presentPages: mine.reduce((a, z) => a + z.presentPages, 0),
        managedPages: mine.reduce((a, z) => a + z.managedPages, 0),
        memmapPages: n.memmapPages,
      };
    }),
    zones: zones.map((z) => ({ node: z.node, zone: z.zone, presentPages: z.presentPages, managedPages: z.managedPages })),
  };
}

/** A scenario file run through the engine (in memory; live ops fork nothing, they append). */
export function backendFromScenario(path: string, opts: { forkDir?: string } = {}): EngineBackend {
  const { ops, ...system } = loadScenarioFile(path);
  const sys = new HotplugSystem(system, { actors: 'table' });
  for (const op of ops) sys.apply(op);
  return new EngineBackend({ name: system.name, system, events: sys.events, ...opts });
}

/** A recorded log file. */
export function backendFromLog(path: string): EngineBackend {
  const { header, events } = readLog(path);
  return new EngineBackend({ name: header.system.name ?? basename(path), system: header.system, events, logPath: path });
}
