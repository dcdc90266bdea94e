/**
 * HotplugSystem: the live simulated machine. Commands go
 * validate → decide (kernel rules + machine transitions) → events → evolve
 * → notify listeners (log writer, inspector). Views never write state.
 */
import type { Op, SystemSpec } from '../kernel/types.ts';
import { geometryOf } from '../kernel/geometry.ts';
import { decide } from './decide.ts';
import type { MemhpEvent } from './events.ts';
import { evolveAll } from './evolve.ts';
import { LiveGate, TableGate, type LifecycleGate, type LiveGateOptions } from './gate.ts';
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
  history?: readonly MemhpEvent[];
}

export class HotplugSystem {
  private _world: World;
  private readonly _events: MemhpEvent[] = [];
  readonly gate: LifecycleGate;

  constructor(
    readonly spec: SystemSpec,
    private readonly options: SystemOptions = {},
  ) {
    geometryOf(spec); // invalid geometry is invalid input: fail before anything exists
    this.gate = options.actors === 'table' ? new TableGate() : new LiveGate(options);
    this._world = emptyWorld(spec);
    if (options.history && options.history.length > 0) this.rehydrate(options.history);
    else this.apply({ op: 'boot' });
  }

  /** Replays recorded events through the gate so live actors match the log. */
  private rehydrate(history: readonly MemhpEvent[]): void {
    for (const e of history) {
      if (e.type === 'transition') {
        const from = e.from;
        this.gate.send(e.machine, e.actor, from, { type: e.event.type, set: e.context });
      }
    }
    this._world = evolveAll(this._world, history);
    for (const e of history) this._events.push(e);
  }

  get world(): World {
    return this._world;
  }
  get events(): readonly MemhpEvent[] {
    return this._events;
  }
  get seq(): number {
    return this._world.seq;
  }

  apply(op: Op): OpResult {
    const d = decide(this._world, this.gate, op);
    this._world = d.world;
    for (const e of d.events) this._events.push(e);
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
