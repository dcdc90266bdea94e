/**
 * One big-machine run in its own process (so its peak RSS is its own):
 * `node --import tsx scripts/bench/big-machine-child.ts <TiB> <log path>`.
 *
 * What `memhp run --log` does for a scenario that adds and onlines the whole
 * range: x86_64, 128 MiB blocks, a 64 GiB boot node, the rest hot-added in
 * 64 GiB ranges with memmap_on_memory and auto-online, every operation's
 * events appended (and fsynced) to a log as it goes, live XState actors.
 * Prints one JSON line { tib, blocks, events, ms, rssMB }.
 */
import { executeScenario } from '../../src/cli/execute.ts';
import type { Op, Scenario } from '../../src/kernel/ops.ts';
import { DEFAULT_PARAMS } from '../../src/scenario/defaults.ts';

const GiB = 2 ** 30;
const tib = Number(process.argv[2]);
const logPath = process.argv[3]!;
const range = 64 * GiB;
const ops: Op[] = [];
for (let start = 64 * GiB; start < tib * 1024 * GiB; start += range)
  ops.push({ op: 'add_memory', node: 0, start, size: range, flags: ['MHP_MEMMAP_ON_MEMORY'] });
const scenario: Scenario = {
  name: `big machine: ${tib} TiB in 128 MiB blocks`,
  kernel: '6.8',
  arch: 'x86_64',
  machine: { hypervisor: true, memoryBlockSize: 128 * 2 ** 20, sparsemem: 'vmemmap', possibleNodes: 1 },
  boot: [{ node: 0, size: 64 * GiB, used: 1 * GiB, maxFreeOrder: 10 }],
  params: { ...DEFAULT_PARAMS, memmap_on_memory: 'on', auto_online_blocks: 'online' },
  ops,
};
const t = performance.now();
const result = executeScenario(scenario, { logPath });
const ms = performance.now() - t;
const failed = result.records.filter((r) => r.ret !== 0).length;
if (failed) throw new Error(`${failed} operations failed`);
console.log(
  JSON.stringify({
    tib,
    blocks: result.view.blocks.length,
    online: result.view.blocks.filter((b) => b.state === 'online').length,
    events: result.lastSeq,
    ms: Math.round(ms),
    cpuMs: Math.round((process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000),
    rssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
