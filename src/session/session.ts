/**
 * A live session: the one time-travel engine behind the inspector, a FUSE
 * mount and `memhp step`. It holds branches; each is a Timeline (the world
 * at any step, breakpoints, diff, actor history) that a live system
 * continues. apply(op, at) runs an operation at step `at` synchronously:
 * decided by the live system (real XState actors), appended and fsynced to
 * the branch's log, then added to its timeline — principle 6. At a past step
 * the operation does not rewrite history: the branch is forked there into a
 * new log (the original branch and its file stay as they are) and the
 * operation continues the fork.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { MemhpEvent } from '../engine/events.ts';
import { HotplugSystem } from '../engine/system.ts';
import type { SystemSpec } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
import { openLogForAppend, type LogWriter } from '../log/index.ts';
import { continueLive, createForkLog } from '../timeline/fork.ts';
import { Timeline, type TimelineOptions } from '../timeline/timeline.ts';

export interface SessionOptions extends TimelineOptions {
  /** What the session is called (the system's name, else the log file's). */
  name?: string;
  /** The log the events came from; operations are appended to it. Without one the session lives in memory. */
  logPath?: string;
  /** Where forks go when there is no log file (default: the OS temp dir). */
  forkDir?: string;
}

/** One line of history: the log as opened, or a fork of another branch at an earlier step. */
export class Branch {
  /** Set once the live system first runs (or holdLog() takes the lock). */
  writer: LogWriter | null = null;
  live: HotplugSystem | null = null;

  constructor(
    /** 0 = the log as opened; forks get 1, 2, … */
    readonly id: number,
    readonly name: string,
    readonly timeline: Timeline,
    readonly logPath: string | undefined,
    /** The branch this one was forked from, and the last step they share. */
    readonly parent: number | null,
    readonly forkSeq: number | null,
  ) {}

  get system(): SystemSpec {
    return this.timeline.system;
  }

  close(): void {
    this.live?.stop();
    this.live = null;
    this.writer?.close();
    this.writer = null;
  }
}

export interface ApplyOutcome {
  ret: number;
  errno: string | null;
  message?: string;
  /** The events the operation appended (the op event first). */
  events: readonly MemhpEvent[];
  /** Set when the operation was applied at a past step: the new branch and its log. */
  forked?: { branch: number; logPath: string };
}

export class Session {
  private readonly list: Branch[] = [];
  private cur: Branch;
  private readonly forkDir: string;
  private inspect: ((e: unknown) => void) | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(timeline: Timeline, opts: Omit<SessionOptions, keyof TimelineOptions> = {}) {
    this.forkDir = opts.forkDir ?? join(tmpdir(), 'memhp-forks');
    const name = opts.name ?? timeline.system.name ?? (opts.logPath ? basename(opts.logPath) : 'memhp');
    this.cur = new Branch(0, name, timeline, opts.logPath, null, null);
    this.list.push(this.cur);
  }

  /** Events already decided (a scenario run in memory, or a log read elsewhere). */
  static fromEvents(system: SystemSpec, events: readonly MemhpEvent[], opts: SessionOptions = {}): Session {
    const { name, logPath, forkDir, ...timeline } = opts;
    return new Session(Timeline.fromEvents(system, events, timeline), { ...(name ? { name } : {}), ...(logPath ? { logPath } : {}), ...(forkDir ? { forkDir } : {}) });
  }

  /** A recorded log (read and verified; not locked until the first operation or holdLog()). */
  static open(path: string, opts: Omit<SessionOptions, 'logPath'> = {}): Session {
    const { name, forkDir, ...timeline } = opts;
    return new Session(Timeline.open(path, timeline), { logPath: path, ...(name ? { name } : {}), ...(forkDir ? { forkDir } : {}) });
  }

  /**
   * A recorded log kept on disk but for an index (Timeline.openIndexed): for a viewer of a log of millions of events.
   * `retain` picks the events to keep parsed (ones read again and again, scattered over the log).
   */
  static openIndexed(path: string, opts: Omit<SessionOptions, 'logPath'> & { retain?: (e: MemhpEvent) => boolean } = {}): Session {
    const { name, forkDir, ...timeline } = opts;
    return new Session(Timeline.openIndexed(path, timeline), { logPath: path, ...(name ? { name } : {}), ...(forkDir ? { forkDir } : {}) });
  }

  /** The branch shown. */
  get branch(): Branch {
    return this.cur;
  }
  get timeline(): Timeline {
    return this.cur.timeline;
  }
  get branches(): readonly Branch[] {
    return this.list;
  }

  /** Show another branch; every later call answers for it. */
  select(id: number): Branch {
    const b = this.list.find((x) => x.id === id);
    if (!b) throw new Error(`no branch ${id} (branches: ${this.list.map((x) => x.id).join(', ')})`);
    this.cur = b;
    this.tell();
    return b;
  }

  /** End of the operation that contains step `at`: an operation's effects are atomic, a fork never splits them. */
  private opBoundary(at: number): number {
    const events = this.timeline.events;
    let s = Math.max(0, Math.min(at, events.length));
    while (s < events.length && events.at(s)!.type !== 'op') s++;
    return s;
  }

  /** Runs `op` at step `at`: appends at the end of the branch, forks a new branch at a past step. */
  apply(op: Op, at: number): ApplyOutcome {
    const cut = this.opBoundary(at);
    let forked: ApplyOutcome['forked'];
    if (cut < this.timeline.length) {
      const parent = this.cur;
      const logPath = this.forkPath(cut);
      const timeline = Timeline.prefixOf(parent.timeline, cut);
      // the same new log Timeline.fork writes (src/timeline/fork.ts); its lock is held from here on
      const { log } = createForkLog(parent.system, timeline.events.slice(), logPath, null);
      const id = this.list.length;
      const root = parent.name.replace(/ \(fork .*\)$/, '');
      this.cur = new Branch(id, `${root} (fork ${id} at seq ${cut})`, timeline, logPath, parent.id, cut);
      this.cur.writer = log;
      this.list.push(this.cur);
      forked = { branch: id, logPath };
    }
    this.holdLog();
    // decided by the live actors, appended to the log and to the timeline before apply() returns
    const r = this.liveSystem(this.cur).apply(op);
    this.tell();
    return { ret: r.ret, errno: r.errno, ...(r.message ? { message: r.message } : {}), events: r.events, ...(forked ? { forked } : {}) };
  }

  private forkPath(cut: number): string {
    const first = this.list[0]!;
    const dir = first.logPath ? dirname(first.logPath) : this.forkDir;
    mkdirSync(dir, { recursive: true });
    const stem = first.logPath ? basename(first.logPath).replace(/\.jsonl?$/, '') : first.name.replace(/[^\w.-]+/g, '-');
    for (let i = 1; ; i++) {
      const p = join(dir, `${stem}.fork-${cut}${i > 1 ? `-${i}` : ''}.jsonl`);
      if (!existsSync(p)) return p;
    }
  }

  /** The live system continuing a branch: real XState actors rehydrated from its events (so Stately can watch them). */
  private liveSystem(b: Branch): HotplugSystem {
    b.live ??= continueLive(b.system, b.timeline.events, () => b.writer, {
      // the timeline holds the events (or their index): the live system keeps none of its own
      retainEvents: false,
      ...(this.inspect ? { inspect: this.inspect as never } : {}),
      onEvents: (events) => b.timeline.append(events),
    });
    return b.live;
  }

  /** Lets the live actors report to an XState inspection observer (Stately); the shown branch goes live now. */
  attachInspect(observer: (event: unknown) => void): void {
    this.inspect = observer;
    for (const b of this.list) {
      b.live?.stop();
      b.live = null;
    }
    this.liveSystem(this.cur);
  }

  /** Takes the shown branch's log lock now (a live mount holds it from the start, not from its first write). */
  holdLog(): void {
    const b = this.cur;
    if (b.logPath) b.writer ??= openLogForAppend(b.logPath);
  }

  /** Called after every operation and branch change; returns the unsubscribe. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(): void {
    for (const l of this.listeners) l();
  }

  /** Stops the live actors and releases every log. */
  close(): void {
    for (const b of this.list) b.close();
  }
}
