/** Real logs for the inspector tests: scenarios run through the engine and written as log files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
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

/**
 * A 4 TiB, 32,768-block x86_64 machine (128 MiB blocks, memmap_on_memory):
 * 1 TiB boot memory on two nodes, 3 TiB minus 1 GiB hot-added in 512 GiB
 * steps, and the last 1 GiB added and removed over and over until the log
 * holds `target` events.
 */
export function writeBigLog(dir: string, target: number): { path: string; lastSeq: number } {
  const G = 1024 ** 3;
  const adds = [0, 1, 2, 3, 4, 5].map((i) => ({ op: 'add_memory', node: i % 2, start: (1024 + 512 * i) * G, size: (i === 5 ? 511 : 512) * G, flags: ['MHP_MEMMAP_ON_MEMORY'] }));
  const scenario = {
    name: '32768 blocks, 1M events',
    kernel: '6.8', arch: 'x86_64',
    machine: { hypervisor: true, memoryBlockSize: '128M', sparsemem: 'vmemmap', possibleNodes: 2 },
    boot: [{ node: 0, size: '512G', used: '1G' }, { node: 1, size: '512G' }],
    params: { memmap_on_memory: 'on', auto_online_blocks: 'online_movable' },
    ops: adds,
  };
  const file = join(dir, 'big.json');
  writeFileSync(file, JSON.stringify(scenario));
  return writeScenarioLog(file, dir, cycleOps(target, 4095 * G, 1));
}
