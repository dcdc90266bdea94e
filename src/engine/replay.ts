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

const strip = (e: MemhpEvent) => (e.type === 'op' ? { ...e, message: undefined } : e);

/** Re-decide each recorded op (through live actors by default) and compare event by event. */
export function verifyReplay(system: SystemSpec, events: readonly MemhpEvent[], opts: { actors?: 'live' | 'table' } = {}): VerifyResult {
  const gate = opts.actors === 'table' ? new TableGate() : new LiveGate();
  let world = emptyWorld(system);
  let i = 0;
  let ops = 0;
  try {
    while (i < events.length) {
      const rec = events[i]!;
      if (rec.type !== 'op')
        return { ok: false, checkedOps: ops, world, divergence: { seq: rec.seq, recorded: rec, decided: null, message: `event ${rec.seq} is not preceded by its operation` } };
      const d = decide(world, gate, (rec as OpEvent).op);
      ops++;
      for (let k = 0; k < d.events.length; k++) {
        const want = events[i + k] ?? null;
        const got = d.events[k]!;
        if (!want || !isDeepStrictEqual(strip(want), strip(got)))
          return {
            ok: false,
            checkedOps: ops,
            world,
            divergence: { seq: got.seq, recorded: want, decided: got, message: `event ${got.seq}: the log records ${JSON.stringify(want)}, the machines decide ${JSON.stringify(got)}` },
          };
      }
      const next = events[i + d.events.length];
      if (next && next.type !== 'op')
        return { ok: false, checkedOps: ops, world, divergence: { seq: next.seq, recorded: next, decided: null, message: `event ${next.seq}: the log records more effects of operation ${rec.seq} than the machines decide` } };
      world = d.world;
      i += d.events.length;
    }
    return { ok: true, checkedOps: ops, divergence: null, world };
  } finally {
    if (gate instanceof LiveGate) gate.stopAll();
  }
}
