/**
 * Writes test/fixtures/log-v3.worlds.json: the world after each operation of
 * test/fixtures/log-v3.jsonl, as replay gave it when format version 3 was
 * current (main at 0211c92, before events recorded their resource outcomes).
 * The log itself was written then by `memhp run test/fixtures/log-v3.scenario.json
 * --log test/fixtures/log-v3.jsonl`; neither file is to be regenerated: they
 * are what an old user has on disk. Running this again now must write the
 * same file (the test in test/log/upcast-v3.test.ts checks exactly that).
 *   npx tsx test/log/helpers/make-v3-worlds.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replay } from '../../../src/engine/replay.ts';
import { readLog } from '../../../src/log/index.ts';
import { projectV3World } from './world-projection.ts';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const log = readLog(path.join(dir, 'log-v3.jsonl'));
const worlds: Record<string, unknown>[] = [];
log.events.forEach((e, i) => {
  const next = log.events[i + 1];
  if (next === undefined || next.type === 'op') worlds.push(projectV3World(replay(log.header.system, log.events, i + 1)));
});
fs.writeFileSync(path.join(dir, 'log-v3.worlds.json'), `${JSON.stringify(worlds)}\n`);
console.log(`wrote ${worlds.length} worlds`);
