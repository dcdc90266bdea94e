/**
 * A transaction: one operation being decided. Each emitted event is given
 * its sequence number and applied to a draft of the world at once, so later
 * decisions of the same operation see its earlier effects. The operation's
 * own `op` event comes first in the log; its result is filled in at the end.
 */
import { errnoName, KernelError } from '../kernel/errno.ts';
import type { Geometry } from '../kernel/geometry.ts';
import type { Op } from '../kernel/ops.ts';
import type { ReasonStep } from '../kernel/reason.ts';
import type { MachineEvent, MachineKind } from '../../machines/index.ts';
import type { MemhpEvent, OpEvent, UnsequencedEvent } from './events.ts';
import { applyEvent, WorldDraft } from './evolve.ts';
import type { LifecycleGate } from './gate.ts';
import { actorName, actorRecord } from './reader.ts';
import { geometry, type World } from './world.ts';

/** An oops: the task died inside the kernel, so no caller cleans up after it (no rollback). */
export class Oops extends KernelError {}

/**
 * Which of an operation's events a transaction hands back: 'all', or 'ends' (the op event and
 * the last one) for a caller that reads only those. Every event is applied to the draft either
 * way; one `add_memory` of a 64 TiB range is 3.1M events, ≈1 GB held until the op ends
 * (docs/performance.md, "A 64 TiB run --json").
 */
export type OpEvents = 'all' | 'ends';

export interface TxOptions {
  /** Which of the operation's events to hand back (default 'all'). */
  opEvents?: OpEvents;
  /**
   * Deep-freeze the events handed back, and freeze the world the operation
   * makes (default true). The model checker passes false: it reads an
   * operation's events once and drops them, and it alone reads the worlds it
   * makes; freezing the events was a fifth of a small operation's cost and
   * freezing the worlds a sixth of its CPU time per transition
   * (docs/explore.md "Where the time went", its seventh pass for the worlds). A
   * world never relies on its events being frozen.
   */
  freeze?: boolean;
  /**
   * When the operation wrote nothing but log records (its op record and
   * warnings: a refused operation), hand back the world it started from,
   * sequence number and all, instead of a copy one step on (default false).
   * For the model checker, which keeps no log and treats such an operation as
   * a self-loop: half the operations it tries.
   */
  sameWorldIfUnchanged?: boolean;
}

/**
 * Deep-freezes an event's plain objects and arrays, as immer's freeze(e, true) did, without
 * its generality (the model checker freezes millions). Anything else (a class instance, a
 * typed array) is left as it is, as immer leaves what it cannot draft.
 */
function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  if (Array.isArray(v)) {
    Object.freeze(v);
    for (const x of v) deepFreeze(x);
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return;
  Object.freeze(v);
  for (const k in v) deepFreeze((v as Record<string, unknown>)[k]);
}

/** The context of a transition that sets none (shared: nothing writes an event's context). */
const NO_CONTEXT = Object.freeze({});

/** A transition's `event` (its type alone), one frozen object per type: shared, as nothing writes it. */
const EVENT_OF_TYPE = new Map<string, { readonly type: string }>();
function eventOfType(type: string): { readonly type: string } {
  let e = EVENT_OF_TYPE.get(type);
  if (e === undefined) EVENT_OF_TYPE.set(type, (e = Object.freeze({ type })));
  return e;
}

export class Tx {
  readonly draft: WorldDraft;
  readonly events: MemhpEvent[] = [];
  readonly g: Geometry;

  private readonly keep: OpEvents;
  private readonly freeze: boolean;
  private readonly sameIfUnchanged: boolean;
  /** an event other than the op record and warnings was applied */
  private changed = false;

  constructor(
    readonly world: World,
    readonly gate: LifecycleGate,
    op: Op,
    options: TxOptions = {},
  ) {
    this.keep = options.opEvents ?? 'all';
    this.freeze = options.freeze ?? true;
    this.sameIfUnchanged = options.sameWorldIfUnchanged ?? false;
    this.draft = new WorldDraft(world, { freeze: this.freeze });
    this.g = geometry(world);
    gate.beginOp?.();
    this.emit({ type: 'op', op, ret: 0, errno: null });
  }

  get params() {
    return this.draft.params;
  }
  get system() {
    return this.world.system;
  }

  /** `e` must be a fresh object: it is given its sequence number in place (a copy per event was an eighth of decide()). */
  emit(e: UnsequencedEvent): MemhpEvent {
    const ev = e as MemhpEvent;
    ev.seq = this.draft.seq + 1;
    applyEvent(this.draft, ev);
    if (ev.type !== 'op' && ev.type !== 'warning') this.changed = true;
    if (this.keep === 'all' || this.events.length < 2) this.events.push(ev);
    else this.events[1] = ev;
    return ev;
  }

  warn(message: string): void {
    this.emit({ type: 'warning', message });
  }

  /**
   * Sends `event` to an actor through the gate (its machine says whether the
   * transition is legal and where it leads) and records the transition. An
   * event the machine does not declare does not compile.
   */
  transition<K extends MachineKind>(machine: K, id: K extends 'hotplug' ? null : number, event: MachineEvent<K>, why?: ReasonStep[]): void {
    const actor = actorName(machine, id);
    const found = actorRecord(this.draft, machine, id);
    const from = found === undefined ? 'absent' : found.state;
    const to = this.gate.send(machine, actor, from, event, found?.context);
    const e: UnsequencedEvent = { type: 'transition', machine, actor, event: eventOfType(event.type), from, to, context: event.set ?? NO_CONTEXT };
    if (why) e.why = why;
    this.emit(e);
  }

  /**
   * Finish with a result: the world the operation leaves, its events in `events`. The op
   * record gets its result in place (its keys stay in the order the log has always written
   * them: type, op, ret, errno, seq, then message and site); events are deep-frozen unless the
   * options said not to.
   */
  finish(ret: number, message?: string, site?: string): World {
    const op = this.events[0] as OpEvent;
    op.ret = ret;
    op.errno = ret === 0 ? null : errnoName(ret);
    if (message) op.message = message;
    if (site) op.site = site;
    if (this.freeze) for (const e of this.events) deepFreeze(e);
    return !this.changed && this.sameIfUnchanged ? this.world : this.draft.finish();
  }
}
