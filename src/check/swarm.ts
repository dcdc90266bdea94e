/**
 * Swarm verification (Holzmann, Joshi, Groce): instead of one exhaustive
 * breadth-first search that cannot get past depth 4 or 5, many cheap random
 * depth-first walks, each a differently configured member of the swarm: its
 * own seeded random order of the operations and its own random subset of the
 * operation kinds, so that different walks push into different corners. A
 * bitstate table (one bit per hashed state, shared by the walks of a run)
 * steers each step to a successor no walk has seen yet, when there is one.
 *
 * Walk i of seed S depends on S and i only, so a run is reproducible and runs
 * with different seeds are independent: docs/explore.md shows how to spread
 * seed ranges over machines with a batch scheduler. A counterexample is shrunk
 * to a minimal sequence (./shrink.ts) before it is reported.
 */
import type { World } from '../engine/world.ts';
import { prng } from '../input/prng.ts';
import type { Op } from '../kernel/ops.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { describeOps, writeCounterexampleLog } from './counterexample.ts';
import type { Coverage } from './coverage/collect.ts';
import { CoveredSpace } from './coverage/space.ts';
import type { Counterexample } from './explore.ts';
import type { Fp } from './mc/fingerprint.ts';
import { StateSpace, type SpaceOptions, type Successor } from './mc/space.ts';
import { shrinkOps } from './shrink.ts';
import type { Violation } from './types.ts';

export interface SwarmOptions extends SpaceOptions {
  /** The run's seed (default 1): walk i of seed S is the same walk on every machine. */
  seed?: number;
  /** Walks to run (default 100). */
  walks?: number;
  /** Longest walk, in operations that changed the world (default 20). */
  depth?: number;
  /** Stop after this many seconds (default 60). */
  maxSeconds?: number;
  /** log2 of the bitstate table's bits (default 24: 2 MiB). */
  bitstateLog2?: number;
  counterexampleFile?: string;
  coverage?: Coverage;
  onProgress?: (p: { walks: number; steps: number; elapsedMs: number }) => void;
}

export interface SwarmCounterexample extends Counterexample {
  /** The walk that found it (its index in the run) and its length before shrinking. */
  walk: number;
  foundLength: number;
  /** Sequences decided again while shrinking. */
  shrinkTries: number;
}

export interface SwarmResult {
  spec: SystemSpec;
  seed: number;
  operations: number;
  walks: number;
  walksRequested: number;
  /** Operations decided (refused ones included). */
  transitions: number;
  /** States that changed the world and were checked. */
  statesChecked: number;
  /** States marked in the bitstate table: the distinct states the walks visited (a hash collision may merge two). */
  distinctStates: number;
  deepest: number;
  elapsedMs: number;
  bound: { kind: 'time'; limit: number; message: string } | null;
  counterexample: SwarmCounterexample | null;
}

/** The operation kinds that bring memory in: a swarm member keeps at least one of them, or nothing happens. */
const ADDING = new Set(['add_memory', 'probe', 'acpi_dimm_add', 'virtio_mem_add', 'dax_kmem_add']);

/** Walk i's seed: a mix of the run's seed and i, so neighbouring seeds give unrelated walks. */
export function walkSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
}

/** The swarm member of walk i: its operations (indexes into `all`: a random subset of the kinds, in a random order). Walk 0 keeps every kind. */
export function memberOps(all: readonly Op[], i: number, random: () => number): number[] {
  const kinds = [...new Set(all.map((o) => o.op))];
  let keep = new Set(kinds.filter(() => i === 0 || random() < 0.5));
  if (![...keep].some((k) => ADDING.has(k))) {
    const adding = kinds.filter((k) => ADDING.has(k));
    if (adding.length) keep.add(adding[Math.floor(random() * adding.length)]!);
  }
  if (keep.size === 0) keep = new Set(kinds);
  const ops = all.flatMap((o, j) => (keep.has(o.op) ? [j] : []));
  for (let j = ops.length - 1; j > 0; j--) {
    const k = Math.floor(random() * (j + 1));
    [ops[j], ops[k]] = [ops[k]!, ops[j]!];
  }
  return ops;
}

/**
 * Holzmann's bitstate table with two bits per state (the two halves of its
 * 64-bit fingerprint): a state is taken as seen when both its bits are set.
 * A collision may make a new state look seen; that only steers a walk
 * elsewhere, it never hides a violation on the state the walk is on.
 */
class Bitstate {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  marked = 0;
  constructor(log2: number) {
    this.bits = new Uint32Array(2 ** Math.max(log2 - 5, 0));
    this.mask = 2 ** log2 - 1;
  }
  private bit(i: number) {
    i = (i & this.mask) >>> 0;
    return (this.bits[i >>> 5]! >>> (i & 31)) & 1;
  }
  private set(i: number) {
    i = (i & this.mask) >>> 0;
    this.bits[i >>> 5]! |= 1 << (i & 31);
  }
  has(fp: Fp): boolean {
    return this.bit(fp.hi) === 1 && this.bit(fp.lo) === 1;
  }
  add(fp: Fp): void {
    if (this.has(fp)) return;
    this.set(fp.hi);
    this.set(fp.lo);
    this.marked++;
  }
}


export function swarm(opts: SwarmOptions = {}): SwarmResult {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // refused operations throw by the thousand; their stacks are never read
  try {
    return run(opts);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function run(opts: SwarmOptions): SwarmResult {
  const space = opts.coverage ? new CoveredSpace(opts, opts.coverage) : new StateSpace(opts);
  const all = space.ops;
  const spec = space.machine.spec;
  const seed = opts.seed ?? 1;
  const walks = opts.walks ?? 100;
  const depth = opts.depth ?? 20;
  const maxMs = (opts.maxSeconds ?? 60) * 1000;
  const seen = new Bitstate(opts.bitstateLog2 ?? 24);
  const fp: Fp = { hi: 0, lo: 0 };
  const t0 = performance.now();
  const root = space.initial();
  seen.add(space.fingerprint(root, fp));

  let transitions = 0;
  let statesChecked = 0;
  let deepest = 0;
  let done = 0;
  let bound: SwarmResult['bound'] = null;
  let found: { walk: number; ops: number[]; violation: Violation } | null = null;
  const rootViolation = space.checkInitial();
  if (rootViolation) found = { walk: 0, ops: [], violation: rootViolation };

  walking: for (let w = 0; w < walks && !found; w++) {
    const random = prng(walkSeed(seed, w));
    const ops = memberOps(all, w, random);
    let world: World = root;
    const path: number[] = [];
    for (let d = 0; d < depth; d++) {
      // a very long walk must not outrun the time bound: it ends where the bound finds it
      if ((d & 63) === 63 && performance.now() - t0 >= maxMs) break;
      // from a random place in the member's order: the first successor no walk has seen, else a random changed one
      const start = Math.floor(random() * ops.length);
      let chosen: Successor | null = null;
      const changed: Successor[] = [];
      for (let k = 0; k < ops.length; k++) {
        const s = space.step(world, ops[(start + k) % ops.length]!);
        transitions++;
        if (!s.changed) continue;
        if (!seen.has(space.fingerprint(s.next, fp))) {
          chosen = s;
          break;
        }
        changed.push(s);
      }
      if (!chosen && changed.length) chosen = changed[Math.floor(random() * changed.length)]!;
      if (!chosen) break; // no operation changes this state: the walk is over
      seen.add(space.fingerprint(chosen.next, fp));
      path.push(chosen.opIndex);
      statesChecked++;
      const violation = space.check(world, chosen);
      if (violation) {
        found = { walk: w, ops: path, violation };
        break walking;
      }
      world = chosen.next;
      deepest = Math.max(deepest, path.length);
    }
    done++;
    const elapsed = performance.now() - t0;
    opts.onProgress?.({ walks: done, steps: transitions, elapsedMs: elapsed });
    if (elapsed >= maxMs && done < walks) {
      bound = { kind: 'time', limit: maxMs / 1000, message: `stopped at the time bound: ${maxMs / 1000} s, ${done} of ${walks} walks done` };
      break;
    }
  }
  if (found && found.ops.length > 0) done++; // the walk that found it

  let counterexample: SwarmCounterexample | null = null;
  if (found) {
    // shrinking decides again: through a plain space, so coverage counts the search only
    const shrunk = shrinkOps(new StateSpace(opts), found.ops, found.violation.invariant);
    const ops: Op[] = shrunk.ops.map((i) => all[i]!);
    counterexample = { ops, steps: describeOps(spec, ops), violation: shrunk.violation, walk: found.walk, foundLength: found.ops.length, shrinkTries: shrunk.tries };
    if (opts.counterexampleFile) {
      writeCounterexampleLog(opts.counterexampleFile, spec, ops);
      counterexample.logFile = opts.counterexampleFile;
    }
  }
  return {
    spec,
    seed,
    operations: all.length,
    walks: done,
    walksRequested: walks,
    transitions,
    statesChecked,
    distinctStates: seen.marked,
    deepest: Math.max(deepest, found?.ops.length ?? 0),
    elapsedMs: performance.now() - t0,
    bound,
    counterexample,
  };
}
