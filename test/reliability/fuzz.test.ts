/**
 * Issue 13, point 6: the exit contract under fuzzing, in `npm test` with a bounded number of
 * runs (fast-check with a fixed seed, so a failure is reproducible; the torture script,
 * scripts/torture.ts, runs more). The command runs in-process (helpers/in-process.ts); the
 * counts by outcome are written to test-output/fuzz.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { damage, judgeDamagedLog, judgeScenario, ReferenceWorlds, scenarioText, tally, type Judged } from './helpers/fuzz.ts';
import { memhpInProcess } from './helpers/in-process.ts';

const SCENARIO_RUNS = 100;
const LOG_RUNS = 120;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memhp-fuzz-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const figures: Record<string, Record<string, number>> = {};
afterAll(() => {
  fs.mkdirSync('test-output', { recursive: true });
  fs.writeFileSync('test-output/fuzz.json', `${JSON.stringify(figures, null, 2)}\n`);
});

const problems = (all: Judged[]) => all.filter((j) => j.verdict !== 'ran' && j.verdict !== 'invalid');

describe('fuzzed input keeps the exit contract', () => {
  it(`scenario documents (${SCENARIO_RUNS} runs): exit 0 with a world its own log replays to, or exit 2 naming the file`, async () => {
    const all: Judged[] = [];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(scenarioText, async (input) => {
        const j = await judgeScenario(dir, `s${n++}`, input);
        all.push(j);
        return j.verdict === 'ran' || j.verdict === 'invalid' ? true : (() => { throw new Error(`${j.verdict}: ${j.detail}\n${input.text.slice(0, 2000)}`); })();
      }),
      { numRuns: SCENARIO_RUNS, seed: 13, endOnFailure: true },
    );
    figures.scenarios = tally(all);
    expect(problems(all)).toEqual([]);
    // the generator reaches both sides of the contract
    expect(figures.scenarios.ran).toBeGreaterThan(5);
    expect(figures.scenarios.invalid).toBeGreaterThan(5);
  }, 300_000);

  describe('damaged logs', () => {
    const refs: ReferenceWorlds[] = [];
    beforeAll(async () => {
      for (const name of ['seed-reviewer-partial-remove.json', 'selftest-round.json']) {
        const log = path.join(dir, `ref-${name}.jsonl`);
        const r = await memhpInProcess(['run', path.join('scenarios', name), '--log', log, '--json']);
        if (r.code !== 0) throw new Error(r.stderr);
        refs.push(new ReferenceWorlds(log));
      }
    }, 120_000);

    it(`byte flips, cuts, lost/doubled/swapped/replaced lines, garbage (${LOG_RUNS} runs): exit 2 naming the file, or a committed prefix of the original world`, async () => {
      const all: Judged[] = [];
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: refs.length - 1 }), damage, async (which, d) => {
          const j = await judgeDamagedLog(dir, `d${n++}`, refs[which]!, d);
          all.push(j);
          if (j.verdict !== 'ran' && j.verdict !== 'invalid') throw new Error(`${j.verdict}: ${j.detail} (${JSON.stringify(d)})`);
        }),
        { numRuns: LOG_RUNS, seed: 13, endOnFailure: true },
      );
      figures.damagedLogs = tally(all);
      expect(problems(all)).toEqual([]);
      expect(figures.damagedLogs.invalid).toBeGreaterThan(LOG_RUNS / 2);
    }, 300_000);
  });
});
