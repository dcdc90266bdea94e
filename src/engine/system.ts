/**
 * HotplugSystem: the live simulated machine. Commands go
 * validate → decide (kernel rules + machine transitions) → events → evolve
 * → notify listeners (log writer, inspector). Views never write state.
 */
import type { SystemSpec } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
import { geometryOf } from '../kernel/geometry.ts';
import { decide } from './decide.ts';
import type { OpEvents } from './tx.ts';
import type { EventList } from './event-list.ts';
import type { MemhpEvent } from './events.ts';
import { actorNumber, applyEvent, WorldDraft } from './evolve.ts';
import type { MachineEvent, MachineKind } from '../../machines/index.ts';
import { IllegalTransition, LiveGate, TableGate, type LifecycleGate, type LiveGateOptions } from './gate.ts';
import { actorIdOf, actorRecord, readerOf } from './reader.ts';
import { toView } from './to-view.ts';
import type { WorldView } from './view.ts';
import { emptyWorld, type World } from './world.ts';
import { errnoName } from '../kernel/errno.ts';

export interface OpResult {
  ret: number;
  errno: string | null;
  message?: string;
  events: readonly MemhpEvent[];
}

export interface SystemOptions extends LiveGateOptions {
  /** 'live' (default): a real XState actor per block and section; 'table': decide through the machines' transition tables. */
  actors?: 'live' | 'table';
  /** Called with each operation's events, in order, after they are applied. */
  onEvents?: (events: readonly MemhpEvent[]) => void;
  /** Events already recorded (e.g. a log being continued): applied instead of booting. */
  history?: EventList;
  /**
   * Keep every event in memory for `events` (default true). A caller whose
   * events go to a log (the log is the truth) passes false, so a machine of
   * millions of events holds only its world: `events` then throws, and
   * `seq` and each apply()'s result still say everything.
   */
  retainEvents?: boolean;
  /**
   * 'ends': apply() returns (and onEvents gets) only each operation's op event and its last
   * event, for a caller that reads nothing else (`memhp run --json` with no log); needs
   * `retainEvents: false`. Default 'all'.
   */
  opEvents?: OpEvents;
}

export class HotplugSystem {
  private _world: World;
  private readonly _events: MemhpEvent[] = [];
  readonly gate: LifecycleGate;
  private readonly retain: boolean;

  constructor(
    readonly spec: SystemSpec,
    private readonly options: SystemOptions = {},
  ) {
    geometryOf(spec); // invalid geometry is invalid input: fail before anything exists
    this.retain = options.retainEvents !== false;
    if (this.retain && options.opEvents === 'ends') throw new Error("HotplugSystem: opEvents 'ends' keeps no events to retain: pass retainEvents: false");
    this.gate = options.actors === 'table' ? new TableGate() : new LiveGate(options);
    this._world = emptyWorld(spec);
    if (this.gate instanceof LiveGate)
      this.gate.attach((machine, actor) => {
        const id = actorIdOf(machine, actor);
        return id === undefined ? undefined : actorRecord(readerOf(this._world), machine, id);
      });
    if (options.history && options.history.length > 0) this.rehydrate(options.history);
    else this.apply({ op: 'boot' });
  }

  /**
   * Replays recorded events through the gate so live actors match the log:
   * each recorded transition is sent to its machine (an actor passivated on
   * the way is rehydrated from the world as it was at that event) and must
   * lead where the log says.
   */
  private rehydrate(history: EventList): void {
    const d = new WorldDraft(this._world);
    // the whole history is one bulk for the gate: past the actors it keeps, it starts no more
    this.gate.beginOp?.();
    for (const e of history) {
      if (e.type === 'transition') {
        const found = actorRecord(d, e.machine, e.machine === 'hotplug' ? null : actorNumber(e));
        // a recorded event is only as typed as the log's schema: the gate checks it against the machine
        const event = { type: e.event.type, set: e.context } as MachineEvent<MachineKind>;
        const to = this.gate.send(e.machine, e.actor, e.from, event, found?.context);
        if (to !== e.to) throw new IllegalTransition(`event ${e.seq}: ${e.actor} went to ${to} on ${e.event.type}, the log says ${e.to}`);
      }
      applyEvent(d, e);
      if (this.retain) this._events.push(e);
    }
    this._world = d.finish();
  }

  get world(): World {
    return this._world;
  }
  get events(): readonly MemhpEvent[] {
    if (!this.retain) throw new Error('this HotplugSystem does not retain its events (retainEvents: false): read them from its log');
    return this._events;
  }
  get seq(): number {
    return this._world.seq;
  }

  apply(op: Op): OpResult {
    const d = decide(this._world, this.gate, op, { opEvents: this.options.opEvents });
    this._world = d.world;
    if (this.retain) for (const e of d.events) this._events.push(e);
    this.options.onEvents?.(d.events);
    return { ret: d.ret, errno: d.ret === 0 ? null : errnoName(d.ret), ...(d.message ? { message: d.message } : {}), events: d.events };
  }

  view(): WorldView {
    return toView(this._world);
  }

  /** Stops every live actor. */
  stop(): void {
    if (this.gate instanceof LiveGate) this.gate.stopAll();
  }
}
