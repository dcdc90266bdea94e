/**
 * A deterministic benchmark workload: a 4 TiB x86_64 machine whose memory
 * beyond the boot node is hot-added in 64 GiB ranges (32,768 blocks of
 * 128 MiB in all), then online/offline churn with occasional removal and
 * re-add, until the log holds the requested number of events.
 */
import { HotplugSystem } from '../src/engine/system.ts';
import type { MemhpEvent } from '../src/engine/events.ts';
import type { SystemSpec } from '../src/kernel/types.ts';
import type { Op } from '../src/kernel/ops.ts';
import { DEFAULT_PARAMS } from '../src/scenario/defaults.ts';
import { prng } from '../src/input/prng.ts';

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
