/**
 * Shrinking a counterexample: delta debugging (Zeller's ddmin) over its
 * operation list. Every candidate subsequence is decided again from boot
 * through the state space (the machines and the kernel rules, as every
 * search), with every invariant checked after every operation that changed
 * the world; it keeps failing when it breaks the same invariant. A candidate
 * that breaks it before its end is cut to that prefix. The result is
 * 1-minimal: leaving out any one of its operations makes the violation go.
 */
import type { StateSpace } from './mc/space.ts';
import type { Violation } from './types.ts';

export interface Replayed {
  /** The operations (indexes into space.ops) up to and including the first that broke an invariant; all of them when none did. */
  ops: number[];
  violation: Violation | null;
}

/** Decides the operations from boot, checking after each one that changed the world; stops at the first violation. */
export function replayOps(space: StateSpace, ops: readonly number[]): Replayed {
  let world = space.initial();
  const root = space.checkInitial();
  if (root) return { ops: [], violation: root };
  for (let i = 0; i < ops.length; i++) {
    const s = space.step(world, ops[i]!);
    if (!s.changed) continue;
    const v = space.check(world, s);
    if (v) return { ops: ops.slice(0, i + 1), violation: v };
    world = s.next;
  }
  return { ops: [...ops], violation: null };
}

export interface Shrunk {
  ops: number[];
  violation: Violation;
  /** Candidate sequences decided while shrinking. */
  tries: number;
}

/** ddmin over `ops` (indexes into space.ops), which must break `invariant` (checked first; throws otherwise). */
export function shrinkOps(space: StateSpace, ops: readonly number[], invariant: string): Shrunk {
  let tries = 1;
  const failing = (candidate: readonly number[]): Replayed | null => {
    tries++;
    const r = replayOps(space, candidate);
    return r.violation?.invariant === invariant ? r : null;
  };
  const first = replayOps(space, ops);
  if (first.violation?.invariant !== invariant) throw new Error(`shrinkOps: the sequence does not break ${invariant}`);
  let current = first.ops;
  let violation = first.violation;
  let n = 2;
  while (current.length >= 2) {
    const chunk = Math.ceil(current.length / n);
    const parts: number[][] = [];
    for (let i = 0; i < current.length; i += chunk) parts.push(current.slice(i, i + chunk));
    let r: Replayed | null = null;
    // a part alone (reduce to a subset), then every complement (remove one part); with two parts they are the same
    for (const part of parts) if ((r = failing(part))) break;
    if (r) n = 2;
    else if (parts.length > 2) {
      for (let k = 0; k < parts.length && !r; k++) r = failing(parts.flatMap((p, j) => (j === k ? [] : p)));
      if (r) n = Math.max(n - 1, 2);
    }
    if (r) {
      current = r.ops;
      violation = r.violation!;
      continue;
    }
    if (n >= current.length) break; // every single operation was tried out: 1-minimal
    n = Math.min(current.length, 2 * n);
  }
  return { ops: current, violation, tries };
}
