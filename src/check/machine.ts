/**
 * The small machine the explorer and the fast-check arbitraries work on: one
 * boot node and a window of N hot-pluggable blocks right after boot memory,
 * and every operation that makes sense on that window in the chosen era.
 *
 * With `nodes: 2` a second NUMA node is possible but has no boot memory: it
 * starts offline, the first add on it brings it online, its memmap (without
 * an altmap) is allocated on node 0 — remote — and removing its last block
 * takes it offline again through try_offline_node(). A second boot node could
 * never go offline (it has boot memory), so that case would explore less.
 */
import { DEFAULT_AGENT_ONLINE, type AgentName } from '../kernel/agents.ts';
import { blockSizeOf } from '../kernel/geometry.ts';
import { configOf } from '../kernel/config.ts';
import { FLAG_FEATURE, hasFeature, opProblem } from '../kernel/features.ts';
import { MHP_FLAGS } from '../kernel/types.ts';
import { hasDaxMemmapOnMemory } from '../kernel/drivers.ts';
import type { ArchName, Era, MhpFlag, OnlineType, Params, SystemSpec } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
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
  /** NUMA nodes adds may target (1 or 2, default 1); boot memory is on node 0 only. */
  nodes?: number;
  /**
   * Onlining agents installed with `queued` reactions (docs/drivers.md "Onlining agents"), each
   * with its default online type: the explorer runs their pending reactions as `agent`
   * operations, interleaved with everything else.
   */
  agents?: readonly AgentName[];
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
  /** Nodes adds target (node 0 first). */
  nodes: number[];
}

export function smallMachine(opts: SmallMachineOptions = {}): SmallMachine {
  const kernel = opts.kernel ?? '6.8';
  const arch = opts.arch ?? 'x86_64';
  const blocks = opts.blocks ?? 3;
  if (!Number.isInteger(blocks) || blocks < 1) throw new Error(`blocks must be a positive integer, got ${blocks}`);
  const nodes = opts.nodes ?? 1;
  if (nodes !== 1 && nodes !== 2) throw new Error(`nodes must be 1 or 2, got ${nodes}`);
  const params: Params = { ...DEFAULT_PARAMS, ...(hasFeature(kernel, 'param.memmap_on_memory') ? { memmap_on_memory: 'on' as const } : {}), ...opts.params };
  const draft: SystemSpec = {
    name: `explore ${arch} ${kernel} ${blocks} blocks${nodes > 1 ? `, ${nodes} nodes` : ''}`,
    kernel,
    arch,
    machine: { hypervisor: true, sparsemem: 'vmemmap', possibleNodes: nodes, ...(opts.memoryBlockSize ? { memoryBlockSize: opts.memoryBlockSize } : {}) },
    boot: [{ node: 0, size: opts.bootSize ?? 1024 ** 3, used: 0, maxFreeOrder: 10 }],
    params,
    ...(opts.agents?.length ? { agents: opts.agents.map((name) => ({ name, online: DEFAULT_AGENT_ONLINE[name], react: 'queued' as const })) } : {}),
  };
  // the block size depends on boot memory (x86 probing): settle it, then round boot memory up to whole blocks
  const bs = blockSizeOf(draft);
  const bootSize = Math.max(bs, Math.ceil(draft.boot[0]!.size / bs) * bs);
  const spec: SystemSpec = { ...draft, machine: { ...draft.machine, memoryBlockSize: bs }, boot: [{ ...draft.boot[0]!, size: bootSize }] };
  // every single flag the era has (MHP_MEMMAP_ON_MEMORY only while the parameter can honour it)
  const flagSets: MhpFlag[][] = [
    [],
    ...MHP_FLAGS.filter((f) => hasFeature(kernel, FLAG_FEATURE[f]) && (f !== 'MHP_MEMMAP_ON_MEMORY' || params.memmap_on_memory !== 'off')).map((f) => [f]),
  ];
  return { spec, windowStart: bootSize, firstBlock: bootSize / bs, blocks, blockSize: bs, flagSets, nodes: Array.from({ length: nodes }, (_, i) => i) };
}

/**
 * Operation kinds `extraOps` may add to the default set. offline_and_remove_memory
 * and touch are in the default set already; naming them turns them back on
 * where `offlineAndRemove` / `touch` turned them off.
 */
export const EXTRA_OPS = ['pin', 'unpin', 'inject', 'signal', 'offline_and_remove_memory', 'set', 'touch', 'acpi_dimm', 'virtio_mem', 'dax_kmem'] as const;
/** The driver kinds among them (docs/drivers.md): each adds a device's add and removal operations. */
export const DRIVER_OPS = ['acpi_dimm', 'virtio_mem', 'dax_kmem'] as const;
export type ExtraOp = (typeof EXTRA_OPS)[number];

/** The auto_online_blocks values `set` writes (online_kernel behaves like online on a fresh range, so it adds little). */
export const AUTO_ONLINE_VALUES = ['online', 'online_movable', 'offline'] as const;
/** The errno `inject` arms a notifier with (-ENOMEM, what the selftest uses); 0 disarms. */
export const INJECT_ERROR = -12;

export interface OperationChoice {
  /** Online kinds written to memoryN/state (default online, online_kernel, online_movable). */
  onlineKinds?: Exclude<OnlineType, 'offline'>[];
  /** Also offline_and_remove_memory of every range (default true). */
  offlineAndRemove?: boolean;
  /** Also `touch` per block: the kernel reads its struct pages (default true). */
  touch?: boolean;
  /** Operation kinds tried in addition to the default set (none by default). */
  extraOps?: readonly ExtraOp[];
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
  const extra = new Set<ExtraOp>(choice.extraOps ?? []);
  for (const [i, k] of subRanges(m))
    for (const flags of m.flagSets) for (const node of m.nodes) ops.push({ op: 'add_memory', node, start: at(i), size: k * m.blockSize, flags });
  for (let i = 0; i < m.blocks; i++) {
    for (const value of kinds) ops.push({ op: 'state', block: m.firstBlock + i, value });
    ops.push({ op: 'state', block: m.firstBlock + i, value: 'offline' });
  }
  for (const [i, k] of subRanges(m)) ops.push({ op: 'remove_memory', start: at(i), size: k * m.blockSize });
  const oar = opProblem(m.spec.kernel, configOf(m.spec), 'offline_and_remove_memory') === null;
  if (oar && ((choice.offlineAndRemove ?? true) || extra.has('offline_and_remove_memory'))) for (const [i, k] of subRanges(m)) ops.push({ op: 'offline_and_remove_memory', start: at(i), size: k * m.blockSize });
  if ((choice.touch ?? true) || extra.has('touch')) for (let i = 0; i < m.blocks; i++) ops.push({ op: 'touch', block: m.firstBlock + i });
  // the extra kinds come after the default set, so a counterexample the default set can
  // reach is still found first (same breadth-first order, same shortest sequence)
  for (const kind of ['pin', 'unpin'] as const) if (extra.has(kind)) for (let i = 0; i < m.blocks; i++) ops.push({ op: kind, block: m.firstBlock + i });
  if (extra.has('inject'))
    for (const action of ['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE'] as const) for (const error of [INJECT_ERROR, 0]) ops.push({ op: 'inject', action, error });
  if (extra.has('signal')) ops.push({ op: 'signal' });
  if (extra.has('set')) for (const value of AUTO_ONLINE_VALUES) ops.push({ op: 'set', param: 'auto_online_blocks', value });
  // drivers: a DIMM per sub-range of the window (named after it), one virtio-mem device over the
  // window resized to every whole number of blocks, one dax device over the window bound and unbound
  if (extra.has('acpi_dimm')) {
    const name = (i: number, k: number) => `PNP0C80:${i}${k}`;
    for (const [i, k] of subRanges(m)) ops.push({ op: 'acpi_dimm_add', device: name(i, k), node: 0, start: at(i), size: k * m.blockSize });
    for (const [i, k] of subRanges(m)) ops.push({ op: 'acpi_dimm_eject', device: name(i, k) });
  }
  if (extra.has('virtio_mem')) {
    ops.push({ op: 'virtio_mem_add', device: 'virtio0', node: m.nodes.at(-1)!, start: m.windowStart, size: m.blocks * m.blockSize, requested: 0 });
    for (let k = 0; k <= m.blocks; k++) ops.push({ op: 'virtio_mem_resize', device: 'virtio0', requested: k * m.blockSize });
  }
  if (extra.has('dax_kmem')) {
    const mom = hasDaxMemmapOnMemory(m.spec.kernel) && m.spec.params.memmap_on_memory !== 'off' ? { memmap_on_memory: true } : {};
    ops.push({ op: 'dax_kmem_add', device: 'dax0.0', node: m.nodes.at(-1)!, start: m.windowStart, size: m.blocks * m.blockSize, ...mom });
    ops.push({ op: 'dax_kmem_remove', device: 'dax0.0' });
  }
  // onlining agents: each handles its reaction to one block's uevent (or daxctl to dax0.0's bind);
  // an op with nothing pending fails and changes nothing
  for (const a of m.spec.agents ?? []) {
    if (a.name === 'daxctl') ops.push({ op: 'agent', agent: a.name, target: 'dax0.0' });
    else for (let i = 0; i < m.blocks; i++) ops.push({ op: 'agent', agent: a.name, target: `memory${m.firstBlock + i}` });
  }
  return ops;
}
