/**
 * The model checker rediscovers the seed reviewer's finding by itself, and
 * finds nothing where the kernel (or the sketched guard) refuses the removal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFile, explore } from '../../src/check/index.ts';
import { readLog } from '../../src/log/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'memhp-explore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('explore', { timeout: 120_000 }, () => {
  it('finds "remove the first block of a multi-block DEVICE range" in v2-2019 as a shortest counterexample', () => {
    const file = join(dir, 'v2.jsonl');
    const r = explore({ kernel: 'v2-2019', blocks: 3, depth: 4, counterexampleFile: file });
    expect(r.counterexample).not.toBeNull();
    const c = r.counterexample!;
    const bs = 128 * 1024 ** 2;
    expect(c.ops).toEqual([
      { op: 'add_memory', node: 0, start: 1024 ** 3, size: 2 * bs, flags: ['MHP_MEMMAP_DEVICE'] },
      { op: 'remove_memory', start: 1024 ** 3, size: bs },
    ]);
    expect(c.steps[1]).toMatch(/removes the first block of the 2-block DEVICE range added in step 1/);
    expect(c.violation.invariant).toBe('memmap-in-present-memory');
    expect(r.complete).toBe(false);

    // the log opens like any recorded log and shows the same violation at the same step
    const log = readLog(file);
    expect(log.header.system.kernel).toBe('v2-2019');
    expect(log.events.filter((e) => e.type === 'op').map((e) => (e.type === 'op' ? e.op.op : ''))).toEqual(['boot', 'add_memory', 'remove_memory']);
    const report = checkFile(file);
    expect(report.first?.step).toBe(2);
    expect(report.first?.violation.invariant).toBe('memmap-in-present-memory');
  });

  it('finds none with v2_remove_guard', () => {
    const r = explore({ kernel: 'v2-2019', blocks: 2, depth: 6, params: { v2_remove_guard: true } });
    expect(r.counterexample).toBeNull();
    expect(r.complete).toBe(true);
    expect(r.statesExplored).toBeGreaterThan(50);
  });

  it('finds none in 6.8 with memmap_on_memory', () => {
    const r = explore({ kernel: '6.8', blocks: 2, depth: 6 });
    expect(r.counterexample).toBeNull();
    expect(r.complete).toBe(true);
  });

  it('stops at its state bound and says so', () => {
    const r = explore({ kernel: '6.8', blocks: 3, depth: 6, maxStates: 40 });
    expect(r.complete).toBe(false);
    expect(r.statesExplored).toBe(40);
    expect(r.bound?.kind).toBe('states');
    expect(r.bound?.message).toMatch(/state bound: 40 states/);
  });
});
