/**
 * Runs one scenario on a guest and records its transcript: the observation at
 * the start, then per operation the guest action, its outcome and what
 * changed. A step that times out ends the sequence (the guest may be stuck in
 * the kernel) and the caller reboots.
 */
import type { Scenario } from '../kernel/ops.ts';
import { scenarioToObject } from '../scenario/index.ts';
import type { GuestDriver } from './driver.ts';
import { guestAction, type MachineShape } from './mapping.ts';
import { diffObs } from './observation.ts';
import type { Transcript, TranscriptStep } from './transcript.ts';
import { TRANSCRIPT_FORMAT, TRANSCRIPT_VERSION } from './transcript.ts';

export interface SequenceContext {
  id: string;
  seed?: number;
  kernel: { name: string; release: string; era: string | null };
  qemu: { version: string; argv: string[] };
  fresh: boolean;
}

export async function recordSequence(
  driver: GuestDriver,
  shape: MachineShape,
  scenario: Scenario,
  ctx: SequenceContext,
  onStep?: (index: number, step: TranscriptStep) => void,
): Promise<Transcript> {
  const start = await driver.observe();
  let prev = start.obs;
  const steps: TranscriptStep[] = [];
  let aborted: string | undefined;
  for (const [index, op] of scenario.ops.entries()) {
    const action = guestAction(op, shape);
    const outcome = await driver.run(action);
    const step: TranscriptStep = { op, action, outcome };
    if (action.kind !== 'none') {
      const o = await driver.observe();
      step.delta = diffObs(prev, o.obs);
      if (o.dmesg.length) step.dmesg = o.dmesg;
      prev = o.obs;
    }
    steps.push(step);
    onStep?.(index, step);
    if (outcome.status === 'timeout') {
      aborted = `step ${index} (${op.op}) timed out: ${outcome.detail ?? ''}`;
      break;
    }
  }
  return {
    format: TRANSCRIPT_FORMAT,
    version: TRANSCRIPT_VERSION,
    id: ctx.id,
    ...(ctx.seed !== undefined ? { seed: ctx.seed } : {}),
    kernel: ctx.kernel,
    qemu: ctx.qemu,
    scenario: scenarioToObject(scenario),
    fresh: ctx.fresh,
    start: { obs: start.obs, dmesg: start.dmesg },
    steps,
    ...(aborted ? { aborted } : {}),
  };
}
