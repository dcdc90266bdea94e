/** Real logs for the inspector tests: scenarios run through the engine and written as log files. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HotplugSystem } from '../../../src/engine/system.ts';
import { writeLogFile } from '../../../src/log/index.ts';
import { loadScenarioFile } from '../../../src/scenario/index.ts';
import type { Op } from '../../../src/kernel/ops.ts';

export const SEED = 'scenarios/seed-reviewer-partial-remove.json';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'memhp-inspector-'));
}

/** Run a scenario through the engine and write its log; returns the log path and the event count. */
export function writeScenarioLog(scenario: string, dir: string, extraOps: (i: number, seq: number) => Op | null = () => null): { path: string; lastSeq: number } {
  const { ops, ...system } = loadScenarioFile(scenario);
  const sys = new HotplugSystem(system, { actors: 'table' });
  for (const op of ops) sys.apply(op);
  for (let i = 0; ; i++) {
    const op = extraOps(i, sys.seq);
    if (!op) break;
    sys.apply(op);
  }
  const path = join(dir, `${system.name.replace(/[^\w]+/g, '-')}.jsonl`);
  writeLogFile(path, system, sys.events.map(({ seq: _seq, ...rest }) => rest as never), { createdAt: null });
  return { path, lastSeq: sys.seq };
}

/** A hot-add / online / offline / remove cycle of 1 GiB (MEMBLOCK) until the log holds `target` events. */
export function cycleOps(target: number, start = 16 * 1024 ** 3, node = 1): (i: number, seq: number) => Op | null {
  const G = 1024 ** 3;
  const first = start / (128 * 1024 ** 2);
  const cycle: Op[] = [
    { op: 'add_memory', node, start, size: G, flags: ['MHP_MEMMAP_ON_MEMORY'] },
    ...Array.from({ length: 8 }, (_, k): Op => ({ op: 'state', block: first + k, value: 'online_movable' })),
    ...Array.from({ length: 8 }, (_, k): Op => ({ op: 'state', block: first + k, value: 'offline' })),
    { op: 'remove_memory', start, size: G },
  ];
  return (i, seq) => (seq >= target ? null : cycle[i % cycle.length]!);
}
