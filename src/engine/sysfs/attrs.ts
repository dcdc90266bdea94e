/**
 * Every sysfs attribute memhp serves, declared once the way the kernel does
 * (`DEVICE_ATTR_RW(state)` = mode 0644, state_show(), state_store()): the
 * directory it sits in, its name, its mode, the kernel release or build
 * option it needs, how it prints and, if writable, how a written string is
 * taken. The renderer (src/sysfs/tree.ts), `sysfs export`, the FUSE mount and
 * the raw `write` operation (write.ts) all read this table, in this order
 * (the order the kernel creates the files in; docs/sysfs.md).
 */
import type { KernelConfig } from '../../kernel/types.ts';
import { hasFeature, PARAM_FEATURE } from '../../kernel/features.ts';
import { cString } from '../../kernel/parse.ts';
import type { Era, RuntimeParam } from '../../kernel/types.ts';
import { injectStore, setParam } from '../ops/knobs.ts';
import { onlineStore, probeStore, stateStore } from '../ops/store.ts';
import type { Tx } from '../tx.ts';
import type { KernelError } from '../../kernel/errno.ts';
import type { BlockView, FirmwareMemmapView, WorldView } from '../view.ts';
import * as fmt from './format.ts';

/** sysfs attribute modes: DEVICE_ATTR_RO / _RW / _WO, and debugfs's 0600. */
export const MODE_RO = 0o444;
export const MODE_RW = 0o644;
export const MODE_WO = 0o200;
export const MODE_DEBUGFS = 0o600;

/** The injectable actions of memory-notifier-error-inject (actions/<name>/error). */
export const INJECT_ACTIONS = ['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE'] as const;
export type InjectAction = (typeof INJECT_ACTIONS)[number];

/**
 * The directories that hold attributes: memory/ and node/ under
 * /sys/devices/system, memoryN/, the memory_hotplug module parameters,
 * /sys/firmware/memmap/N and the notifier error injection's actions/X.
 */
export interface SysfsDirs {
  /** what show() is given (the block, the firmware entry, the action) */
  object: { memory: undefined; node: undefined; params: undefined; block: BlockView; firmware: FirmwareMemmapView; inject: InjectAction };
  /** what store() is given: which one of them */
  key: { memory: undefined; node: undefined; params: undefined; block: number; firmware: number; inject: InjectAction };
}
export type SysfsDirKind = keyof SysfsDirs['object'];

/** The kernel a file exists in: its release and its build options. */
export interface KernelBuild {
  kernel: Era;
  config: KernelConfig;
}

/** What show() reads: one world as the renderer holds it (a WorldView, or the part of one a mount keeps). */
export interface SysfsReading {
  view: Pick<WorldView, 'kernel' | 'params' | 'blockSizeBytes' | 'injection'>;
  config: KernelConfig;
  /** in block-id order */
  blocks: readonly BlockView[];
  onlineNodes: readonly number[];
  possible: ReadonlySet<number>;
}

export interface SysfsAttr<D extends SysfsDirKind = SysfsDirKind> {
  dir: D;
  name: string;
  mode: number;
  /** The release / build option the file needs (src/kernel/features.ts, config.ts); always there without. */
  when?: (k: KernelBuild) => boolean;
  show(r: SysfsReading, obj: SysfsDirs['object'][D]): string;
  /** The store function, returning or throwing the kernel's error; a writable file without one answers -EACCES (write.ts). */
  store?: (tx: Tx, buf: string, key: SysfsDirs['key'][D]) => KernelError | void;
}

function attr<D extends SysfsDirKind>(a: SysfsAttr<D>): SysfsAttr {
  return a as unknown as SysfsAttr;
}

/** A runtime parameter's file: its release, and setParam() as its store (src/engine/ops/knobs.ts). */
function paramStore(name: RuntimeParam) {
  return (tx: Tx, buf: string) => setParam(tx, name, cString(buf));
}
const since = (name: keyof typeof PARAM_FEATURE) => (k: KernelBuild) => hasFeature(k.kernel, PARAM_FEATURE[name]);

/** Nodes with memory in N_MEMORY: some pages online (a block going offline still has them). */
function nodesWithMemory(blocks: readonly BlockView[], normalOnly: boolean): number[] {
  return blocks.filter((b) => b.state !== 'offline' && (!normalOnly || b.zone !== 'Movable')).map((b) => b.node);
}

export const SYSFS_ATTRS: readonly SysfsAttr[] = [
  // drivers/base/memory.c: memory_root_attrs
  attr({ dir: 'memory', name: 'block_size_bytes', mode: MODE_RO, show: function block_size_bytes_show(r) { return fmt.formatBlockSizeBytes(r.view.blockSizeBytes); } }),
  attr({
    dir: 'memory', name: 'auto_online_blocks', mode: MODE_RW,
    show: function auto_online_blocks_show(r) { return fmt.formatAutoOnlineBlocks(r.view.kernel, r.view.params.auto_online_blocks); },
    store: paramStore('auto_online_blocks'),
  }),
  // CONFIG_ARCH_MEMORY_PROBE (x86 opt-in, powerpc always): write-only, reading it fails in the kernel; here it is just empty.
  attr({ dir: 'memory', name: 'probe', mode: MODE_WO, when: (k) => k.config.ARCH_MEMORY_PROBE, show: () => '', store: function probe_store(tx, buf) { return probeStore(tx, buf); } }),
  // v2 patch 5/5
  attr({
    dir: 'memory', name: 'vmemmap_hotplug', mode: MODE_RW, when: (k) => hasFeature(k.kernel, 'sysfs.vmemmap_hotplug'),
    show: (r) => fmt.formatVmemmapHotplug(r.view.params.vmemmap_hotplug),
    store: paramStore('vmemmap_hotplug'),
  }),

  // drivers/base/node.c: the node states
  attr({ dir: 'node', name: 'possible', mode: MODE_RO, show: (r) => fmt.formatNodeList(r.possible) }),
  attr({ dir: 'node', name: 'online', mode: MODE_RO, show: (r) => fmt.formatNodeList(r.onlineNodes) }),
  attr({ dir: 'node', name: 'has_memory', mode: MODE_RO, show: (r) => fmt.formatNodeList(nodesWithMemory(r.blocks, false)) }),
  // N_NORMAL_MEMORY: memory in a zone up to ZONE_NORMAL (no HIGHMEM on 64-bit).
  attr({ dir: 'node', name: 'has_normal_memory', mode: MODE_RO, show: (r) => fmt.formatNodeList(nodesWithMemory(r.blocks, true)) }),

  // mm/memory_hotplug.c: module parameters, each from its release; memmap_on_memory only with CONFIG_MHP_MEMMAP_ON_MEMORY
  attr({
    dir: 'params', name: 'memmap_on_memory', mode: MODE_RO, when: (k) => k.config.MHP_MEMMAP_ON_MEMORY && since('memmap_on_memory')(k),
    show: (r) => fmt.formatMemmapOnMemory(r.view.kernel, r.view.params.memmap_on_memory),
  }),
  attr({ dir: 'params', name: 'online_policy', mode: MODE_RW, when: since('online_policy'), show: (r) => `${r.view.params.online_policy}\n`, store: paramStore('online_policy') }),
  attr({ dir: 'params', name: 'auto_movable_ratio', mode: MODE_RW, when: since('auto_movable_ratio'), show: (r) => `${r.view.params.auto_movable_ratio}\n`, store: paramStore('auto_movable_ratio') }),
  attr({
    dir: 'params', name: 'auto_movable_numa_aware', mode: MODE_RW, when: since('auto_movable_numa_aware'),
    show: (r) => fmt.formatBoolParam(r.view.params.auto_movable_numa_aware),
    store: paramStore('auto_movable_numa_aware'),
  }),

  // drivers/firmware/memmap.c: start/end print as "0x%llx\n", type as "%s\n"
  attr({ dir: 'firmware', name: 'start', mode: MODE_RO, show: function start_show(_r, f) { return `0x${f.start.toString(16)}\n`; } }),
  attr({ dir: 'firmware', name: 'end', mode: MODE_RO, show: function end_show(_r, f) { return `0x${f.end.toString(16)}\n`; } }),
  attr({ dir: 'firmware', name: 'type', mode: MODE_RO, show: function type_show(_r, f) { return `${f.type}\n`; } }),

  // drivers/base/memory.c: memory_memblk_attrs, then the device core's `online`
  attr({ dir: 'block', name: 'phys_index', mode: MODE_RO, show: function phys_index_show(_r, b) { return fmt.formatPhysIndex(b.id); } }),
  attr({
    dir: 'block', name: 'state', mode: MODE_RW,
    show: function state_show(_r, b) { return fmt.formatState(b.state); },
    store: function state_store(tx, buf, id) { return stateStore(tx, id, buf); },
  }),
  attr({
    dir: 'block', name: 'online', mode: MODE_RW,
    show: function online_show(_r, b) { return fmt.formatOnline(b.state); },
    store: function online_store(tx, buf, id) { return onlineStore(tx, id, buf); },
  }),
  // valid_zones is built only with CONFIG_MEMORY_HOTREMOVE
  attr({ dir: 'block', name: 'valid_zones', mode: MODE_RO, when: (k) => k.config.MEMORY_HOTREMOVE, show: function valid_zones_show(_r, b) { return fmt.formatValidZones(b.validZones); } }),
  attr({ dir: 'block', name: 'removable', mode: MODE_RO, show: function removable_show(r, b) { return fmt.formatRemovable(r.view.kernel, b, r.config.MEMORY_HOTREMOVE); } }),
  attr({ dir: 'block', name: 'phys_device', mode: MODE_RO, show: function phys_device_show() { return fmt.formatPhysDevice(); } }),

  // lib/notifier-error-inject.c: debugfs_create_errno(), "%lld\n", mode 0600
  attr({
    dir: 'inject', name: 'error', mode: MODE_DEBUGFS,
    show: (r, action) => `${r.view.injection[action]}\n`,
    store: function errno_store(tx, buf, action) { injectStore(tx, action, buf); },
  }),
];

/** The attributes of one kind of directory in this kernel, in creation order. */
export function attrsIn<D extends SysfsDirKind>(dir: D, k: KernelBuild): SysfsAttr<D>[] {
  return SYSFS_ATTRS.filter((a) => a.dir === dir && (!a.when || a.when(k))) as unknown as SysfsAttr<D>[];
}

/** One attribute by directory kind and name, if this kernel has it. */
export function attrNamed(dir: SysfsDirKind, name: string, k: KernelBuild): SysfsAttr | undefined {
  return SYSFS_ATTRS.find((a) => a.dir === dir && a.name === name && (!a.when || a.when(k)));
}
