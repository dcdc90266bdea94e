/**
 * The model checker: breadth-first search over every sequence of operations
 * on a small machine, one visit per state (by 64-bit fingerprint), every
 * invariant checked in every new state. Breadth-first means the first
 * violation found is reached by a shortest sequence. The state space, the
 * visited set, the trail and the worker threads are in ./mc (docs/explore.md).
 */
import type { SystemSpec } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
import { describeOps, writeCounterexampleLog } from './counterexample.ts';
import type { OperationChoice, SmallMachineOptions } from './machine.ts';
import { bfs, type SearchOutcome } from './mc/bfs.ts';
import { parallelBfs, workersPossible } from './mc/workers.ts';
import { collisionProbability } from './mc/fpset.ts';
import { StateSpace } from './mc/space.ts';
import type { Invariant, Violation } from './types.ts';

export interface ExploreOptions extends SmallMachineOptions, OperationChoice {
  /** Visit a state and its mirror image once (./mc/symmetry.ts; default false). */
  symmetry?: boolean;
  /** Longest operation sequence to try (default 5). */
  depth?: number;
  /** Stop after this many distinct states (default 200,000). */
  maxStates?: number;
  /** Stop after this many seconds (default 60). */
  maxSeconds?: number;
  /** Invariants to check (default: all). */
  invariants?: readonly Invariant[];
  /** Where to write the counterexample's log (none when omitted). */
  counterexampleFile?: string;
  /** Worker threads for exploreAsync (default 1; `memhp explore` defaults to the cores). explore() runs on this thread. */
  workers?: number;
  /** Worlds of the next level kept in memory; past it a state is rebuilt from the trail (default 0: rebuilding is the faster, docs/explore.md "The trail and the frontier"). */
  frontierStates?: number;
  /** Called every `progressEvery` states and at the end of each depth. */
  onProgress?: (p: ExploreProgress) => void;
  progressEvery?: number;
}

export interface ExploreProgress {
  statesExplored: number;
  depth: number;
  frontier: number;
  elapsedMs: number;
}

export interface Counterexample {
  ops: Op[];
  /** The operations as sentences (blocks named, partial removes pointed out). */
  steps: string[];
  violation: Violation;
  /** The log file written for `memhp inspect` / `memhp step`, if asked for. */
  logFile?: string;
}

export interface ExploreResult {
  spec: SystemSpec;
  /** Operations tried in every state. */
  operations: number;
  statesExplored: number;
  transitions: number;
  statesPerSec: number;
  elapsedMs: number;
  /** Deepest level fully or partly explored. */
  depthReached: number;
  /** Every state within the depth bound was explored (no state or time bound was hit, no counterexample cut it short). */
  complete: boolean;
  /** No new state appeared before the depth bound: the whole reachable space was explored. */
  exhausted: boolean;
  /** Set when a state or time bound stopped the search. */
  bound: { kind: 'states' | 'time'; limit: number; message: string } | null;
  counterexample: Counterexample | null;
  /**
   * Symmetry reduction (the `symmetry` option): whether the mirror was applied, why not if it
   * was asked for and is no symmetry here, and how many distinct states it saved (reached, and
   * not stored because their mirror image was).
   */
  symmetry: { applied: boolean; problem: string | null; saved: number };
  /** Threads that searched. */
  workers: number;
  /** Successors that changed the state (each looked up in the visited set), the initial state included. */
  generated: number;
  /** TLC's estimate of the probability that a fingerprint collision hid a state (distinct × duplicates / 2^64). */
  collisionProbability: number;
  /** Bytes of the visited set, and per state it holds (a shared set is sized for the state bound: per state of that). */
  seenBytes: number;
  bytesPerState: number;
  /** Bytes of the trail (parent and operation of every state). */
  trailBytes: number;
  /** States rebuilt from the trail because the frontier bound did not keep their world. */
  rebuilt: number;
  /**
   * The share of the search's time each thread spent expanding states; the rest it waited for the
   * others at a level's end, or for the visited set to grow. One thread: [1].
   */
  threadBusy: number[];
  /** Milliseconds before the search's clock started (not in elapsedMs): building the state space, and on threads starting them. */
  startupMs: number;
}

export function explore(opts: ExploreOptions = {}): ExploreResult {
  // refused operations throw KernelError by the thousand; their stack traces are never read here
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const t0 = performance.now();
    const space = new StateSpace(opts);
    const startupMs = performance.now() - t0;
    return resultOf(space, opts, { ...bfs(space, limitsOf(opts), opts.onProgress, opts.progressEvery), startupMs });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * explore() on `workers` threads (./mc/workers.ts): same states, same verdict, a counterexample
 * of the same (shortest) length. One worker, or invariants outside the named set (they cannot
 * cross to a thread), run explore() here.
 */
export async function exploreAsync(opts: ExploreOptions = {}): Promise<ExploreResult> {
  const workers = opts.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  if (workers === 1 || !workersPossible(opts)) return explore(opts);
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const t0 = performance.now();
    const space = new StateSpace(opts);
    const built = performance.now() - t0;
    const o = await parallelBfs(space, opts, limitsOf(opts), workers, opts.onProgress);
    return resultOf(space, opts, { ...o, startupMs: built + (o.startupMs ?? 0) }, workers);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

export function limitsOf(opts: ExploreOptions) {
  return {
    depth: opts.depth ?? 5,
    maxStates: opts.maxStates ?? 200_000,
    maxMs: (opts.maxSeconds ?? 60) * 1000,
    frontierStates: opts.frontierStates ?? 0,
  };
}

/** The user's result from a search's outcome: the counterexample's operations and sentences, and its log if asked for. */
export function resultOf(space: StateSpace, opts: ExploreOptions, o: SearchOutcome, workers = 1): ExploreResult {
  const spec = space.machine.spec;
  let counterexample: Counterexample | null = null;
  if (o.found) {
    const path = o.trail.path(o.found.id).map((i) => space.ops[i]!);
    counterexample = { ops: path, steps: describeOps(spec, path), violation: o.found.violation };
    if (opts.counterexampleFile) {
      writeCounterexampleLog(opts.counterexampleFile, spec, path);
      counterexample.logFile = opts.counterexampleFile;
    }
  }
  return {
    spec,
    operations: space.ops.length,
    statesExplored: o.statesExplored,
    transitions: o.transitions,
    statesPerSec: Math.round(o.statesExplored / Math.max(o.elapsedMs / 1000, 1e-3)),
    elapsedMs: o.elapsedMs,
    depthReached: o.depthReached,
    complete: !o.found && !o.bound,
    exhausted: o.exhausted,
    bound: o.bound,
    counterexample,
    symmetry: { applied: space.symmetry !== null, problem: space.symmetryProblem, saved: o.folded },
    workers,
    generated: o.generated,
    collisionProbability: collisionProbability(o.statesExplored, o.generated),
    seenBytes: o.seenBytes,
    bytesPerState: o.seenBytes / Math.max(1, o.seenStates),
    trailBytes: o.trail.bytes,
    rebuilt: o.rebuilt,
    threadBusy: o.busyMs ? o.busyMs.map((ms) => +(ms / Math.max(1, o.elapsedMs)).toFixed(3)) : [1],
    startupMs: o.startupMs ?? 0,
  };
}
