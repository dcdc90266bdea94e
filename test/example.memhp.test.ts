/**
 * How to test a memory-hotplug design with memhp (the README shows this file).
 *
 *   - build a system from a scenario file or from code, apply operations, read the world;
 *   - say Given / When / Then;
 *   - use the vitest matchers (import '../src/check/vitest.ts' once per file);
 *   - let fast-check search random operation sequences, and turn a failure into a log
 *     that `memhp inspect` / `memhp step` open;
 *   - run the model checker as a function.
 */
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../src/check/vitest.ts';
import { buildSystem, explore, firstViolationOf, given, operationArbitraries, ops, systemSpec, writeCounterexampleLog } from '../src/check/index.ts';

// x86_64, 128 MiB blocks, two 4 GiB boot nodes: hot-pluggable memory starts at 8 GiB = memory64
const v2 = (params = {}) =>
  systemSpec({ kernel: 'v2-2019', machine: { memoryBlockSize: '128M' }, boot: [{ size: '4G', used: '1G' }, { size: '4G' }], params });

describe('the seed reviewer\'s question: add 1 GiB with MHP_MEMMAP_DEVICE, remove 128 MiB', () => {
  it('from a scenario file: the removal succeeds and leaves memory65-71 with their memmap in removed memory', () => {
    const sys = buildSystem(join(import.meta.dirname, '../scenarios/seed-reviewer-partial-remove.json'));
    expect(sys).toHaveBlock(65, 'online');
    expect(sys).not.toHaveBlock(64);
    expect(sys).not.toSatisfyInvariants();
    expect(sys.view().sections.filter((s) => s.memmapLost).map((s) => s.nr)).toEqual([65, 66, 67, 68, 69, 70, 71]);
  });

  it('given / when / then, in v2 as posted', () => {
    given(v2(), ops.add('8G', '1G', ['MHP_MEMMAP_DEVICE']), ops.online(65, 'online_movable'))
      .when(ops.remove('8G', '128M'))
      .thenErrno(null)
      .thenEvents({ type: 'transition', actor: 'memory64', to: 'removed' }, { type: 'vmemmap', action: 'orphan', refcount: 7 })
      .thenBlock(64, null)
      .thenViolates('memmap-in-present-memory');
  });

  it('given / when / then, with the check_vmemmap_granularity() guard sketched in review', () => {
    const outcome = given(v2({ v2_remove_guard: true }), ops.add('8G', '1G', ['MHP_MEMMAP_DEVICE']))
      .when(ops.remove('8G', '128M'))
      .thenErrno('EINVAL')
      .thenBlock(64, 'offline')
      .thenInvariantsHold();
    expect(outcome.result).toHaveErrno('EINVAL');
    expect(outcome.result.message).toMatch(/wrong granularity/);
  });

  it('MHP_MEMMAP_MEMBLOCK removes at any block granularity (the author\'s answer)', () => {
    const sys = buildSystem(v2());
    expect(sys.apply(ops.add('8G', '1G', ['MHP_MEMMAP_MEMBLOCK']))).toHaveErrno(null);
    const r = sys.apply(ops.remove('8G', '128M'));
    expect(r).toHaveErrno(null);
    expect(r).toHaveEvent({ type: 'vmemmap', action: 'free', refcount: 0 });
    expect(sys).toSatisfyInvariants();
  });
});

describe('searching instead of guessing', { timeout: 120_000 }, () => {
  it('fast-check: random sequences on a 6.8 machine with memmap_on_memory keep every invariant', () => {
    const { spec, ops: sequences } = operationArbitraries(fc, { kernel: '6.8', blocks: 3 });
    fc.assert(
      fc.property(sequences({ maxLength: 10 }), (seq) => {
        const v = firstViolationOf(spec, seq);
        if (v) {
          // fast-check has shrunk `seq`: keep it as a log to open in the inspector
          const file = join(mkdtempSync(join(tmpdir(), 'memhp-')), 'failure.jsonl');
          writeCounterexampleLog(file, spec, seq);
          throw new Error(`${v.violation.message} (memhp inspect ${file})`);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('the model checker finds the reviewer\'s hazard by itself', () => {
    const result = explore({ kernel: 'v2-2019', blocks: 2, depth: 3 });
    expect(result.counterexample?.steps).toEqual([
      '1. add_memory(node 0, 0x40000000, 256M) with MHP_MEMMAP_DEVICE: memory8-9',
      '2. remove_memory(0x40000000, 128M): memory8 — removes the first block of the 2-block DEVICE range added in step 1',
    ]);
    expect(explore({ kernel: 'v2-2019', blocks: 2, depth: 3, params: { v2_remove_guard: true } }).counterexample).toBeNull();
  });
});
