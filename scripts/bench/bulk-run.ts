/**
 * bulkRun: `memhp run --json` of an x86_64 machine whose whole range above a
 * 64 GiB boot node is hot-added in ONE `add_memory` (MHP_MEMMAP_ON_MEMORY,
 * memmap_on_memory=on, auto_online_blocks=online): one operation of up to
 * 524,288 blocks at 64 TiB (docs/performance.md, "A 64 TiB run --json").
 * Each size runs the compiled CLI in a child process of its own
 * (measured-cli.mjs), its JSON output discarded, so its peak RSS is its own.
 *
 * Alone: `node --import tsx scripts/bench/bulk-run.ts 8,32,64` prints one JSON
 * line per size.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memhpPeak } from './big-machine.ts';

export interface BulkRunFigure {
  tib: number;
  blocks: number;
  ms: number;
  cpuMs: number;
  rssMB: number;
  /** CPU per hot-added block: flat across sizes when time is linear in blocks */
  cpuUsPerBlock: number;
}

const BLOCK = 128 * 2 ** 20;
const BOOT = 64 * 2 ** 30;

/** The one-add scenario for a machine of `tib` TiB. */
export function bulkScenario(tib: number): object {
  const end = tib * 2 ** 40;
  if (!(end > BOOT)) throw new RangeError(`bulk run: ${tib} TiB is not above the 64 GiB boot node`);
  return {
    name: `one add_memory of ${tib} TiB in 128 MiB blocks`,
    kernel: '6.8',
    arch: 'x86_64',
    machine: { hypervisor: true, memoryBlockSize: '128M', sparsemem: 'vmemmap', possibleNodes: 1 },
    boot: [{ node: 0, size: '64G', used: '1G', maxFreeOrder: 10 }],
    params: { memmap_on_memory: 'on', auto_online_blocks: 'online' },
    ops: [{ op: 'add_memory', node: 0, start: BOOT, size: end - BOOT, flags: ['MHP_MEMMAP_ON_MEMORY'] }],
  };
}

export function measureBulkRun(tibs: readonly number[], dir: string, say: (s: string) => void): BulkRunFigure[] {
  return tibs.map((tib) => {
    say(`bulk run --json: ${tib} TiB…`);
    const file = join(dir, `bulk-${tib}.json`);
    writeFileSync(file, JSON.stringify(bulkScenario(tib)));
    try {
      const r = memhpPeak(['run', file, '--json']);
      const blocks = (tib * 2 ** 40 - BOOT) / BLOCK;
      return { tib, blocks, ms: r.ms, cpuMs: r.cpuMs, rssMB: r.rssMB, cpuUsPerBlock: Math.round((r.cpuMs * 1000) / blocks) };
    } finally {
      rmSync(file, { force: true });
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tibs = (process.argv[2] ?? '8,32,64').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'memhp-bulk-'));
  try {
    for (const tib of tibs) console.log(JSON.stringify(measureBulkRun([tib], dir, () => {})[0]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
