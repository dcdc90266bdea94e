import { PROFILES } from '../kernel/profiles.ts';
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
  hasModuleParams,
} from './format.ts';

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

export function sysfsEntries(view: WorldView, opts: SysfsOptions = {}): SysfsEntry[] {
  checkView(view);
  const blocks = blocksById(view);
  const out: SysfsEntry[] = [];
  const dir = (path: string) => out.push({ kind: 'dir', path });
  const file = (path: string, mode: number, content: string) => out.push({ kind: 'file', path, mode, content });
  const link = (path: string, target: string) => out.push({ kind: 'symlink', path, target });

  for (const d of ['sys', 'sys/devices', 'sys/devices/system', MEMORY_DIR, NODE_DIR]) dir(d);

  file(`${MEMORY_DIR}/block_size_bytes`, MODE_RO, formatBlockSizeBytes(view.blockSizeBytes));
  file(`${MEMORY_DIR}/auto_online_blocks`, MODE_RW, formatAutoOnlineBlocks(view.kernel, view.params.auto_online_blocks));
  // CONFIG_ARCH_MEMORY_PROBE (x86 and powerpc only): write-only, reading it fails in the kernel; here it is just empty.
  if (PROFILES[view.arch].hasProbe) file(`${MEMORY_DIR}/probe`, MODE_WO, '');
  if (view.kernel === 'v2-2019') {
    file(`${MEMORY_DIR}/vmemmap_hotplug`, MODE_RW, formatVmemmapHotplug(view.params.vmemmap_hotplug));
  }

  const onlineNodes = view.nodes.filter((n) => n.online).map((n) => n.id);
  const onlineSet = new Set(onlineNodes);
  for (const b of blocks) {
    const d = `${MEMORY_DIR}/memory${b.id}`;
    dir(d);
    file(`${d}/phys_index`, MODE_RO, formatPhysIndex(b.id));
    file(`${d}/state`, MODE_RW, formatState(b.state));
    file(`${d}/online`, MODE_RW, formatOnline(b.state));
    file(`${d}/valid_zones`, MODE_RO, formatValidZones(b.validZones));
    file(`${d}/removable`, MODE_RO, formatRemovable(view.kernel, b));
    file(`${d}/phys_device`, MODE_RO, formatPhysDevice());
    // Relative, so the exported tree can be moved or archived.
    link(`${d}/node${b.node}`, `../../node/node${b.node}`);
  }

  const possible = new Set(possibleIds(view, opts.possibleNodes));
  for (const n of onlineNodes) possible.add(n);
  for (const b of blocks) possible.add(b.node);
  file(`${NODE_DIR}/possible`, MODE_RO, formatNodeList(possible));
  file(`${NODE_DIR}/online`, MODE_RO, formatNodeList(onlineNodes));
  file(`${NODE_DIR}/has_memory`, MODE_RO, formatNodeList(nodesWithMemory(blocks, false)));
  // N_NORMAL_MEMORY: memory in a zone up to ZONE_NORMAL (no HIGHMEM on 64-bit).
  file(`${NODE_DIR}/has_normal_memory`, MODE_RO, formatNodeList(nodesWithMemory(blocks, true)));
  for (const n of [...onlineSet].sort((a, b) => a - b)) {
    const d = `${NODE_DIR}/node${n}`;
    dir(d);
    for (const b of blocks) if (b.node === n) link(`${d}/memory${b.id}`, `../../memory/memory${b.id}`);
  }

  // /sys/firmware/memmap (drivers/firmware/memmap.c): boot entries and plain add_memory() ranges,
  // never driver-managed ones; start/end print as "0x%llx\n", type as "%s\n"
  if (view.firmwareMemmap?.length) {
    for (const d of ['sys/firmware', FIRMWARE_MEMMAP_DIR]) dir(d);
    view.firmwareMemmap.forEach((f, i) => {
      const d = `${FIRMWARE_MEMMAP_DIR}/${i}`;
      dir(d);
      file(`${d}/start`, MODE_RO, `0x${f.start.toString(16)}\n`);
      file(`${d}/end`, MODE_RO, `0x${f.end.toString(16)}\n`);
      file(`${d}/type`, MODE_RO, `${f.type}\n`);
    });
  }

  if (hasModuleParams(view.kernel)) {
    for (const d of ['sys/module', 'sys/module/memory_hotplug', MODULE_PARAMS_DIR]) dir(d);
    const p = view.params;
    file(`${MODULE_PARAMS_DIR}/memmap_on_memory`, MODE_RO, formatMemmapOnMemory(view.kernel, p.memmap_on_memory));
    file(`${MODULE_PARAMS_DIR}/online_policy`, MODE_RW, `${p.online_policy}\n`);
    file(`${MODULE_PARAMS_DIR}/auto_movable_ratio`, MODE_RW, `${p.auto_movable_ratio}\n`);
    file(`${MODULE_PARAMS_DIR}/auto_movable_numa_aware`, MODE_RW, formatBoolParam(p.auto_movable_numa_aware));
  }
  return out;
}
