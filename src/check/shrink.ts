/**
 * Shrinking a counterexample: delta debugging (Zeller's ddmin) over its
 * operation list. Every candidate subsequence is decided again from boot,
 * through the machines, with every invariant checked after every step; it
 * keeps failing when it breaks the same invariant. A candidate that breaks it
 * before its end is cut to that prefix. The result is 1-minimal: leaving out
 * any single operation makes the violation disappear.
 */
import { decide } from '../engine/decide.ts';
import { TableGate } from '../engine/gate.ts';
import type { SystemSpec } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
import { replayViolation } from './explore.ts';
import { bootedWorld, firstViolation } from './invariants/index.ts';
import type { Invariant, Violation } from './types.ts';

export interface Replayed {
  /** The operations up to and including the first that broke an invariant (all of them when none did). */
  ops: Op[];
  violation: Violation | null;
}

const REPLAY = 'replay-reproduces-world';

/** Decides `ops` from boot, checking after each operation that changed the world; stops at the first violation. */
export function replayOps(spec: SystemSpec, ops: readonly Op[], invariants: readonly Invariant[]): Replayed {
  const gate = new TableGate();
  const stateInvariants = invariants.filter((i) => i.name !== REPLAY);
  const checkReplay = stateInvariants.length !== invariants.length;
  let world = bootedWorld(spec);
  const root = firstViolation({ world }, stateInvariants);
  if (root) return { ops: [], violation: root };
  for (let i = 0; i < ops.length; i++) {
    const r = decide(world, gate, ops[i]!);
    if (!r.events.every((e) => e.type === 'op' || e.type === 'warning')) {
      const v = (checkReplay ? replayViolation(world, r.events, r.world) : null) ?? firstViolation({ world: r.world }, stateInvariants);
      if (v) return { ops: ops.slice(0, i + 1), violation: v };
    }
    world = r.world;
  }
  return { ops: [...ops], violation: null };
}

export interface Shrunk {
  ops: Op[];
  violation: Violation;
  /** Candidate sequences decided while shrinking. */
  tries: number;
}

/** ddmin over `ops`, which must break `invariant` (checked first; throws otherwise). */
export function shrinkOps(spec: SystemSpec, ops: readonly Op[], invariant: string, invariants: readonly Invariant[]): Shrunk {
  let tries = 1;
  const failing = (candidate: readonly Op[]): Replayed | null => {
    tries++;
    const r = replayOps(spec, candidate, invariants);
    return r.violation?.invariant === invariant ? r : null;
  };
  const first = replayOps(spec, ops, invariants);
  if (first.violation?.invariant !== invariant) throw new Error(`shrinkOps: the sequence does not break ${invariant}`);
  let current = first.ops;
  let violation = first.violation;
  let n = 2;
  while (current.length >= 2) {
    const chunk = Math.ceil(current.length / n);
    const parts: Op[][] = [];
    for (let i = 0; i < current.length; i += chunk) parts.push(current.slice(i, i + chunk));
    let reduced = false;
    // a part alone (reduce to subset), then each complement (reduce to complement)
    for (const part of parts) {
      const r = failing(part);
      if (r) {
        [current, violation, n, reduced] = [r.ops, r.violation!, 2, true];
        break;
      }
    }
    if (!reduced && parts.length > 2) {
      for (let k = 0; k < parts.length; k++) {
        const r = failing(parts.flatMap((p, j) => (j === k ? [] : p)));
        if (r) {
          [current, violation, n, reduced] = [r.ops, r.violation!, Math.max(n - 1, 2), true];
          break;
        }
      }
    }
    if (reduced) continue;
    if (n >= current.length) break;
    n = Math.min(current.length, 2 * n);
  }
  return { ops: current, violation, tries };
}
