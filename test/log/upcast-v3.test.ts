import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/engine/replay.ts';
import { readLog } from '../../src/log/index.ts';
import { projectV3World } from './helpers/world-projection.ts';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

describe('format version 3 logs (written before events carried their resource outcomes)', () => {
  const log = readLog(path.join(dir, 'log-v3.jsonl'));
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'log-v3.worlds.json'), 'utf8')) as Record<string, unknown>[];

  it('the fixture really is version 3', () => {
    expect(log.fileVersion).toBe(3);
    expect(log.warnings).toEqual([]);
  });

  it('replays to the same world after every operation as it did when it was written', () => {
    const ends = log.events.flatMap((e, i) => (i + 1 === log.events.length || log.events[i + 1]!.type === 'op' ? [i + 1] : []));
    expect(ends).toHaveLength(expected.length);
    ends.forEach((end, k) => expect(projectV3World(replay(log.header.system, log.events, end)), `after event ${end}`).toEqual(expected[k]));
  });
});
