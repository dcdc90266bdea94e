/** memhp against a recorded real-kernel transcript: agreement, and divergences named by step and field. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTranscript } from '../../src/conform/compare.ts';
import { checkTranscript, TranscriptError, type Transcript } from '../../src/conform/transcript.ts';

const FILE = join(import.meta.dirname, '../fixtures/conform/example-6.12.json');
const load = (): Transcript => checkTranscript(JSON.parse(readFileSync(FILE, 'utf8')), FILE);

describe('the example transcript (scenarios/conform-dimm-movable.json on 6.12)', () => {
  it('agrees at every step', () => {
    const c = compareTranscript(load());
    expect(c.era).toBe('6.8');
    expect(c.firstDivergence).toBeNull();
    expect(c.steps.map((s) => s.verdict)).toEqual(['agree', 'agree', 'agree', 'agree', 'agree', 'agree']);
    expect(c.steps[4]!.result).toEqual({ kernel: 'EINVAL', memhp: 'EINVAL' });
    expect(c.steps.every((s) => s.fields > 100)).toBe(true);
  });

  it('diverges where the kernel shows something else, naming the field and both values', () => {
    const t = load();
    t.steps[1]!.delta!.set!['F devices/system/memory/memory32/valid_zones'] = 'Normal';
    const c = compareTranscript(t);
    expect(c.firstDivergence).toBe(1);
    expect(c.steps[1]!.diffs).toEqual([{ key: 'F devices/system/memory/memory32/valid_zones', kernel: 'Normal', memhp: 'Movable' }]);
    expect(c.steps.slice(2).every((s) => s.verdict === 'not-comparable')).toBe(true);
  });

  it('diverges on a different errno', () => {
    const t = load();
    t.steps[4]!.outcome = { status: 'failed', errno: 'EBUSY', detail: 'sh: write error: Device or resource busy' };
    const c = compareTranscript(t);
    expect(c.firstDivergence).toBe(4);
    expect(c.steps[4]!.result).toEqual({ kernel: 'EBUSY', memhp: 'EINVAL' });
  });

  it('compares a WARN in the kernel log against memhp taint', () => {
    const t = load();
    t.steps[0]!.dmesg = ['WARNING: CPU: 0 PID: 7 at mm/memory_hotplug.c:1234 add_memory_resource+0x1/0x2'];
    const c = compareTranscript(t);
    expect(c.steps[0]!.diffs).toContainEqual({ key: 'K fault', kernel: 'yes', memhp: 'no' });
  });

  it('counts what the guest could not do as not comparable, never as agreement', () => {
    const t = load();
    t.steps[1] = { ...t.steps[1]!, op: { op: 'touch', block: 32 }, action: { kind: 'none', reason: 'touch stands for kernel activity' }, outcome: { status: 'refused', detail: 'touch stands for kernel activity' } };
    delete t.steps[1].delta;
    const c = compareTranscript(t);
    expect(c.steps[1]).toMatchObject({ verdict: 'not-comparable', reason: 'touch stands for kernel activity', fields: 0 });
  });

  it('rejects a transcript with a missing field, naming it', () => {
    const raw = JSON.parse(readFileSync(FILE, 'utf8'));
    delete raw.steps[2].outcome;
    expect(() => checkTranscript(raw, 'x.json')).toThrow(new TranscriptError('x.json: steps[2].outcome.status: missing'));
  });
});
