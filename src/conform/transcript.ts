/**
 * A transcript: what a real kernel did with one scenario, step by step. It is
 * the kernel's truth and does not depend on memhp; comparisons read it
 * without QEMU. Observations are stored as the full state at the sequence's
 * start and, per step, only what changed (ObsDelta), so the corpus stays small.
 */
import type { Op } from '../kernel/ops.ts';
import type { GuestOutcome } from './driver.ts';
import type { GuestAction } from './mapping.ts';
import { applyDelta, type Observation, type ObsDelta } from './observation.ts';

export const TRANSCRIPT_FORMAT = 'memhp-conform-transcript';
export const TRANSCRIPT_VERSION = 1;

export interface TranscriptStep {
  op: Op;
  action: GuestAction;
  outcome: GuestOutcome;
  /** Change of the observation since the previous step (absent when not observed: a refused action). */
  delta?: ObsDelta;
  /** Kernel log lines this step produced (timestamps stripped). */
  dmesg?: string[];
}

export interface Transcript {
  format: typeof TRANSCRIPT_FORMAT;
  version: typeof TRANSCRIPT_VERSION;
  /** `<kernel>/<name>`: unique within a corpus. */
  id: string;
  /** The generator seed, for generated sequences. */
  seed?: number;
  kernel: { name: string; release: string; era: string | null };
  qemu: { version: string; argv: string[] };
  /** The scenario as run (scenarioToObject), era set to the kernel's. */
  scenario: Record<string, unknown>;
  /** Whether the guest started this sequence from its shape's boot snapshot (false: reset by unplugging after an earlier sequence). */
  fresh: boolean;
  start: { obs: Observation; dmesg: string[] };
  steps: TranscriptStep[];
  /** Why the sequence stopped early (a step that timed out leaves the guest unusable). */
  aborted?: string;
}

/** The observation after each step (index i: after step i), rebuilt from the deltas. */
export function observationsOf(t: Transcript): Observation[] {
  const out: Observation[] = [];
  let cur = t.start.obs;
  for (const s of t.steps) {
    if (s.delta) cur = applyDelta(cur, s.delta);
    out.push(cur);
  }
  return out;
}

export class TranscriptError extends Error {}

/** Checks the shape of a parsed transcript; names the file and the field that is wrong. */
export function checkTranscript(value: unknown, where: string): Transcript {
  const t = value as Partial<Transcript> | null;
  const bad = (field: string, what: string) => new TranscriptError(`${where}: ${field}: ${what}`);
  if (typeof t !== 'object' || t === null) throw bad('(top)', 'not an object');
  if (t.format !== TRANSCRIPT_FORMAT) throw bad('format', `expected "${TRANSCRIPT_FORMAT}", got ${JSON.stringify(t.format)}`);
  if (t.version !== TRANSCRIPT_VERSION) throw bad('version', `this memhp reads version ${TRANSCRIPT_VERSION}, got ${JSON.stringify(t.version)}`);
  if (typeof t.id !== 'string') throw bad('id', 'missing');
  if (typeof t.kernel?.release !== 'string') throw bad('kernel.release', 'missing');
  if (typeof t.scenario !== 'object' || t.scenario === null) throw bad('scenario', 'missing');
  if (typeof t.start?.obs !== 'object' || t.start.obs === null) throw bad('start.obs', 'missing');
  if (!Array.isArray(t.steps)) throw bad('steps', 'not a list');
  t.steps.forEach((s, i) => {
    if (typeof s?.op?.op !== 'string') throw bad(`steps[${i}].op`, 'missing');
    if (typeof s.outcome?.status !== 'string') throw bad(`steps[${i}].outcome.status`, 'missing');
  });
  return t as Transcript;
}
