/** bisect: binary search for the first step where a monotone predicate holds; `memhp bisect` prints it. */
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeLogFile } from '../../src/log/index.ts';
import { bisect, parsePredicate, Timeline } from '../../src/timeline/index.ts';
import { logOf, scenarioArb, SPEC_V2, STORY, storyLog } from './helpers/logs.ts';
import { runCli } from './helpers/spawn.ts';

describe('bisect', () => {
  const tl = Timeline.fromEvents(SPEC_V2, storyLog(), { checkpointInterval: 16 });

  test('finds the first step of the documented examples and the event that made it true', () => {
    expect(bisect(tl, parsePredicate('faults.length > 0'))).toMatchObject({ step: STORY.fault, event: { seq: STORY.fault, type: 'fault' } });
    expect(bisect(tl, parsePredicate('tainted'))!.step).toBe(STORY.tainted);
    expect(bisect(tl, parsePredicate('blocks[65].state == "online"'))!.step).toBe(STORY.memory65Online);
    expect(bisect(tl, parsePredicate('vmemmap[0x200000].orphaned'))!.step).toBe(STORY.orphaned);
  });

  test('uses a logarithmic number of probes and leaves the cursor alone', () => {
    tl.seek(100);
    const r = bisect(tl, parsePredicate('tainted'))!;
    expect(r.probes).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(tl.length)));
    expect(tl.cursor).toBe(100);
  });

  test('null when the predicate never holds; step 0 when it holds before any event', () => {
    expect(bisect(tl, parsePredicate('blocks[99].state == "online"'))).toBeNull();
    expect(bisect(tl, parsePredicate('blocks[99] == null'))).toMatchObject({ step: 0, event: null });
  });

  test('on random logs it agrees with a linear scan for monotone predicates', () => {
    const predicates = ['tainted', 'faults.length > 0', 'blocks[64] != null', 'nodes[1] != null'];
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom(...predicates), ({ spec, ops }, src) => {
        const events = logOf(ops, spec);
        const t = Timeline.fromEvents(spec, events, { checkpointInterval: 32 });
        const p = parsePredicate(src);
        let first: number | null = null;
        for (let n = 0; n <= events.length && first === null; n++) if (p.test(t.worldAt(n))) first = n;
        // blocks[64] != null is monotone only until a remove; skip the logs where it is not
        for (let n = first ?? events.length + 1; n <= events.length; n++) if (!p.test(t.worldAt(n))) return;
        expect(bisect(t, p)?.step ?? null).toBe(first);
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});

describe('memhp bisect', () => {
  let dir: string;
  let log: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memhp-bisect-'));
    log = path.join(dir, 'story.memhp');
    writeLogFile(log, SPEC_V2, storyLog(), { createdAt: null });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('prints the step and the event', { timeout: 30_000 }, async () => {
    const r = await runCli(['bisect', log, '--until', 'faults.length > 0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`faults.length > 0: first holds at step ${STORY.fault}\n#${STORY.fault} fault memmap-in-removed-memory section 65 block 65 (touch): BUG: unable to handle page fault: touch of memory65 reads the struct pages of section 65, which lived in removed memory [mem 0x200000000-0x207ffffff]\n`);
  });

  test('--json', { timeout: 30_000 }, async () => {
    const r = await runCli(['bisect', log, '--until', 'blocks[65].state == "online"', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ found: true, step: STORY.memory65Online, event: { seq: STORY.memory65Online, actor: 'memory65', to: 'online' }, lastStep: STORY.tainted });
  });

  test('exit 1 when the predicate never holds', { timeout: 30_000 }, async () => {
    const r = await runCli(['bisect', log, '--until', 'blocks[99].state == "online"']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`blocks[99].state == "online": does not hold at the last step (${STORY.tainted})\n`);
  });

  test('a bad predicate or a missing log is a clear error and exit 2', { timeout: 30_000 }, async () => {
    const bad = await runCli(['bisect', log, '--until', 'blocks[65].state = "online"']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--until: invalid predicate: "=" is not an operator (use "==") at column 18');
    expect(bad.stdout).toBe('');
    const missing = await runCli(['bisect', path.join(dir, 'nope.memhp'), '--until', 'tainted']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.memhp');
  });
});
