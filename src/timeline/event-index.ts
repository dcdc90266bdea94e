/**
 * A compact index of a log, a few bytes an event, so a viewer of a
 * million-event log can answer "which events are ops", "which rows does this
 * filter keep", "which operations failed" and "what did this actor go
 * through" without the events in memory (a log opened with
 * Timeline.openIndexed keeps them on disk). Built once, in order, as events
 * are read or appended.
 */
import type { EventType, MemhpEvent, TransitionEvent } from '../engine/events.ts';
import type { EventList } from '../engine/event-list.ts';
import { rowActor } from './event-text.ts';

const TYPES: readonly EventType[] = ['op', 'transition', 'account', 'vmemmap', 'node', 'resource', 'group', 'device', 'fault', 'knob', 'warning'];
const TYPE_CODE = new Map(TYPES.map((t, i) => [t, i]));

/** An operation the kernel refused (ret ≠ 0). */
export const FAILED_OP = 1;
/** The hotplug system's transition into `tainted`. */
export const TAINTS = 2;

/**
 * Transitions between two kept contexts of one actor: a cycled block's transitions are ~60 events apart,
 * so folding up to 31 of them reads a few blocks of the log, the ones its history window reads anyway.
 */
const CONTEXT_EVERY = 32;

/** One actor's transitions: their seqs, and its context after every CONTEXT_EVERY-th. */
export class ActorLog {
  readonly seqs: number[] = [];
  /**
   * snapshots[k - 1]: the context after transitions 0..k*CONTEXT_EVERY-1 (folded with Object.assign, as the
   * machines' `set` does); null until the first (most of 65,536 actors never reach one: no array each).
   */
  private snapshots: Array<Record<string, unknown>> | null = null;
  private readonly running: Record<string, unknown> = {};

  constructor(readonly machine: TransitionEvent['machine']) {}

  add(e: TransitionEvent): void {
    this.seqs.push(e.seq);
    Object.assign(this.running, e.context);
    if (this.seqs.length % CONTEXT_EVERY === 0) (this.snapshots ??= []).push({ ...this.running });
  }

  /** Its transitions up to seq n, or null when it has none by then. */
  prefix(n: number, event: (seq: number) => TransitionEvent): ActorLog | null {
    let count = 0;
    while (count < this.seqs.length && this.seqs[count]! <= n) count++;
    if (count === 0) return null;
    const out = new ActorLog(this.machine);
    for (let i = 0; i < count; i++) out.seqs.push(this.seqs[i]!);
    const k = Math.floor(count / CONTEXT_EVERY);
    if (k > 0) out.snapshots = this.snapshots!.slice(0, k);
    Object.assign(out.running, this.contextAfter(count, event));
    return out;
  }

  /** Its context after its first `count` transitions (`event(seq)` reads one back). */
  contextAfter(count: number, event: (seq: number) => TransitionEvent): Record<string, unknown> {
    const k = Math.floor(Math.min(count, this.seqs.length) / CONTEXT_EVERY);
    const context = k === 0 ? {} : { ...this.snapshots![k - 1]! };
    for (let i = k * CONTEXT_EVERY; i < count && i < this.seqs.length; i++) Object.assign(context, event(this.seqs[i]!).context);
    return context;
  }
}

export class EventIndex {
  private types = new Uint8Array(1024);
  private shown = new Int32Array(1024);
  private flags = new Uint8Array(1024);
  private readonly names: string[] = [];
  private readonly codes = new Map<string, number>();
  private readonly actors = new Map<string, ActorLog>();
  private _length = 0;

  get length(): number {
    return this._length;
  }

  /** Indexes the events of `list` not indexed yet. */
  catchUp(list: EventList): void {
    if (this._length >= list.length) return;
    for (const e of this._length === 0 ? list : list.slice(this._length)) this.add(e);
  }

  /** The index of the first n events (a branch forked at step n), without reading them again but the few its actors need. */
  prefix(n: number, event: (seq: number) => TransitionEvent): EventIndex {
    const out = new EventIndex();
    const size = Math.max(1024, n);
    out.types = this.types.slice(0, size);
    out.shown = this.shown.slice(0, size);
    out.flags = this.flags.slice(0, size);
    if (out.types.length < size) out.grow(size);
    out.names.push(...this.names);
    for (const [k, v] of this.codes) out.codes.set(k, v);
    for (const [id, log] of this.actors) {
      const cut = log.prefix(n, event);
      if (cut) out.actors.set(id, cut);
    }
    out._length = Math.min(n, this._length);
    return out;
  }

  /** The next event, in order (its seq is length + 1). */
  add(e: MemhpEvent): void {
    const i = this._length;
    if (i === this.types.length) this.grow();
    this.types[i] = TYPE_CODE.get(e.type)!;
    const actor = rowActor(e);
    let code = this.codes.get(actor);
    if (code === undefined) {
      code = this.names.length;
      this.names.push(actor);
      this.codes.set(actor, code);
    }
    this.shown[i] = code;
    let f = 0;
    if (e.type === 'op' && e.ret !== 0) f |= FAILED_OP;
    if (e.type === 'transition') {
      if (e.actor === 'hotplug' && e.to === 'tainted') f |= TAINTS;
      let log = this.actors.get(e.actor);
      if (!log) this.actors.set(e.actor, (log = new ActorLog(e.machine)));
      log.add(e);
    }
    this.flags[i] = f;
    this._length = i + 1;
  }

  private grow(atLeast = 0): void {
    const n = Math.max(atLeast, this.types.length * 2);
    const t = new Uint8Array(n);
    t.set(this.types);
    this.types = t;
    const s = new Int32Array(n);
    s.set(this.shown);
    this.shown = s;
    const f = new Uint8Array(n);
    f.set(this.flags);
    this.flags = f;
  }

  /**
   * Seqs (ascending) of the events of type `type` (when given) whose row shows `shownActor` (when given)
   * and that carry every bit of `flag` (when given), among the first `length` events.
   */
  seqs(q: { type?: EventType; shownActor?: string; flag?: number }, length = this._length): number[] {
    const type = q.type === undefined ? -1 : TYPE_CODE.get(q.type) ?? -2;
    const actor = q.shownActor === undefined ? -1 : this.codes.get(q.shownActor) ?? -2;
    const out: number[] = [];
    if (type === -2 || actor === -2) return out;
    const flag = q.flag ?? 0;
    const n = Math.min(length, this._length);
    for (let i = 0; i < n; i++) {
      if (type >= 0 && this.types[i] !== type) continue;
      if (actor >= 0 && this.shown[i] !== actor) continue;
      if ((this.flags[i]! & flag) !== flag) continue;
      out.push(i + 1);
    }
    return out;
  }

  /** The transitions of one actor (memory65, section520, hotplug); undefined when it has none. */
  actor(id: string): ActorLog | undefined {
    return this.actors.get(id);
  }

  actorIds(): string[] {
    return [...this.actors.keys()];
  }
}
