/**
 * The sysfs tree of a WorldView as a flat list of entries (directories,
 * files with their kernel modes, relative symlinks), in creation order.
 * Pure: the writer (export.ts) only puts these on disk.
 */
import type { BlockView, WorldView } from '../engine/view.ts';
import {
  formatAutoOnlineBlocks,
  formatBlockSizeBytes,
  formatBoolParam,
  formatMemmapOnMemory,
  formatNodeList,
  formatOnline,
  formatPhysDevice,
  formatPhysIndex,
  formatRemovable,
  formatState,
  formatValidZones,
  formatVmemmapHotplug,
  moduleParams,
} from './format.ts';

import { defaultConfig } from '../kernel/config.ts';
import type { KernelConfig } from '../kernel/types.ts';
import { hasFeature } from '../kernel/features.ts';

export const MEMORY_DIR = 'sys/devices/system/memory';
export const NODE_DIR = 'sys/devices/system/node';
export const MODULE_PARAMS_DIR = 'sys/module/memory_hotplug/parameters';
export const FIRMWARE_MEMMAP_DIR = 'sys/firmware/memmap';

/** sysfs attribute modes: DEVICE_ATTR_RO / _RW / _WO. */
export const MODE_RO = 0o444;
export const MODE_RW = 0o644;
export const MODE_WO = 0o200;

export type SysfsEntry =
  | { kind: 'dir'; path: string }
  | { kind: 'file'; path: string; mode: number; content: string }
  | { kind: 'symlink'; path: string; target: string };

export interface SysfsOptions {
  /**
   * node_possible_map: a count (machine.possibleNodes: nodes 0..n-1) or the
   * ids. The view does not carry it; default: the nodes the view lists.
   * Online nodes and nodes a block names are always added (they cannot be
   * impossible).
   */
  possibleNodes?: number | number[];
}

/** Rejects a view the tree cannot be written from, naming the JSON path. */
export function checkView(view: WorldView): void {
  const bs = view.blockSizeBytes;
  if (!isPowerOfTwo(bs)) {
    throw new Error(`view.blockSizeBytes: ${bs} is not a positive power of two`);
  }
  const seen = new Map<number, number>();
  view.blocks.forEach((b, i) => {
    const where = `view.blocks[${i}]`;
    if (!Number.isSafeInteger(b.id) || b.id < 0) throw new Error(`${where}.id: ${b.id} is not a block id`);
    const dup = seen.get(b.id);
    if (dup !== undefined) throw new Error(`${where}.id: memory${b.id} already at view.blocks[${dup}]`);
    seen.set(b.id, i);
    if (!Number.isSafeInteger(b.node) || b.node < 0) throw new Error(`${where}.node: ${b.node} is not a node id`);
    if (b.state !== 'online' && b.state !== 'offline' && b.state !== 'going-offline') {
      throw new Error(`${where}.state: ${JSON.stringify(b.state)} is not online, offline or going-offline`);
    }
    if (/[\n\0/]/.test(b.validZones)) throw new Error(`${where}.validZones: ${JSON.stringify(b.validZones)} has a newline, NUL or slash`);
    // phys_index is start / block size; a block elsewhere would print a wrong range in lsmem.
    const start = b.startPfn * view.pageSize;
    if (start !== b.id * bs) {
      throw new Error(`${where}.startPfn: ${b.startPfn} (0x${start.toString(16)}) is not the start of memory${b.id} (0x${(b.id * bs).toString(16)})`);
    }
  });
}

function isPowerOfTwo(n: number): boolean {
  // Not `n & (n - 1)`: bitwise operators truncate to 32 bits and block sizes reach 2 GiB and beyond.
  return Number.isSafeInteger(n) && n > 0 && Math.log2(n) % 1 === 0;
}

/** Blocks in block-id order, as scandir(versionsort) lists memoryN. */
export function blocksById(view: WorldView): BlockView[] {
  return [...view.blocks].sort((a, b) => a.id - b.id);
}

/** Nodes with memory in N_MEMORY: some pages online (a block going offline still has them). */
function nodesWithMemory(blocks: BlockView[], normalOnly: boolean): number[] {
  return blocks
    .filter((b) => b.state !== 'offline' && (!normalOnly || b.zone !== 'Movable'))
    .map((b) => b.node);
}

function possibleIds(view: WorldView, given: SysfsOptions['possibleNodes']): number[] {
  if (given === undefined) return view.nodes.map((n) => n.id);
  if (typeof given === 'number') {
    if (!Number.isSafeInteger(given) || given < 1) throw new Error(`possibleNodes: ${given} is not a node count`);
    return Array.from({ length: given }, (_, i) => i);
  }
  return given;
}

export const DEBUG_INJECT_DIR = 'sys/kernel/debug/notifier-error-inject/memory';

/** The injectable actions of memory-notifier-error-inject (actions/<name>/error, debugfs errno files, 0600). */
const INJECT_ACTIONS = ['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE'] as const;

/**
 * What the renderer needs more than once per view: blocks by id, online
 * nodes, the possible map. Built once per view; a live mount keeps it until
 * the next write.
 */
export interface SysfsIndex {
  view: WorldView;
  blocks: BlockView[];
  byId: Map<number, BlockView>;
  onlineNodes: number[];
  possible: Set<number>;
  /** The kernel build options (a view from before machine.config: the distribution defaults). */
  config: KernelConfig;
  /** The module parameters this era and config have, in the kernel's order. */
  moduleParams: ReturnType<typeof moduleParams>;
  /** Directories already rendered (a live mount asks for the same ones again and again). */
  dirs: Map<string, SysfsEntry[] | undefined>;
  /** Every entry of the rendered directories by path. */
  entries: Map<string, SysfsEntry>;
}

export function sysfsIndex(view: WorldView, opts: SysfsOptions = {}): SysfsIndex {
  checkView(view);
  const blocks = blocksById(view);
  const onlineNodes = view.nodes.filter((n) => n.online).map((n) => n.id).sort((a, b) => a - b);
  const possible = new Set(possibleIds(view, opts.possibleNodes));
  for (const n of onlineNodes) possible.add(n);
  for (const b of blocks) possible.add(b.node);
  const config = view.config ?? defaultConfig(view.arch, view.kernel);
  return { view, blocks, byId: new Map(blocks.map((b) => [b.id, b])), onlineNodes, possible, config, moduleParams: moduleParams(view.kernel, config), dirs: new Map(), entries: new Map() };
}

/** One directory of the tree, its entries in creation order; undefined if the directory does not exist. Rendered once per index. */
export function sysfsDir(ix: SysfsIndex, dirPath: string): SysfsEntry[] | undefined {
  if (ix.dirs.has(dirPath)) return ix.dirs.get(dirPath);
  const out = renderDir(ix, dirPath);
  ix.dirs.set(dirPath, out);
  for (const e of out ?? []) ix.entries.set(e.path, e);
  return out;
}

function renderDir(ix: SysfsIndex, dirPath: string): SysfsEntry[] | undefined {
  const { view } = ix;
  const out: SysfsEntry[] = [];
  const dir = (path: string) => out.push({ kind: 'dir', path });
  const file = (path: string, mode: number, content: string) => out.push({ kind: 'file', path, mode, content });
  const link = (path: string, target: string) => out.push({ kind: 'symlink', path, target });
  switch (dirPath) {
    case 'sys':
      dir('sys/devices');
      if (ix.moduleParams.length > 0) dir('sys/module');
      if (view.firmwareMemmap?.length) dir('sys/firmware');
      dir('sys/kernel');
      return out;
    case 'sys/devices':
      dir('sys/devices/system');
      return out;
    case 'sys/devices/system':
      dir(MEMORY_DIR);
      dir(NODE_DIR);
      return out;
    case MEMORY_DIR: {
      file(`${MEMORY_DIR}/block_size_bytes`, MODE_RO, formatBlockSizeBytes(view.blockSizeBytes));
      file(`${MEMORY_DIR}/auto_online_blocks`, MODE_RW, formatAutoOnlineBlocks(view.kernel, view.params.auto_online_blocks));
      // CONFIG_ARCH_MEMORY_PROBE (x86 opt-in, powerpc always): write-only, reading it fails in the kernel; here it is just empty.
      if (ix.config.ARCH_MEMORY_PROBE) file(`${MEMORY_DIR}/probe`, MODE_WO, '');
      if (hasFeature(view.kernel, 'sysfs.vmemmap_hotplug')) file(`${MEMORY_DIR}/vmemmap_hotplug`, MODE_RW, formatVmemmapHotplug(view.params.vmemmap_hotplug));
      for (const b of ix.blocks) dir(`${MEMORY_DIR}/memory${b.id}`);
      return out;
    }
    case NODE_DIR: {
      file(`${NODE_DIR}/possible`, MODE_RO, formatNodeList(ix.possible));
      file(`${NODE_DIR}/online`, MODE_RO, formatNodeList(ix.onlineNodes));
      file(`${NODE_DIR}/has_memory`, MODE_RO, formatNodeList(nodesWithMemory(ix.blocks, false)));
      // N_NORMAL_MEMORY: memory in a zone up to ZONE_NORMAL (no HIGHMEM on 64-bit).
      file(`${NODE_DIR}/has_normal_memory`, MODE_RO, formatNodeList(nodesWithMemory(ix.blocks, true)));
      for (const n of ix.onlineNodes) dir(`${NODE_DIR}/node${n}`);
      return out;
    }
    case 'sys/module':
      if (ix.moduleParams.length === 0) return undefined;
      dir('sys/module/memory_hotplug');
      return out;
    case 'sys/module/memory_hotplug':
      if (ix.moduleParams.length === 0) return undefined;
      dir(MODULE_PARAMS_DIR);
      return out;
    case MODULE_PARAMS_DIR: {
      if (ix.moduleParams.length === 0) return undefined;
      const p = view.params;
      const content = {
        memmap_on_memory: () => formatMemmapOnMemory(view.kernel, p.memmap_on_memory),
        online_policy: () => `${p.online_policy}\n`,
        auto_movable_ratio: () => `${p.auto_movable_ratio}\n`,
        auto_movable_numa_aware: () => formatBoolParam(p.auto_movable_numa_aware),
      };
      for (const name of ix.moduleParams) file(`${MODULE_PARAMS_DIR}/${name}`, name === 'memmap_on_memory' ? MODE_RO : MODE_RW, content[name]());
      return out;
    }
    // /sys/firmware/memmap (drivers/firmware/memmap.c): boot entries and plain add_memory() ranges,
    // never driver-managed ones
    case 'sys/firmware':
      if (!view.firmwareMemmap?.length) return undefined;
      dir(FIRMWARE_MEMMAP_DIR);
      return out;
    case FIRMWARE_MEMMAP_DIR:
      if (!view.firmwareMemmap?.length) return undefined;
      view.firmwareMemmap.forEach((_, i) => dir(`${FIRMWARE_MEMMAP_DIR}/${i}`));
      return out;
    case 'sys/kernel':
      dir('sys/kernel/debug');
      return out;
    case 'sys/kernel/debug':
      dir('sys/kernel/debug/notifier-error-inject');
      return out;
    case 'sys/kernel/debug/notifier-error-inject':
      dir(DEBUG_INJECT_DIR);
      return out;
    case DEBUG_INJECT_DIR:
      dir(`${DEBUG_INJECT_DIR}/actions`);
      return out;
    case `${DEBUG_INJECT_DIR}/actions`:
      for (const a of INJECT_ACTIONS) dir(`${DEBUG_INJECT_DIR}/actions/${a}`);
      return out;
  }
  const action = /^sys\/kernel\/debug\/notifier-error-inject\/memory\/actions\/(\w+)$/.exec(dirPath);
  if (action) {
    const a = INJECT_ACTIONS.find((x) => x === action[1]);
    if (!a) return undefined;
    // debugfs_create_errno(): "%lld\n", mode 0600
    file(`${dirPath}/error`, 0o600, `${view.injection[a]}\n`);
    return out;
  }
  const fw = /^sys\/firmware\/memmap\/(\d+)$/.exec(dirPath);
  if (fw) {
    const f = view.firmwareMemmap?.[Number(fw[1])];
    if (!f || `${FIRMWARE_MEMMAP_DIR}/${Number(fw[1])}` !== dirPath) return undefined;
    // start/end print as "0x%llx\n", type as "%s\n"
    file(`${dirPath}/start`, MODE_RO, `0x${f.start.toString(16)}\n`);
    file(`${dirPath}/end`, MODE_RO, `0x${f.end.toString(16)}\n`);
    file(`${dirPath}/type`, MODE_RO, `${f.type}\n`);
    return out;
  }
  const mem = /^sys\/devices\/system\/memory\/memory(\d+)$/.exec(dirPath);
  if (mem) {
    const b = ix.byId.get(Number(mem[1]));
    if (!b || `memory${b.id}` !== dirPath.slice(MEMORY_DIR.length + 1)) return undefined;
    const d = dirPath;
    file(`${d}/phys_index`, MODE_RO, formatPhysIndex(b.id));
    file(`${d}/state`, MODE_RW, formatState(b.state));
    file(`${d}/online`, MODE_RW, formatOnline(b.state));
    // valid_zones is built only with CONFIG_MEMORY_HOTREMOVE (drivers/base/memory.c)
    if (ix.config.MEMORY_HOTREMOVE) file(`${d}/valid_zones`, MODE_RO, formatValidZones(b.validZones));
    file(`${d}/removable`, MODE_RO, formatRemovable(view.kernel, b, ix.config.MEMORY_HOTREMOVE));
    file(`${d}/phys_device`, MODE_RO, formatPhysDevice());
    // Relative, so the exported tree can be moved or archived.
    link(`${d}/node${b.node}`, `../../node/node${b.node}`);
    return out;
  }
  const node = /^sys\/devices\/system\/node\/node(\d+)$/.exec(dirPath);
  if (node) {
    const n = Number(node[1]);
    if (!ix.onlineNodes.includes(n) || `node${n}` !== dirPath.slice(NODE_DIR.length + 1)) return undefined;
    for (const b of ix.blocks) if (b.node === n) link(`${dirPath}/memory${b.id}`, `../../memory/memory${b.id}`);
    return out;
  }
  return undefined;
}

/** The entry at a path (`sys/...`), or undefined when the kernel would not show it. */
export function sysfsLookup(ix: SysfsIndex, path: string): SysfsEntry | undefined {
  if (path === 'sys') return { kind: 'dir', path };
  const slash = path.lastIndexOf('/');
  if (slash < 0) return undefined;
  const parent = path.slice(0, slash);
  // memoryN and nodeN/memoryM without listing 32,768 siblings.
  if (parent === MEMORY_DIR && /^memory\d+$/.test(path.slice(slash + 1))) {
    return sysfsDir(ix, path) ? { kind: 'dir', path } : undefined;
  }
  const nodeLink = /^sys\/devices\/system\/node\/node(\d+)\/memory(\d+)$/.exec(path);
  if (nodeLink) {
    const b = ix.byId.get(Number(nodeLink[2]));
    if (!b || b.node !== Number(nodeLink[1]) || !ix.onlineNodes.includes(b.node) || path !== `${NODE_DIR}/node${b.node}/memory${b.id}`) return undefined;
    return { kind: 'symlink', path, target: `../../memory/memory${b.id}` };
  }
  return sysfsDir(ix, parent) ? ix.entries.get(path) : undefined;
}

/** One lookup on a view (a write operation asking whether its file exists). */
export function lookupSysfs(view: WorldView, path: string): SysfsEntry | undefined {
  return sysfsLookup(sysfsIndex(view), path);
}

/** The whole tree, depth first, each directory before its contents (what export writes). */
export function sysfsEntries(view: WorldView, opts: SysfsOptions = {}): SysfsEntry[] {
  const ix = sysfsIndex(view, opts);
  const out: SysfsEntry[] = [{ kind: 'dir', path: 'sys' }];
  const walk = (dirPath: string) => {
    for (const e of sysfsDir(ix, dirPath) ?? []) {
      out.push(e);
      if (e.kind === 'dir') walk(e.path);
    }
  };
  walk('sys');
  return out;
}
