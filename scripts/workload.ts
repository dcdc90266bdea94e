/**
 * Deterministic benchmark workloads, both of 4 TiB x86_64 machines in
 * 32,768 blocks of 128 MiB:
 *
 * - generateWorkload(): the bench's (`npm run bench`): memory beyond the boot
 *   node hot-added in 64 GiB ranges, then random online/offline churn with
 *   occasional removal and re-add, until the log holds the requested number
 *   of events.
 * - bigLogWorkload(): the inspector's 1M-event log (its browser test and
 *   perf.json): 1 TiB of boot memory on two nodes, 3 TiB hot-added and
 *   auto-onlined to ZONE_MOVABLE, then one 1 GiB range added, onlined block
 *   by block, offlined and removed over and over. With `churn: false` (the
 *   log as it was first measured) the cycle's onlining does nothing:
 *   auto_online_blocks already onlined each block, so every `online_movable`
 *   returns -EINVAL (correct kernel behaviour). `churn: true` turns
 *   auto-onlining off after the big adds, so every cycle really onlines and
 *   offlines its 8 blocks (docs/performance.md, "The benchmark workloads").
 */
import { HotplugSystem } from '../src/engine/system.ts';
import { writeLogFile } from '../src/log/index.ts';
import type { MemhpEvent } from '../src/engine/events.ts';
import type { SystemSpec } from '../src/kernel/types.ts';
import type { Op } from '../src/kernel/ops.ts';
import { DEFAULT_PARAMS } from '../src/scenario/defaults.ts';
import { prng } from '../src/input/prng.ts';
import { validateScenario } from '../src/scenario/index.ts';

export { prng };

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export const BENCH_SYSTEM: SystemSpec = {
  name: 'bench: 4 TiB in 128 MiB blocks',
  kernel: '6.8',
  arch: 'x86_64',
  machine: { hypervisor: true, memoryBlockSize: 128 * MiB, sparsemem: 'vmemmap', possibleNodes: 2 },
  boot: [{ node: 0, size: 64 * GiB, used: 1 * GiB, maxFreeOrder: 10 }],
  params: { ...DEFAULT_PARAMS, memmap_on_memory: 'on' },
};


export interface Workload {
  system: SystemSpec;
  events: MemhpEvent[];
  ops: number;
}

export function generateWorkload(targetEvents: number, seed = 42, onProgress?: (events: number) => void): Workload {
  const sys = new HotplugSystem(BENCH_SYSTEM, { actors: 'table' });
  const rand = prng(seed);
  const blockSize = 128 * MiB;
  const rangeSize = 64 * GiB;
  const ranges: number[] = [];
  for (let start = 64 * GiB; start < 4096 * GiB; start += rangeSize) ranges.push(start);
  let ops = 0;
  const apply = (op: Op) => {
    sys.apply(op);
    ops++;
    if (onProgress && ops % 4096 === 0) onProgress(sys.events.length);
  };
  // 63 ranges of 64 GiB; every other range with memmap_on_memory
  ranges.forEach((start, i) => apply({ op: 'add_memory', node: i % 2, start, size: rangeSize, flags: i % 2 ? ['MHP_MEMMAP_ON_MEMORY'] : [] }));
  const firstBlock = ranges[0]! / blockSize;
  const nBlocks = (4096 * GiB) / blockSize - firstBlock;
  const removed = new Set<number>();
  while (sys.events.length < targetEvents) {
    const r = rand();
    const id = firstBlock + Math.floor(rand() * nBlocks);
    const b = sys.world.blocks.chunks[id >>> 8]?.[id & 255];
    if (r < 0.002) {
      // remove a whole range and add it back later
      const ri = Math.floor(rand() * ranges.length);
      const start = ranges[ri]!;
      if (removed.has(ri)) {
        apply({ op: 'add_memory', node: ri % 2, start, size: rangeSize, flags: ri % 2 ? ['MHP_MEMMAP_ON_MEMORY'] : [] });
        removed.delete(ri);
      } else {
        apply({ op: 'offline_and_remove_memory', start, size: rangeSize });
        removed.add(ri);
      }
    } else if (!b) continue;
    else if (b.state === 'offline') apply({ op: 'state', block: id, value: r < 0.5 ? 'online_movable' : 'online' });
    else apply({ op: 'state', block: id, value: 'offline' });
  }
  return { system: BENCH_SYSTEM, events: sys.events.slice(0, targetEvents) as MemhpEvent[], ops };
}

export interface BigLogOptions {
  /** really online and offline in the cycle (auto-onlining off after the big adds); default false: the log as first measured */
  churn?: boolean;
}

/** The inspector's big machine: 1 TiB boot memory on two nodes, 3 TiB - 1 GiB hot-added in 512 GiB steps, auto-onlined movable. */
function bigLogScenario() {
  const adds = [0, 1, 2, 3, 4, 5].map((i) => ({ op: 'add_memory', node: i % 2, start: (1024 + 512 * i) * GiB, size: (i === 5 ? 511 : 512) * GiB, flags: ['MHP_MEMMAP_ON_MEMORY'] }));
  return validateScenario(
    {
      name: '32768 blocks, 1M events',
      kernel: '6.8',
      arch: 'x86_64',
      machine: { hypervisor: true, memoryBlockSize: '128M', sparsemem: 'vmemmap', possibleNodes: 2 },
      boot: [{ node: 0, size: '512G', used: '1G' }, { node: 1, size: '512G' }],
      params: { memmap_on_memory: 'on', auto_online_blocks: 'online_movable' },
      ops: adds,
    },
    'bigLogWorkload',
  );
}

/** The cycle on the last 1 GiB: add it, online_movable its 8 blocks, offline them, remove it. */
function bigLogCycle(): Op[] {
  const start = 4095 * GiB;
  const first = start / (128 * MiB);
  return [
    { op: 'add_memory', node: 1, start, size: GiB, flags: ['MHP_MEMMAP_ON_MEMORY'] },
    ...Array.from({ length: 8 }, (_, k): Op => ({ op: 'state', block: first + k, value: 'online_movable' })),
    ...Array.from({ length: 8 }, (_, k): Op => ({ op: 'state', block: first + k, value: 'offline' })),
    { op: 'remove_memory', start, size: GiB },
  ];
}

/**
 * The inspector's big log (see the file comment), until it holds at least
 * `targetEvents` events (it ends with a whole operation, so a few more).
 */
export function bigLogWorkload(targetEvents: number, options: BigLogOptions = {}): Workload {
  const { ops: adds, ...system } = bigLogScenario();
  const sys = new HotplugSystem(system, { actors: 'table' });
  let ops = 0;
  const apply = (op: Op) => {
    sys.apply(op);
    ops++;
  };
  adds.forEach(apply);
  // from here on a hot-added block stays offline until the cycle onlines it
  if (options.churn) apply({ op: 'set', param: 'auto_online_blocks', value: 'offline' });
  const cycle = bigLogCycle();
  for (let i = 0; sys.seq < targetEvents; i++) apply(cycle[i % cycle.length]!);
  return { system, events: sys.events as MemhpEvent[], ops };
}

/** bigLogWorkload() written as a log file (what the inspector's browser test opens). */
export function writeBigLogFile(path: string, targetEvents: number, options: BigLogOptions = {}): { path: string; lastSeq: number } {
  const wl = bigLogWorkload(targetEvents, options);
  writeLogFile(path, wl.system, wl.events.map(({ seq: _seq, ...rest }) => rest as never), { createdAt: null });
  return { path, lastSeq: wl.events.length };
}
