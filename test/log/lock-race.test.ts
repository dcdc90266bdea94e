/**
 * Issue 13, point 1: processes that find the same stale lock at the same instant must not
 * both take it. Real processes, released together; every acknowledged record must be in the
 * log exactly once at the seq it was acknowledged with. The figures are written to
 * test-output/lock-race.json for the record (not asserted on time).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { raceForStaleLock } from './helpers/race.ts';
import { tempDir } from './helpers/tmp.ts';

const TRIALS = 30;

function record(name: string, figures: object): void {
  const dir = path.resolve('test-output');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'lock-race.json');
  const all = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all[name] = figures;
  fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

describe('racing for a stale lock', () => {
  for (const racers of [2, 4]) {
    it(`${racers} processes, ${TRIALS} trials: every acknowledged record is in the log exactly once`, async () => {
      const f = await raceForStaleLock(tempDir(), racers, TRIALS);
      record(`racers${racers}`, f);
      expect(f.errors).toEqual([]);
      expect({ overlap: f.trialsWithOverlap, lost: f.lost, duplicated: f.duplicated, misplaced: f.misplaced }).toEqual({ overlap: 0, lost: 0, duplicated: 0, misplaced: 0 });
      // Every trial had at least one winner, and each winner acknowledged all its appends.
      expect(f.acknowledged).toBeGreaterThanOrEqual(TRIALS * 8);
      expect(f.acknowledged % 8).toBe(0);
    }, 120_000);
  }
});
