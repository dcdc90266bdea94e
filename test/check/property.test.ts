/**
 * Random operation sequences in every era, in configurations the kernel
 * makes safe, keep every invariant after every step. A failure is shrunk by
 * fast-check and written as a log the inspector opens.
 */
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstViolationOf, operationArbitraries, writeCounterexampleLog, type SmallMachineOptions } from '../../src/check/index.ts';

const SAFE: [string, SmallMachineOptions][] = [
  ['v2-2019 with the sketched guard', { kernel: 'v2-2019', params: { v2_remove_guard: true } }],
  ['v2-2019 ppc64-radix with the sketched guard', { kernel: 'v2-2019', arch: 'ppc64-radix', params: { v2_remove_guard: true } }],
  ['v2-2019 arm64-4k (1 GiB blocks) with the sketched guard', { kernel: 'v2-2019', arch: 'arm64-4k', params: { v2_remove_guard: true } }],
  ['v2-2019 MEMBLOCK only', { kernel: 'v2-2019', params: { v2_remove_guard: false } }],
  ['5.13 memmap_on_memory', { kernel: '5.13' }],
  ['6.6 memmap_on_memory', { kernel: '6.6' }],
  ['6.8 memmap_on_memory', { kernel: '6.8' }],
  ['6.8 force on ppc64-radix', { kernel: '6.8', arch: 'ppc64-radix', params: { memmap_on_memory: 'force' } }],
  ['6.8 auto-online movable', { kernel: '6.8', params: { auto_online_blocks: 'online_movable' } }],
];

describe('random sequences hold every invariant in safe configurations', { timeout: 120_000 }, () => {
  for (const [name, machine] of SAFE)
    it(name, () => {
      const arb = operationArbitraries(fc, { blocks: 3, ...machine });
      // v2 without the guard is safe only without DEVICE: leave those adds out
      const ops = name.includes('MEMBLOCK only')
        ? fc.array(fc.constantFrom(...arb.all.filter((o) => !(o.op === 'add_memory' && o.flags.includes('MHP_MEMMAP_DEVICE')))), { maxLength: 12 })
        : arb.ops({ maxLength: 12 });
      fc.assert(
        fc.property(ops, (seq) => {
          const v = firstViolationOf(arb.spec, seq);
          if (v) {
            const file = join(mkdtempSync(join(tmpdir(), 'memhp-prop-')), 'counterexample.jsonl');
            writeCounterexampleLog(file, arb.spec, seq);
            throw new Error(`step ${v.step}: ${v.violation.invariant}: ${v.violation.message} (log: ${file})`);
          }
        }),
        { numRuns: 60 },
      );
    });

  it('the same property catches v2 DEVICE without the guard, shrunk to two operations', () => {
    const arb = operationArbitraries(fc, { kernel: 'v2-2019', blocks: 3 });
    const out = fc.check(fc.property(arb.ops({ maxLength: 10 }), (seq) => firstViolationOf(arb.spec, seq) === null), { numRuns: 2000, seed: 42 });
    expect(out.failed).toBe(true);
    const seq = out.counterexample![0];
    expect(seq.map((o) => o.op)).toEqual(['add_memory', 'remove_memory']);
  });
});
