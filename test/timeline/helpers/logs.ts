/** Logs built by the real engine from random (or given) operations, for timeline tests. */
import fc from 'fast-check';
import { HotplugSystem } from '../../../src/engine/system.ts';
import type { MemhpEvent } from '../../../src/engine/events.ts';
import { DEFAULT_PARAMS } from '../../../src/scenario/defaults.ts';
import type { SystemSpec } from '../../../src/kernel/types.ts';
import type { Op } from '../../../src/kernel/ops.ts';

const G = 1024 ** 3;
const M = 1024 ** 2;
export const BLOCK = 128 * M;
/** First hot-pluggable block: 8 GiB / 128 MiB. */
export const FIRST_HOT_BLOCK = 64;

/** 6.8 x86_64, two 4 GiB nodes, 128 MiB blocks, memmap_on_memory on. */
export const SPEC: SystemSpec = {
  name: 'timeline test system',
  kernel: '6.8',
  arch: 'x86_64',
  machine: { hypervisor: false, memoryBlockSize: BLOCK, sparsemem: 'vmemmap', possibleNodes: 2 },
  boot: [
    { node: 0, size: 4 * G, used: 1 * G, maxFreeOrder: 10 },
    { node: 1, size: 4 * G, used: 0, maxFreeOrder: 10 },
  ],
  params: { ...DEFAULT_PARAMS, memmap_on_memory: 'on' },
};

/** Runs ops on a fresh system (table gate: fast, same decisions) and returns the log. */
export function logOf(ops: readonly Op[], spec: SystemSpec = SPEC): MemhpEvent[] {
  const sys = new HotplugSystem(spec, { actors: 'table' });
  for (const op of ops) sys.apply(op);
  return [...sys.events];
}

const block = fc.integer({ min: FIRST_HOT_BLOCK, max: FIRST_HOT_BLOCK + 11 });
const start = block.map((b) => b * BLOCK);
const size = fc.integer({ min: 1, max: 4 }).map((n) => n * BLOCK);

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('add_memory' as const), node: fc.integer({ min: 0, max: 1 }), start, size, flags: fc.constantFrom([], ['MHP_MEMMAP_ON_MEMORY'] as ['MHP_MEMMAP_ON_MEMORY']) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('state' as const), block, value: fc.constantFrom('online' as const, 'online_movable' as const, 'online_kernel' as const, 'offline' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove_memory' as const), start, size }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('offline_and_remove_memory' as const), start, size }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('touch' as const), block }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('pin' as const, 'unpin' as const), block }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('inject' as const), action: fc.constantFrom('MEM_GOING_ONLINE' as const, 'MEM_GOING_OFFLINE' as const), error: fc.constantFrom(0, -16) }) },
);

/** The 2019 patch series: MHP_MEMMAP_DEVICE puts one altmap at the head of the whole range. */
export const SPEC_V2: SystemSpec = { ...SPEC, name: 'timeline test system (v2-2019)', kernel: 'v2-2019' };

/** Hot-adds 1 GiB at 8 GiB, so random ops find blocks to work on. */
export const SEED_ADD = (flag: 'MHP_MEMMAP_ON_MEMORY' | 'MHP_MEMMAP_DEVICE'): Op => ({ op: 'add_memory', node: 0, start: 8 * G, size: 1 * G, flags: [flag] });

export const scenarioArb = fc.oneof(
  fc.tuple(fc.constant(SPEC), fc.array(opArb, { maxLength: 40 })).map(([spec, ops]) => ({ spec, ops: [SEED_ADD('MHP_MEMMAP_ON_MEMORY'), ...ops] })),
  fc.tuple(fc.constant(SPEC_V2), fc.array(opArb, { maxLength: 40 })).map(([spec, ops]) => ({ spec, ops: [SEED_ADD('MHP_MEMMAP_DEVICE'), ...ops] })),
);

/**
 * The reviewer's question on the 2019 series (v2-2019, MHP_MEMMAP_DEVICE):
 * online blocks 64 and 65, offline and remove block 64 (which holds every
 * block's memmap), touch block 65 → fault and taint.
 * Boot is events 1..263; the story's notable steps are in STORY.
 */
export const STORY_OPS: Op[] = [
  SEED_ADD('MHP_MEMMAP_DEVICE'),
  { op: 'state', block: 64, value: 'online_movable' },
  { op: 'state', block: 65, value: 'online_movable' },
  { op: 'state', block: 64, value: 'offline' },
  { op: 'remove_memory', start: 64 * BLOCK, size: BLOCK },
  { op: 'touch', block: 65 },
];
export const STORY = {
  boot: 263,
  addOp: 264,
  memory64Added: 267,
  memory65Added: 269,
  vmemmapMarked: 282,
  memory64Online: 284,
  memory65Online: 288,
  memory64GoingOffline: 292,
  memory64Offline: 294,
  removeOp: 296,
  /** remove_memory_block_devices() before arch_remove_memory(): the block goes first */
  memory64Removed: 297,
  section64Removed: 298,
  vmemmapPut: 299,
  orphaned: 300,
  touchOp: 302,
  fault: 303,
  tainted: 304,
} as const;
export const storyLog = () => logOf(STORY_OPS, SPEC_V2);
