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
import { createHash } from 'node:crypto';
import { decide } from '../engine/decide.ts';
import { TableGate } from '../engine/gate.ts';
import type { MemhpEvent } from '../engine/events.ts';
import type { World } from '../engine/world.ts';
import { prng } from '../input/prng.ts';
import type { Op } from '../kernel/ops.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { canonicalKey } from './canonical.ts';
import { describeOps, writeCounterexampleLog } from './counterexample.ts';
import type { Coverage } from './coverage/collect.ts';
import { replayViolation, type Counterexample } from './explore.ts';
import { bootedWorld, firstViolation, INVARIANTS } from './invariants/index.ts';
import { operationsOf, smallMachine, type OperationChoice, type SmallMachineOptions } from './machine.ts';
import { shrinkOps } from './shrink.ts';
import type { Invariant, Violation } from './types.ts';

export interface SwarmOptions extends SmallMachineOptions, OperationChoice {
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
  invariants?: readonly Invariant[];
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
  /** Bits set in the bitstate table: a lower bound of the distinct states the walks visited. */
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

/** The swarm member of walk i: its operations (a random subset of the kinds, in a random order). Walk 0 keeps every kind. */
export function memberOps(all: readonly Op[], i: number, random: () => number): Op[] {
  const kinds = [...new Set(all.map((o) => o.op))];
  let keep = new Set(kinds.filter(() => i === 0 || random() < 0.5));
  if (![...keep].some((k) => ADDING.has(k))) {
    const adding = kinds.filter((k) => ADDING.has(k));
    if (adding.length) keep.add(adding[Math.floor(random() * adding.length)]!);
  }
  if (keep.size === 0) keep = new Set(kinds);
  const ops = all.filter((o) => keep.has(o.op));
  for (let j = ops.length - 1; j > 0; j--) {
    const k = Math.floor(random() * (j + 1));
    [ops[j], ops[k]] = [ops[k]!, ops[j]!];
  }
  return ops;
}

class Bitstate {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  set = 0;
  constructor(log2: number) {
    this.bits = new Uint32Array(2 ** Math.max(log2 - 5, 0));
    this.mask = 2 ** log2 - 1;
  }
  /** The state's bit (a hash collision may give a new state the bit of a seen one: bitstate search trades that for memory). */
  index(w: World): number {
    return (createHash('sha1').update(canonicalKey(w)).digest().readUInt32LE(0) & this.mask) >>> 0;
  }
  has(i: number): boolean {
    return (this.bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }
  add(i: number): void {
    if (this.has(i)) return;
    this.bits[i >>> 5]! |= 1 << (i & 31);
    this.set++;
  }
}

const REPLAY = 'replay-reproduces-world';
interface Step {
  op: Op;
  world: World;
  events: readonly MemhpEvent[];
  bit: number;
}
const unchanged = (events: readonly { type: string }[]) => events.every((e) => e.type === 'op' || e.type === 'warning');

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
  const machine = smallMachine(opts);
  const all = operationsOf(machine, opts);
  const seed = opts.seed ?? 1;
  const walks = opts.walks ?? 100;
  const depth = opts.depth ?? 20;
  const maxMs = (opts.maxSeconds ?? 60) * 1000;
  const invariants = opts.invariants ?? INVARIANTS;
  const stateInvariants = invariants.filter((i) => i.name !== REPLAY);
  const checkReplay = stateInvariants.length !== invariants.length;
  const gate = new TableGate();
  const seen = new Bitstate(opts.bitstateLog2 ?? 24);
  const t0 = performance.now();
  const root = bootedWorld(machine.spec);
  seen.add(seen.index(root));
  opts.coverage?.boot(machine.spec);
  opts.coverage?.state(root, null);

  let transitions = 0;
  let statesChecked = 0;
  let deepest = 0;
  let done = 0;
  let bound: SwarmResult['bound'] = null;
  let found: { walk: number; ops: Op[]; violation: Violation } | null = null;
  const rootViolation = firstViolation({ world: root }, stateInvariants);
  if (rootViolation) found = { walk: 0, ops: [], violation: rootViolation };

  walking: for (let w = 0; w < walks && !found; w++) {
    const random = prng(walkSeed(seed, w));
    const ops = memberOps(all, w, random);
    let world = root;
    const path: Op[] = [];
    for (let d = 0; d < depth; d++) {
      // from a random place in the member's order: the first successor no walk has seen, else a random changed one
      const start = Math.floor(random() * ops.length);
      let chosen: Step | null = null;
      const changed: Step[] = [];
      for (let k = 0; k < ops.length; k++) {
        const op = ops[(start + k) % ops.length]!;
        const r = decide(world, gate, op);
        transitions++;
        opts.coverage?.decision(op, r);
        if (unchanged(r.events)) continue;
        const next = { op, world: r.world, events: r.events, bit: seen.index(r.world) };
        if (!seen.has(next.bit)) {
          chosen = next;
          break;
        }
        changed.push(next);
      }
      if (!chosen && changed.length) chosen = changed[Math.floor(random() * changed.length)]!;
      if (!chosen) break; // no operation changes this state: the walk is over
      seen.add(chosen.bit);
      path.push(chosen.op);
      statesChecked++;
      opts.coverage?.state(chosen.world, world);
      const violation = (checkReplay ? replayViolation(world, chosen.events, chosen.world) : null) ?? firstViolation({ world: chosen.world }, stateInvariants);
      if (violation) {
        found = { walk: w, ops: path, violation };
        break walking;
      }
      world = chosen.world;
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
  if (found) done++;

  let counterexample: SwarmCounterexample | null = null;
  if (found) {
    const shrunk = shrinkOps(machine.spec, found.ops, found.violation.invariant, invariants);
    counterexample = {
      ops: shrunk.ops,
      steps: describeOps(machine.spec, shrunk.ops),
      violation: shrunk.violation,
      walk: found.walk,
      foundLength: found.ops.length,
      shrinkTries: shrunk.tries,
    };
    if (opts.counterexampleFile) {
      writeCounterexampleLog(opts.counterexampleFile, machine.spec, shrunk.ops);
      counterexample.logFile = opts.counterexampleFile;
    }
  }
  return {
    spec: machine.spec,
    seed,
    operations: all.length,
    walks: done,
    walksRequested: walks,
    transitions,
    statesChecked,
    distinctStates: seen.set,
    deepest: Math.max(deepest, found?.ops.length ?? 0),
    elapsedMs: performance.now() - t0,
    bound,
    counterexample,
  };
}
