/**
 * The inspector's backend over a live session (src/session): the session is
 * the time-travel engine (worlds at any step, branches, forks, breakpoints,
 * the world diff, the log); this adapter answers the page's questions from
 * it and caches what the page asks for again and again — views, invariant
 * results, plot series, the outcome of the log — per branch, until the
 * branch grows.
 */
import type { EventType, FaultEvent, MemhpEvent, OpEvent, TransitionEvent } from '../engine/events.ts';
import type { EventList } from '../engine/event-list.ts';
import { FAILED_OP, TAINTS } from '../timeline/event-index.ts';
import { evolveAll } from '../engine/evolve.ts';
import { toView } from '../engine/to-view.ts';
import type { WorldView } from '../engine/view.ts';
import { emptyWorld, geometry, taintOf, type World } from '../engine/world.ts';
import { tableToArray } from '../engine/table.ts';
import type { SystemSpec } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
import { loadScenarioFile } from '../scenario/index.ts';
import { Session, type Branch } from '../session/session.ts';
import { scenarioEvents } from '../session/source.ts';
import { breakOnEvent, type Breakpoint as TimelineBreakpoint } from '../timeline/breakpoints.ts';
import { diffWorlds } from '../timeline/diff.ts';
import { opLine } from '../timeline/event-text.ts';
import { eventMatches, type EventMatch } from '../timeline/match.ts';
import { MACHINES } from '../../machines/index.ts';
import { commonPrefix } from './branch-prefix.ts';
import type {
  AccountingPoint, ActorView, ApplyResult, BranchComparison, BranchInfo, BranchSide, Breakpoint, EventFilter, InspectorBackend, InspectorInfo, InvariantResult, LogOutcome,
  MachineDefinition, OpSample, OpSeries, WorldChange,
} from './backend.ts';
import { statechartFromMachine } from './graph.ts';
// invariants/ directly: src/check/index.ts also loads the model checker and its dev-only fast-check
import { INVARIANTS } from '../check/invariants/index.ts';
import { IncrementalInvariants } from '../check/invariants/incremental.ts';

export interface EngineBackendOptions {
  name: string;
  system: SystemSpec;
  events: readonly MemhpEvent[];
  /** Log file the events came from; live operations are appended to it. */
  logPath?: string;
  /** Where forks go when there is no log file (default: the OS temp dir). */
  forkDir?: string;
}

/** What the page asks for again and again on one branch; forgotten when the branch grows. */
class Caches {
  views = new Map<number, WorldView>();
  invariants = new Map<number, InvariantResult[]>();
  readonly incremental = new IncrementalInvariants();
  opSeqs: number[] | null = null;
  series: { last: number; points: number; data: AccountingPoint[] } | null = null;
  opSeries = new Map<string, OpSeries>();
  outcome: LogOutcome | null = null;
  /** The branch's length these answers are for. */
  length = -1;
}

/** The timeline filter as the one event matcher reads it (an empty field filters nothing). */
function matchOf(f: EventFilter): EventMatch {
  return { ...(f.actor ? { shownActor: f.actor } : {}), ...(f.type ? { type: f.type } : {}), ...(f.text ? { text: f.text } : {}) };
}

export class EngineBackend implements InspectorBackend {
  readonly session: Session;
  private readonly caches = new Map<Branch, Caches>();

  constructor(opts: EngineBackendOptions | { session: Session }) {
    if ('session' in opts) this.session = opts.session;
    else {
      this.session = Session.fromEvents(opts.system, opts.events, {
        name: opts.name, ...(opts.logPath ? { logPath: opts.logPath } : {}), ...(opts.forkDir ? { forkDir: opts.forkDir } : {}),
      });
    }
    // seeking anywhere costs at most one checkpoint interval from the first step on
    this.session.timeline.buildCheckpoints();
  }

  private get cur(): Branch { return this.session.branch; }
  /** The shown branch's events: on disk for a log (Timeline.openIndexed), so read what is needed, by seq. */
  private get log(): EventList { return this.cur.timeline.events; }

  /** The shown branch's caches, emptied when it has grown since they were filled. */
  private cache(): Caches {
    const b = this.cur;
    let c = this.caches.get(b);
    if (!c) this.caches.set(b, (c = new Caches()));
    if (c.length !== b.timeline.length) {
      c.views.clear();
      c.opSeqs = null;
      c.series = null;
      c.opSeries.clear();
      c.outcome = null;
      c.length = b.timeline.length;
    }
    return c;
  }

  /** The world after events 1..seq, seq clamped to the branch. */
  private world(seq: number): World {
    const tl = this.cur.timeline;
    return tl.worldAt(Math.max(0, Math.min(seq, tl.length)));
  }

  info(): InspectorInfo {
    const b = this.cur;
    return { name: b.name, lastSeq: b.timeline.length, system: b.system, ...(b.logPath ? { logPath: b.logPath } : {}), live: true, branch: b.id };
  }

  branches(): BranchInfo[] {
    return this.session.branches.map((b) => ({
      id: b.id, name: b.name, ...(b.logPath ? { logPath: b.logPath } : {}),
      parent: b.parent, forkSeq: b.forkSeq, lastSeq: b.timeline.length, current: b === this.cur,
    }));
  }

  selectBranch(id: number): InspectorInfo {
    this.session.select(id);
    return this.info();
  }

  /**
   * Branches a and b side by side: the last step they share, each one's first event past it and the world
   * after that operation, and what differs between those two worlds (the one world diff, src/timeline/diff.ts).
   */
  compareBranches(a: number, b: number): BranchComparison {
    const find = (id: number): Branch => {
      const br = this.session.branches.find((x) => x.id === id);
      if (!br) throw new Error(`no branch ${id} (branches: ${this.session.branches.map((x) => x.id).join(', ')})`);
      return br;
    };
    const A = find(a);
    const B = find(b);
    const common = commonPrefix(this.branches(), a, b);
    const side = (br: Branch): { side: BranchSide; world: World } => {
      const tl = br.timeline;
      const events = tl.events;
      const first = common < events.length ? events.at(common)! : null;
      // the operation the first event past the shared history belongs to, and its end (the next op event, less one)
      let op: OpEvent | null = null;
      for (let i = common; i >= 0 && first; i--) { const e = events.at(i)!; if (e.type === 'op') { op = e; break; } }
      let at = common;
      if (first) { at = common + 1; while (at < events.length && events.at(at)!.type !== 'op') at++; }
      const world = tl.worldAt(at);
      const blocks = tableToArray(world.blocks);
      const counters = opCounters(world);
      return {
        world,
        side: {
          branch: br.id, name: br.name, lastSeq: tl.length, first, op, at,
          world: {
            blocks: blocks.length, online: blocks.filter((x) => x.state === 'online').length, faults: world.faults.length, tainted: taintOf(world) !== 0,
            nodes: counters.nodes.map(({ node, presentPages, managedPages, memmapPages }) => ({ node, presentPages, managedPages, memmapPages })),
          },
        },
      };
    };
    const sa = side(A);
    const sb = side(B);
    const changes = diffWorlds(sa.world, sb.world);
    return { common, a: sa.side, b: sb.side, changes: changes.slice(0, 500), changeCount: changes.length };
  }

  events(fromSeq: number, toSeq: number): MemhpEvent[] {
    return this.log.slice(Math.max(0, fromSeq - 1), Math.max(0, toSeq));
  }

  private ops(): number[] {
    const c = this.cache();
    c.opSeqs ??= this.cur.timeline.index().seqs({ type: 'op' });
    return c.opSeqs;
  }

  search(filter: EventFilter): number[] {
    if (filter.type === 'op' && !filter.actor && !filter.text) return this.ops().slice();
    // the type and the actor column from the index; only a text filter reads the events (one by one, from disk for a log)
    const seqs = this.cur.timeline.index().seqs({ ...(filter.type ? { type: filter.type as EventType } : {}), ...(filter.actor ? { shownActor: filter.actor } : {}) });
    if (!filter.text) return seqs;
    const m = matchOf(filter);
    const log = this.log;
    return seqs.filter((s) => eventMatches(log.at(s - 1)!, m));
  }

  worldState(seq: number): World {
    return this.world(seq);
  }

  worldAt(seq: number): WorldView {
    const cache = this.cache().views;
    let v = cache.get(seq);
    if (!v) {
      v = toView(this.world(seq));
      if (cache.size > 8) cache.delete(cache.keys().next().value!);
      cache.set(seq, v);
    }
    return v;
  }

  diff(a: number, b: number): WorldChange[] {
    return diffWorlds(this.world(a), this.world(b));
  }

  /** The project's invariants (src/check) at this step, plus whether the simulated kernel has faulted. */
  invariantsAt(seq: number): InvariantResult[] {
    const c = this.cache();
    const hit = c.invariants.get(seq);
    if (hit) return hit;
    const world = this.world(seq);
    const g = geometry(world);
    // replay-reproduces-world needs the whole log up to seq; it is `memhp check`'s job, not a per-step view.
    // checked incrementally: only the table chunks that differ from the last checked world are looked at again
    const incremental = c.incremental.check(world);
    const results = INVARIANTS.filter((i) => i.name !== 'replay-reproduces-world').map((inv): InvariantResult => {
      const violations = incremental.get(inv.name) ?? inv.check({ world, g });
      return { name: inv.name, holds: violations.length === 0, violations };
    });
    const faults = world.faults.map((f) => `seq ${f.seq}: ${f.message}`);
    const out = [...results, { name: 'no-fault', holds: faults.length === 0, violations: faults }];
    c.invariants.set(seq, out);
    if (c.invariants.size > 64) c.invariants.delete(c.invariants.keys().next().value!);
    return out;
  }

  accountingSeries(points: number): AccountingPoint[] {
    const c = this.cache();
    const log = this.log;
    const last = log.length;
    if (c.series?.last === last && c.series.points === points) return c.series.data;
    const seqs = new Set<number>();
    for (let i = 0; i < points; i++) seqs.add(Math.round((i * last) / Math.max(1, points - 1)));
    // Sample the counters folding forward from point to point, or from a checkpoint when that is shorter
    // (a log on disk is read only around the points, not whole).
    const out: AccountingPoint[] = [];
    const interval = this.cur.timeline.interval;
    let w = emptyWorld(this.cur.system);
    let at = 0;
    for (const seq of [...seqs].sort((x, y) => x - y)) {
      w = seq - at <= seq % interval ? evolveAll(w, log.slice(at, seq)) : this.world(seq);
      at = seq;
      out.push({ seq, ...toViewCounters(w) });
    }
    c.series = { last, points, data: out };
    return out;
  }

  accountingByOp(fromOp: number, toOp: number, points: number): OpSeries {
    const c = this.cache();
    const log = this.log;
    const interval = this.cur.timeline.interval;
    const ops = this.ops();
    const total = ops.length;
    const lo = Math.max(0, Math.min(fromOp, total - 1));
    const hi = Math.max(lo, Math.min(toOp, total - 1));
    const key = `${lo}:${hi}:${points}`;
    const hit = c.opSeries.get(key);
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
      const end = i + 1 < total ? ops[i + 1]! - 1 : log.length;
      if (w && end - at <= end % interval) w = evolveAll(w, log.slice(at, end));
      else w = this.world(end);
      at = end;
      const op = log.at(ops[i]! - 1)!;
      samples.push({
        op: i, seq: ops[i]!, end,
        label: op.type === 'op' ? opLine(op) : '',
        failed: op.type === 'op' && op.ret !== 0,
        ...opCounters(w),
      });
    }
    const series: OpSeries = { totalOps: total, opSeqs: ops, samples };
    if (c.opSeries.size > 16) c.opSeries.clear();
    c.opSeries.set(key, series);
    return series;
  }

  outcome(): LogOutcome {
    const c = this.cache();
    if (c.outcome) return c.outcome;
    // from the index: only the (at most 200 + 200) events listed are read
    const idx = this.cur.timeline.index();
    const log = this.log;
    const faults = idx.seqs({ type: 'fault' });
    const failed = idx.seqs({ type: 'op', flag: FAILED_OP });
    const out: LogOutcome = {
      faults: faults.slice(0, 200).map((s) => { const e = log.at(s - 1) as FaultEvent; return { seq: s, text: `memory${e.block} section${e.section}: ${e.message}` }; }),
      taintSeq: idx.seqs({ flag: TAINTS })[0] ?? null,
      failedOps: failed.slice(0, 200).map((s) => ({ seq: s, text: opLine(log.at(s - 1) as OpEvent) })),
      faultCount: faults.length,
      failedCount: failed.length,
    };
    c.outcome = out;
    return out;
  }

  machines(): MachineDefinition[] {
    return Object.entries(MACHINES).map(([name, m]) => ({ name, definition: statechartFromMachine(m) }));
  }

  actorAt(actor: string, seq: number, window: number): ActorView {
    const tl = this.cur.timeline;
    const log = tl.actorLog(actor);
    if (!log) return { actor, machine: null, state: null, context: {}, last: null, history: [], historyStart: 0, historyTotal: 0 };
    const seqs = log.seqs;
    // transitions at or before seq: seqs[0..at)
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid]! <= seq) lo = mid + 1;
      else hi = mid;
    }
    const at = lo;
    const event = (s: number) => tl.eventAt(s) as TransitionEvent;
    const last = at > 0 ? event(seqs[at - 1]!) : null;
    // A block cycled a million times has a long past: send the part around the step.
    const start = Math.max(0, at - window);
    return {
      actor, machine: log.machine, state: last?.to ?? null, context: log.contextAfter(at, event), last,
      history: seqs.slice(start, at + window).map(event), historyStart: start, historyTotal: seqs.length,
    };
  }

  continueTo(fromSeq: number, direction: 'forward' | 'backward', breakpoints: Breakpoint[]): number | null {
    if (breakpoints.length === 0) return null;
    const bps: TimelineBreakpoint[] = breakpoints.map((b) => breakOnEvent(b.kind === 'seq' ? { seq: b.seq } : matchOf(b.filter)));
    const tl = this.cur.timeline;
    const hits = direction === 'forward' ? tl.findForward(bps, fromSeq + 1) : tl.findBackward(bps, fromSeq - 1);
    return hits[0]?.step ?? null;
  }

  apply(op: Op, atSeq: number): ApplyResult {
    const r = this.session.apply(op, atSeq);
    const opEvent = r.events.find((e) => e.type === 'op');
    return {
      ok: r.ret === 0, ret: r.ret, errno: r.errno,
      ...(opEvent ? { seq: opEvent.seq } : {}),
      ...(r.message ? { message: r.message } : {}),
      ...(r.forked ? { forkedLogPath: r.forked.logPath, forkedBranch: r.forked.branch } : {}),
    };
  }

  attachInspect(observer: (event: unknown) => void): void {
    this.session.attachInspect(observer);
  }

  /** Takes the log's lock now: a live mount holds it from the start, not from its first write. */
  holdLog(): void {
    this.session.holdLog();
  }

  onAppend(listener: () => void): () => void {
    return this.session.onAppend(listener);
  }

  close(): void {
    this.session.close();
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
  return new EngineBackend({ name: system.name, system, events: scenarioEvents({ ...system, ops }), ...opts });
}

/**
 * A recorded log file, kept on disk but for an index, the checkpoints and its resource and fault events
 * (the map's removed ranges and the fault list read them at every step): a million-event log is served
 * in a fraction of the memory its events would take (docs/performance.md).
 */
export function backendFromLog(path: string): EngineBackend {
  return new EngineBackend({ session: Session.openIndexed(path, { retain: (e) => e.type === 'resource' || e.type === 'fault' }) });
}
