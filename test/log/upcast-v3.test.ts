import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/engine/replay.ts';
import { eventLineDecoder, LOG_VERSION, readLog, upgradeLog } from '../../src/log/index.ts';
import { tempDir } from './helpers/tmp.ts';
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

  it('a line-by-line reader gives the same events as reading the whole log', () => {
    const lines = fs.readFileSync(path.join(dir, 'log-v3.jsonl'), 'utf8').split('\n').slice(1, -1);
    const decode = eventLineDecoder(log.header, 3);
    expect(lines.map((l) => decode(l).event)).toEqual(log.events);
  });

  it('upgradeLog writes it as the current version, which replays to the same final world', () => {
    const file = path.join(tempDir(), 'v3.log');
    fs.copyFileSync(path.join(dir, 'log-v3.jsonl'), file);
    upgradeLog(file);
    const up = readLog(file);
    expect(up.fileVersion).toBe(LOG_VERSION);
    expect(projectV3World(replay(up.header.system, up.events))).toEqual(expected.at(-1));
  });
});
