/**
 * `memhp check`: run a scenario (or walk a recorded log) and check every
 * invariant after every operation; report the first step that breaks one,
 * with the operation that caused it and the explanation.
 */
import { readInputFile } from '../input/read-file.ts';
import type { MemhpEvent, OpEvent } from '../engine/events.ts';
import { evolveAll } from '../engine/evolve.ts';
import { verifyReplay } from '../engine/replay.ts';
import { HotplugSystem } from '../engine/system.ts';
import { emptyWorld, type World } from '../engine/world.ts';
import type { SystemSpec } from '../kernel/types.ts';
import type { Op, Scenario } from '../kernel/ops.ts';
import { LOG_FORMAT, readLog } from '../log/index.ts';
import { loadScenarioFile } from '../scenario/index.ts';
import { canonicalKey } from './canonical.ts';
import { describeOps } from './counterexample.ts';
import { checkInvariants, INVARIANTS } from './invariants/index.ts';
import type { Invariant, Violation } from './types.ts';

export interface StepViolation {
  /** 0 = boot, n = the n-th operation after boot. */
  step: number;
  /** Sequence number of the operation's `op` event in the log. */
  seq: number;
  op: Op;
  ret: number;
  errno: string | null;
  /** The operation in words, in the context of the ones before it (e.g. which add a remove cuts into). */
  description: string;
  /** The first violation (in the invariants' order). */
  violation: Violation;
  /** Every violation in that state. */
  violations: Violation[];
}

export interface CheckReport {
  source: string;
  kind: 'scenario' | 'log';
  system: SystemSpec;
  /** Operations checked (boot excluded). */
  steps: number;
  invariants: string[];
  ok: boolean;
  first: StepViolation | null;
}

const replayName = 'replay-reproduces-world';

function stateInvariantsOf(invariants: readonly Invariant[]) {
  return invariants.filter((i) => i.name !== replayName);
}

/** The last operation of `ops`, described in the context of the ones before it, without its step number. */
function describeStep(system: SystemSpec, ops: readonly Op[]): string {
  return describeOps(system, ops).at(-1)!.replace(/^\d+\. /, '');
}

/** Runs the scenario's operations on a live system (real actors), checking after each. */
export function checkScenario(scenario: Scenario, source = scenario.name, invariants: readonly Invariant[] = INVARIANTS): CheckReport {
  const { ops, ...system } = scenario;
  const sys = new HotplugSystem(system);
  const names = invariants.map((i) => i.name);
  const wantReplay = invariants.some((i) => i.name === replayName);
  try {
    const report = (first: StepViolation | null, steps: number): CheckReport => ({ source, kind: 'scenario', system, steps, invariants: names, ok: !first, first });
    const bootOp = sys.events[0] as OpEvent;
    const at = (step: number, op: OpEvent, events: readonly MemhpEvent[] | undefined): StepViolation | null => {
      const violations = checkInvariants({ world: sys.world, events }, invariants);
      if (violations.length === 0) return null;
      return { step, seq: op.seq, op: op.op, ret: op.ret, errno: op.errno, description: 'boot', violation: violations[0]!, violations };
    };
    const v0 = at(0, bootOp, wantReplay ? sys.events : undefined);
    if (v0) return report(v0, 0);
    let before: World = sys.world;
    for (let i = 0; i < ops.length; i++) {
      const r = sys.apply(ops[i]!);
      const opEvent = r.events[0] as OpEvent;
      // the log must fold back into the live world: checked per operation, and over the whole log at the end
      let violations = checkInvariants({ world: sys.world }, stateInvariantsOf(invariants));
      if (wantReplay && canonicalKey(evolveAll(before, JSON.parse(JSON.stringify(r.events)) as MemhpEvent[])) !== canonicalKey(sys.world))
        violations = [{ invariant: replayName, message: "replaying this operation's log records gives a different world than the live one" }, ...violations];
      if (wantReplay && i === ops.length - 1 && violations.length === 0) violations = checkInvariants({ world: sys.world, events: sys.events }, invariants.filter((x) => x.name === replayName));
      if (violations.length > 0)
        return report(
          { step: i + 1, seq: opEvent.seq, op: opEvent.op, ret: opEvent.ret, errno: opEvent.errno, description: describeStep(system, ops.slice(0, i + 1)), violation: violations[0]!, violations },
          i + 1,
        );
      before = sys.world;
    }
    return report(null, ops.length);
  } finally {
    sys.stop();
  }
}

/** Walks a recorded log: re-decides it through the machines, then checks the world after each operation. */
export function checkLogEvents(system: SystemSpec, events: readonly MemhpEvent[], source: string, invariants: readonly Invariant[] = INVARIANTS): CheckReport {
  const names = invariants.map((i) => i.name);
  const opIndexes = events.flatMap((e, i) => (e.type === 'op' ? [i] : []));
  const report = (first: StepViolation | null, steps: number): CheckReport => ({ source, kind: 'log', system, steps, invariants: names, ok: !first, first });
  const stepOfSeq = (seq: number) => Math.max(0, opIndexes.filter((i) => events[i]!.seq <= seq).length - 1);
  const opAtStep = (step: number) => events[opIndexes[step] ?? 0] as OpEvent | undefined;
  let replayViolation: { step: number; violation: Violation } | null = null;
  if (invariants.some((i) => i.name === replayName)) {
    const v = verifyReplay(system, events, { actors: 'table' });
    if (!v.ok && v.divergence)
      replayViolation = { step: stepOfSeq(v.divergence.seq), violation: { invariant: replayName, message: `the recorded log does not reproduce what the machines decide: ${v.divergence.message}` } };
  }
  const stateInvariants = stateInvariantsOf(invariants);
  let world = emptyWorld(system);
  for (let step = 0; step < opIndexes.length; step++) {
    const from = opIndexes[step]!;
    const to = opIndexes[step + 1] ?? events.length;
    world = evolveAll(world, events.slice(from, to));
    const op = opAtStep(step)!;
    let violations = checkInvariants({ world }, stateInvariants);
    if (replayViolation && replayViolation.step === step) violations = [replayViolation.violation, ...violations];
    if (violations.length > 0) {
      const before = opIndexes.slice(1, step + 1).map((i) => (events[i] as OpEvent).op);
      return report({ step, seq: op.seq, op: op.op, ret: op.ret, errno: op.errno, description: step === 0 ? 'boot' : describeStep(system, before), violation: violations[0]!, violations }, step);
    }
  }
  return report(null, Math.max(0, opIndexes.length - 1));
}

/** Is this file a memhp log (its first line is a memhp-log header)? */
export function isLogFile(path: string): boolean {
  let text: string;
  try {
    text = readInputFile(path).toString('utf8');
  } catch {
    return false;
  }
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length);
  return firstLine.includes(`"${LOG_FORMAT}"`);
}

/** `memhp check <scenario|log>`: a log file if it starts with a memhp-log header, else a scenario file. */
export function checkFile(path: string, invariants: readonly Invariant[] = INVARIANTS): CheckReport {
  if (isLogFile(path)) {
    const log = readLog(path);
    return checkLogEvents(log.header.system, log.events, path, invariants);
  }
  return checkScenario(loadScenarioFile(path), path, invariants);
}
