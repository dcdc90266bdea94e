/**
 * Replay: the world as a pure function of the log. `replay` applies the
 * recorded facts; `verifyReplay` re-decides every recorded operation through
 * the machines and reports the first event where the log and the decision
 * differ.
 */
import { isDeepStrictEqual } from 'node:util';
import type { SystemSpec } from '../kernel/types.ts';
import { decide } from './decide.ts';
import type { MemhpEvent, OpEvent } from './events.ts';
import { evolveAll } from './evolve.ts';
import { LiveGate, TableGate } from './gate.ts';
import { emptyWorld, type World } from './world.ts';

export function replay(system: SystemSpec, events: readonly MemhpEvent[], to = events.length): World {
  return evolveAll(emptyWorld(system), to === events.length ? events : events.slice(0, to));
}

export interface Divergence {
  seq: number;
  recorded: MemhpEvent | null;
  decided: MemhpEvent | null;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  checkedOps: number;
  divergence: Divergence | null;
  world: World;
}

/** What re-deciding must reproduce: the facts, not their explanation (an op's message and site, a transition's reasons), which older logs lack. */
const strip = (e: MemhpEvent) => (e.type === 'op' ? { ...e, message: undefined, site: undefined } : e.type === 'transition' && e.why ? { ...e, why: undefined } : e);

/**
 * Re-decides recorded operations one at a time, as they are read (a log of
 * millions of events need not be in memory): feed() each operation's
 * recorded events, in order; the first divergence stops it.
 */
export class ReplayVerifier {
  private readonly gate: LiveGate | TableGate;
  private _world: World;
  private _checkedOps = 0;
  private _divergence: Divergence | null = null;

  constructor(system: SystemSpec, opts: { actors?: 'live' | 'table' } = {}) {
    this.gate = opts.actors === 'table' ? new TableGate() : new LiveGate();
    this._world = emptyWorld(system);
  }

  get world(): World {
    return this._world;
  }
  get checkedOps(): number {
    return this._checkedOps;
  }
  get divergence(): Divergence | null {
    return this._divergence;
  }

  /** One operation's recorded events (its op event first); false once a divergence is found. */
  feed(recorded: readonly MemhpEvent[]): boolean {
    if (this._divergence !== null) return false;
    const rec = recorded[0];
    if (rec === undefined) return true;
    if (rec.type !== 'op') {
      this._divergence = { seq: rec.seq, recorded: rec, decided: null, message: `event ${rec.seq} is not preceded by its operation` };
      return false;
    }
    const d = decide(this._world, this.gate, (rec as OpEvent).op);
    this._checkedOps++;
    for (let k = 0; k < d.events.length; k++) {
      const want = recorded[k] ?? null;
      const got = d.events[k]!;
      if (!want || !isDeepStrictEqual(strip(want), strip(got))) {
        this._divergence = { seq: got.seq, recorded: want, decided: got, message: `event ${got.seq}: the log records ${JSON.stringify(want)}, the machines decide ${JSON.stringify(got)}` };
        return false;
      }
    }
    const next = recorded[d.events.length];
    if (next) {
      this._divergence = { seq: next.seq, recorded: next, decided: null, message: `event ${next.seq}: the log records more effects of operation ${rec.seq} than the machines decide` };
      return false;
    }
    this._world = d.world;
    return true;
  }

  result(): VerifyResult {
    return { ok: this._divergence === null, checkedOps: this._checkedOps, divergence: this._divergence, world: this._world };
  }

  /** Stops the live actors. */
  stop(): void {
    if (this.gate instanceof LiveGate) this.gate.stopAll();
  }
}

/** Re-decide each recorded op (through live actors by default) and compare event by event. */
export function verifyReplay(system: SystemSpec, events: readonly MemhpEvent[], opts: { actors?: 'live' | 'table' } = {}): VerifyResult {
  const v = new ReplayVerifier(system, opts);
  try {
    let start = 0;
    for (let i = 1; i <= events.length; i++) {
      if (i < events.length && events[i]!.type !== 'op') continue;
      if (!v.feed(events.slice(start, i))) break;
      start = i;
    }
    return v.result();
  } finally {
    v.stop();
  }
}
