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
import type { Op, SystemSpec } from '../kernel/types.ts';
import { openLogForAppend, readLog, writeLogFile, type LogWriter } from '../log/index.ts';
import { loadScenarioFile } from '../scenario/index.ts';
import { MACHINES } from '../../machines/index.ts';
import type {
  AccountingPoint, ApplyResult, Breakpoint, EventFilter, InspectorBackend, InspectorInfo, InvariantResult, MachineDefinition, WorldChange,
} from './backend.ts';
import { diffWorlds } from './diff.ts';
import { eventMatches } from './event-text.ts';
import { statechartFromMachine } from './graph.ts';
// invariants/ directly: src/check/index.ts also loads the model checker and its dev-only fast-check
import { INVARIANTS } from '../check/invariants/index.ts';

/** Distance between kept worlds: seeking costs at most this many evolve steps. */
const CHECKPOINT_EVERY = 1024;

export interface EngineBackendOptions {
  name: string;
  system: SystemSpec;
  events: readonly MemhpEvent[];
  /** Log file the events came from; live operations are appended to it. */
  logPath?: string;
  /** Where forks go when there is no log file (default: the OS temp dir). */
  forkDir?: string;
}

export class EngineBackend implements InspectorBackend {
  private name: string;
  private system: SystemSpec;
  private log: MemhpEvent[];
  private logPath: string | undefined;
  private forkDir: string;
  private writer: LogWriter | null = null;
  private live: HotplugSystem | null = null;
  private inspect: ((e: unknown) => void) | null = null;
  private checkpoints: World[] = [];
  private cache: { seq: number; world: World } | null = null;
  private viewCache = new Map<number, WorldView>();
  private byActor: Map<string, TransitionEvent[]> | null = null;
  private listeners = new Set<() => void>();
  private series: { last: number; points: number; data: AccountingPoint[] } | null = null;

  constructor(opts: EngineBackendOptions) {
    this.name = opts.name;
    this.system = opts.system;
    this.log = [...opts.events];
    this.logPath = opts.logPath;
    this.forkDir = opts.forkDir ?? join(tmpdir(), 'memhp-forks');
    this.reindex();
  }

  private reindex(): void {
    this.checkpoints = [emptyWorld(this.system)];
    this.extendCheckpoints();
    this.cache = null;
    this.viewCache.clear();
    this.byActor = null;
  }

  private extendCheckpoints(): void {
    let w = this.checkpoints[this.checkpoints.length - 1]!;
    for (let i = (this.checkpoints.length - 1) * CHECKPOINT_EVERY; i + CHECKPOINT_EVERY <= this.log.length; i += CHECKPOINT_EVERY) {
      w = evolveAll(w, this.log.slice(i, i + CHECKPOINT_EVERY));
      this.checkpoints.push(w);
    }
  }

  info(): InspectorInfo {
    return { name: this.name, lastSeq: this.log.length, system: this.system, ...(this.logPath ? { logPath: this.logPath } : {}), live: true };
  }

  events(fromSeq: number, toSeq: number): MemhpEvent[] {
    return this.log.slice(Math.max(0, fromSeq - 1), Math.max(0, toSeq));
  }

  search(filter: EventFilter): number[] {
    const out: number[] = [];
    for (const e of this.log) if (eventMatches(e, filter)) out.push(e.seq);
    return out;
  }

  private world(seq: number): World {
    seq = Math.max(0, Math.min(seq, this.log.length));
    const c = this.cache;
    let base: World;
    let from: number;
    const k = Math.min(Math.floor(seq / CHECKPOINT_EVERY), this.checkpoints.length - 1);
    if (c && c.seq <= seq && c.seq >= k * CHECKPOINT_EVERY) { base = c.world; from = c.seq; }
    else { base = this.checkpoints[k]!; from = k * CHECKPOINT_EVERY; }
    const world = evolveAll(base, this.log.slice(from, seq));
    this.cache = { seq, world };
    return world;
  }

  worldAt(seq: number): WorldView {
    let v = this.viewCache.get(seq);
    if (!v) {
      v = toView(this.world(seq));
      if (this.viewCache.size > 8) this.viewCache.delete(this.viewCache.keys().next().value!);
      this.viewCache.set(seq, v);
    }
    return v;
  }

  diff(a: number, b: number): WorldChange[] {
    return diffWorlds(this.worldAt(a), this.worldAt(b));
  }

  /** The project's invariants (src/check) at this step, plus whether the simulated kernel has faulted. */
  invariantsAt(seq: number): InvariantResult[] {
    const world = this.world(seq);
    const g = geometry(world);
    // replay-reproduces-world needs the whole log up to seq; it is `memhp check`'s job, not a per-step view.
    const results = INVARIANTS.filter((i) => i.name !== 'replay-reproduces-world').map((inv): InvariantResult => {
      const violations = inv.check({ world, g });
      return { name: inv.name, holds: violations.length === 0, violations };
    });
    const faults = this.worldAt(seq).faults.map((f) => `seq ${f.seq}: ${f.message}`);
    return [...results, { name: 'no-fault', holds: faults.length === 0, violations: faults }];
  }

  accountingSeries(points: number): AccountingPoint[] {
    const last = this.log.length;
    if (this.series?.last === last && this.series.points === points) return this.series.data;
    const seqs = new Set<number>();
    for (let i = 0; i < points; i++) seqs.add(Math.round((i * last) / Math.max(1, points - 1)));
    // Sample the counters by folding the log once (not by seeking per point).
    const out: AccountingPoint[] = [];
    let w = emptyWorld(this.system);
    let at = 0;
    for (const seq of [...seqs].sort((x, y) => x - y)) {
      w = evolveAll(w, this.log.slice(at, seq));
      at = seq;
      const v = toViewCounters(w);
      out.push({ seq, ...v });
    }
    this.series = { last, points, data: out };
    return out;
  }

  machines(): MachineDefinition[] {
    return Object.entries(MACHINES).map(([name, m]) => ({ name, definition: statechartFromMachine(m) }));
  }

  actorHistory(actorId: string): TransitionEvent[] {
    if (!this.byActor) {
      this.byActor = new Map();
      for (const e of this.log) {
        if (e.type !== 'transition') continue;
        let list = this.byActor.get(e.actor);
        if (!list) this.byActor.set(e.actor, (list = []));
        list.push(e);
      }
    }
    return this.byActor.get(actorId) ?? [];
  }

  continueTo(fromSeq: number, direction: 'forward' | 'backward', breakpoints: Breakpoint[]): number | null {
    if (breakpoints.length === 0) return null;
    const seqs = new Set(breakpoints.flatMap((b) => (b.kind === 'seq' ? [b.seq] : [])));
    const filters = breakpoints.flatMap((b) => (b.kind === 'match' ? [b.filter] : []));
    const hits = (e: MemhpEvent) => seqs.has(e.seq) || filters.some((f) => eventMatches(e, f));
    if (direction === 'forward') {
      for (let s = fromSeq + 1; s <= this.log.length; s++) if (hits(this.log[s - 1]!)) return s;
    } else {
      for (let s = fromSeq - 1; s >= 1; s--) if (hits(this.log[s - 1]!)) return s;
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
    if (cut < this.log.length) {
      // A past step: the original log stays as it was; continue in a new one.
      this.live?.stop();
      this.live = null;
      this.writer?.close();
      this.writer = null;
      this.log = this.log.slice(0, cut);
      forkedLogPath = this.forkPath(cut);
      writeLogFile(forkedLogPath, this.system, this.log.map(({ seq: _seq, ...rest }) => rest as never), { createdAt: null });
      this.logPath = forkedLogPath;
      this.name = `${this.name} (fork at ${cut})`;
      this.reindex();
    }
    const sys = this.system_();
    const before = sys.events.length;
    const r = sys.apply(op);
    const added = sys.events.slice(before);
    if (this.logPath) {
      this.writer ??= openLogForAppend(this.logPath);
      this.writer.append(added.map(({ seq: _seq, ...rest }) => rest as never));
    }
    this.log.push(...added);
    this.cache = null;
    this.byActor = null;
    this.viewCache.clear();
    this.extendCheckpoints();
    for (const l of this.listeners) l();
    const opEvent = added.find((e) => e.type === 'op');
    return {
      ok: r.ret === 0, ret: r.ret, errno: r.errno,
      ...(opEvent ? { seq: opEvent.seq } : {}),
      ...(r.message ? { message: r.message } : {}),
      ...(forkedLogPath ? { forkedLogPath } : {}),
    };
  }

  private forkPath(cut: number): string {
    const dir = this.logPath ? dirname(this.logPath) : this.forkDir;
    mkdirSync(dir, { recursive: true });
    const stem = this.logPath ? basename(this.logPath).replace(/\.jsonl?$/, '') : this.name.replace(/[^\w.-]+/g, '-');
    for (let i = 1; ; i++) {
      const p = join(dir, `${stem}.fork-${cut}${i > 1 ? `-${i}` : ''}.jsonl`);
      if (!existsSync(p)) return p;
    }
  }

  /** The live system continuing this log (real XState actors, so Stately can watch them). */
  private system_(): HotplugSystem {
    this.live ??= new HotplugSystem(this.system, {
      actors: 'live',
      history: this.log,
      ...(this.inspect ? { inspect: this.inspect as never } : {}),
    });
    return this.live;
  }

  attachInspect(observer: (event: unknown) => void): void {
    this.inspect = observer;
    this.live?.stop();
    this.live = null;
    this.system_();
  }

  /** Takes the log's lock now: a live mount holds it from the start, not from its first write. */
  holdLog(): void {
    if (this.logPath) this.writer ??= openLogForAppend(this.logPath);
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.live?.stop();
    this.writer?.close();
  }
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
