/**
 * The explorer as it was before the fast search (src/check/mc): string
 * canonical keys hashed with SHA-1 into a Set, the frontier as a list of
 * worlds, the replay invariant through a JSON round trip. Kept runnable so
 * the bench measures the new search against it in one run, and the
 * differential test (test/check/explore-differential.test.ts) compares their
 * verdicts. Not part of the package.
 */
import { createHash } from 'node:crypto';
import { decide } from '../../src/engine/decide.ts';
import type { MemhpEvent } from '../../src/engine/events.ts';
import { evolveAll } from '../../src/engine/evolve.ts';
import { TableGate } from '../../src/engine/gate.ts';
import type { World } from '../../src/engine/world.ts';
import type { SystemSpec } from '../../src/kernel/types.ts';
import type { Op } from '../../src/kernel/ops.ts';
import { canonicalKey } from '../../src/check/canonical.ts';
import { describeOps, writeCounterexampleLog } from '../../src/check/counterexample.ts';
import { bootedWorld, firstViolation, INVARIANTS } from '../../src/check/invariants/index.ts';
import { operationsOf, smallMachine, type OperationChoice, type SmallMachineOptions } from '../../src/check/machine.ts';
import type { Invariant, Violation } from '../../src/check/types.ts';

export interface ExploreOptions extends SmallMachineOptions, OperationChoice {
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
}

const hashKey = (w: World) => createHash('sha1').update(canonicalKey(w)).digest('base64');

/** A record must survive the log's JSON round trip and fold back into the same world. */
function replayViolation(parent: World, events: readonly MemhpEvent[], world: World): Violation | null {
  const decoded = JSON.parse(JSON.stringify(events)) as MemhpEvent[];
  let replayed: World;
  try {
    replayed = evolveAll(parent, decoded);
  } catch (e) {
    return { invariant: 'replay-reproduces-world', message: `replaying the operation's log records fails: ${(e as Error).message}` };
  }
  if (canonicalKey(replayed) !== canonicalKey(world))
    return { invariant: 'replay-reproduces-world', message: "replaying the operation's log records gives a different world than the live one" };
  return null;
}

export function exploreBaseline(opts: ExploreOptions = {}): ExploreResult {
  // refused operations throw KernelError by the thousand; their stack traces are never read here
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return search(opts);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function search(opts: ExploreOptions): ExploreResult {
  const machine = smallMachine(opts);
  const ops = operationsOf(machine, opts);
  const depth = opts.depth ?? 5;
  const maxStates = opts.maxStates ?? 200_000;
  const maxMs = (opts.maxSeconds ?? 60) * 1000;
  const every = opts.progressEvery ?? 2000;
  const invariants = opts.invariants ?? INVARIANTS;
  // replay is checked incrementally below (whole-log replay per state would cost O(depth))
  const stateInvariants = invariants.filter((i) => i.name !== 'replay-reproduces-world');
  const checkReplay = stateInvariants.length !== invariants.length;
  const gate = new TableGate();
  const t0 = performance.now();

  const parents: number[] = [-1];
  const opOf: number[] = [-1];
  const seen = new Set<string>();
  const root = bootedWorld(machine.spec);
  seen.add(hashKey(root));
  let transitions = 0;
  let depthReached = 0;
  let bound: ExploreResult['bound'] = null;
  let found: { id: number; violation: Violation } | null = null;

  const rootViolation = firstViolation({ world: root }, stateInvariants);
  if (rootViolation) found = { id: 0, violation: rootViolation };

  let frontier: { world: World; id: number }[] = found ? [] : [{ world: root, id: 0 }];
  let exhausted = false;
  search: for (let d = 1; d <= depth && frontier.length > 0; d++) {
    depthReached = d;
    const next: { world: World; id: number }[] = [];
    for (const s of frontier) {
      for (let oi = 0; oi < ops.length; oi++) {
        const r = decide(s.world, gate, ops[oi]!);
        transitions++;
        // a refused operation leaves the state as it was (only its op record and warnings)
        if (r.events.every((e) => e.type === 'op' || e.type === 'warning')) continue;
        const key = hashKey(r.world);
        if (seen.has(key)) continue;
        seen.add(key);
        const id = parents.length;
        parents.push(s.id);
        opOf.push(oi);
        const violation = (checkReplay ? replayViolation(s.world, r.events, r.world) : null) ?? firstViolation({ world: r.world }, stateInvariants);
        if (violation) {
          found = { id, violation };
          break search;
        }
        next.push({ world: r.world, id });
        const elapsed = performance.now() - t0;
        if (seen.size % every === 0) opts.onProgress?.({ statesExplored: seen.size, depth: d, frontier: next.length, elapsedMs: elapsed });
        if (seen.size >= maxStates) {
          bound = { kind: 'states', limit: maxStates, message: `stopped at the state bound: ${maxStates} states explored, depth ${d} not finished` };
          break search;
        }
        if (elapsed >= maxMs) {
          bound = { kind: 'time', limit: maxMs / 1000, message: `stopped at the time bound: ${maxMs / 1000} s, ${seen.size} states explored, depth ${d} not finished` };
          break search;
        }
      }
    }
    opts.onProgress?.({ statesExplored: seen.size, depth: d, frontier: next.length, elapsedMs: performance.now() - t0 });
    frontier = next;
    if (next.length === 0) exhausted = true;
  }

  const elapsedMs = performance.now() - t0;
  let counterexample: Counterexample | null = null;
  if (found) {
    const path: Op[] = [];
    for (let id = found.id; id > 0; id = parents[id]!) path.push(ops[opOf[id]!]!);
    path.reverse();
    counterexample = { ops: path, steps: describeOps(machine.spec, path), violation: found.violation };
    if (opts.counterexampleFile) {
      writeCounterexampleLog(opts.counterexampleFile, machine.spec, path);
      counterexample.logFile = opts.counterexampleFile;
    }
  }
  return {
    spec: machine.spec,
    operations: ops.length,
    statesExplored: seen.size,
    transitions,
    statesPerSec: Math.round(seen.size / Math.max(elapsedMs / 1000, 1e-3)),
    elapsedMs,
    depthReached,
    complete: !found && !bound,
    exhausted,
    bound,
    counterexample,
  };
}
