/**
 * The small machine the explorer and the fast-check arbitraries work on: one
 * boot node and a window of N hot-pluggable blocks right after boot memory,
 * and every operation that makes sense on that window in the chosen era.
 */
import { geometryOf } from '../kernel/geometry.ts';
import { eraAtLeast } from '../kernel/profiles.ts';
import type { ArchName, Era, MhpFlag, OnlineType, Op, Params, SystemSpec } from '../kernel/types.ts';
import { DEFAULT_PARAMS } from '../scenario/defaults.ts';

export interface SmallMachineOptions {
  arch?: ArchName;
  kernel?: Era;
  /** Hot-pluggable blocks in the window (default 3). */
  blocks?: number;
  /** Overrides of the kernel parameters (default: the kernel's, with memmap_on_memory on from 5.13). */
  params?: Partial<Params>;
  /** Boot memory of node 0 in bytes (default 1 GiB, at least one block). */
  bootSize?: number;
  memoryBlockSize?: number;
}

export interface SmallMachine {
  spec: SystemSpec;
  /** Physical address of the window's first block. */
  windowStart: number;
  /** Block id of the window's first block. */
  firstBlock: number;
  blocks: number;
  blockSize: number;
  /** The add_memory flag sets valid in this era. */
  flagSets: MhpFlag[][];
}

export function smallMachine(opts: SmallMachineOptions = {}): SmallMachine {
  const kernel = opts.kernel ?? '6.8';
  const arch = opts.arch ?? 'x86_64';
  const blocks = opts.blocks ?? 3;
  if (!Number.isInteger(blocks) || blocks < 1) throw new Error(`blocks must be a positive integer, got ${blocks}`);
  const params: Params = { ...DEFAULT_PARAMS, ...(eraAtLeast(kernel, '5.13') ? { memmap_on_memory: 'on' as const } : {}), ...opts.params };
  const draft: SystemSpec = {
    name: `explore ${arch} ${kernel} ${blocks} blocks`,
    kernel,
    arch,
    machine: { hypervisor: true, sparsemem: 'vmemmap', possibleNodes: 1, ...(opts.memoryBlockSize ? { memoryBlockSize: opts.memoryBlockSize } : {}) },
    boot: [{ node: 0, size: opts.bootSize ?? 1024 ** 3, used: 0, maxFreeOrder: 10 }],
    params,
  };
  // the block size depends on boot memory (x86 probing): settle it, then round boot memory up to whole blocks
  const bs = geometryOf(draft).blockSize;
  const bootSize = Math.max(bs, Math.ceil(draft.boot[0]!.size / bs) * bs);
  const spec: SystemSpec = { ...draft, machine: { ...draft.machine, memoryBlockSize: bs }, boot: [{ ...draft.boot[0]!, size: bootSize }] };
  const flagSets: MhpFlag[][] =
    kernel === 'v2-2019'
      ? [[], ['MHP_MEMMAP_DEVICE'], ['MHP_MEMMAP_MEMBLOCK']]
      : params.memmap_on_memory !== 'off'
        ? [[], ['MHP_MEMMAP_ON_MEMORY']]
        : [[]];
  return { spec, windowStart: bootSize, firstBlock: bootSize / bs, blocks, blockSize: bs, flagSets };
}

export interface OperationChoice {
  /** Online kinds written to memoryN/state (default online, online_kernel, online_movable). */
  onlineKinds?: Exclude<OnlineType, 'offline'>[];
  /** Also offline_and_remove_memory of every range (default true). */
  offlineAndRemove?: boolean;
  /** Also `touch` per block: the kernel reads its struct pages (default true). */
  touch?: boolean;
}

/** Every aligned sub-range of the window: [start block index, block count]. */
export function subRanges(m: SmallMachine): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < m.blocks; i++) for (let k = 1; i + k <= m.blocks; k++) out.push([i, k]);
  return out;
}

/** The operations the explorer tries in every state, in a fixed order (adds first, so shortest counterexamples read naturally). */
export function operationsOf(m: SmallMachine, choice: OperationChoice = {}): Op[] {
  const ops: Op[] = [];
  const kinds = choice.onlineKinds ?? ['online', 'online_kernel', 'online_movable'];
  const at = (i: number) => m.windowStart + i * m.blockSize;
  for (const [i, k] of subRanges(m)) for (const flags of m.flagSets) ops.push({ op: 'add_memory', node: 0, start: at(i), size: k * m.blockSize, flags });
  for (let i = 0; i < m.blocks; i++) {
    for (const value of kinds) ops.push({ op: 'state', block: m.firstBlock + i, value });
    ops.push({ op: 'state', block: m.firstBlock + i, value: 'offline' });
  }
  for (const [i, k] of subRanges(m)) ops.push({ op: 'remove_memory', start: at(i), size: k * m.blockSize });
  if (choice.offlineAndRemove ?? true) for (const [i, k] of subRanges(m)) ops.push({ op: 'offline_and_remove_memory', start: at(i), size: k * m.blockSize });
  if (choice.touch ?? true) for (let i = 0; i < m.blocks; i++) ops.push({ op: 'touch', block: m.firstBlock + i });
  return ops;
}
