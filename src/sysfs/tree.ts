/**
 * The sysfs tree of a WorldView as a flat list of entries (directories,
 * files with their kernel modes, relative symlinks), in creation order.
 * Pure: the writer (export.ts) only puts these on disk.
 */
import type { BlockView } from '../engine/view.ts';
import type { SysfsWorld } from '../engine/sysfs/view.ts';
import { attrsIn, INJECT_ACTIONS, MODE_RO, MODE_RW, MODE_WO, type SysfsAttr, type SysfsReading } from '../engine/sysfs/attrs.ts';
import { DEBUG_INJECT_DIR, FIRMWARE_MEMMAP_DIR, MEMORY_DIR, MODULE_PARAMS_DIR, NODE_DIR, sysfsDirAt, sysfsNodeAt, type AttrDir, type SysfsPresence } from '../engine/sysfs/paths.ts';
import { defaultConfig } from '../kernel/config.ts';
import type { KernelConfig } from '../kernel/types.ts';

export { DEBUG_INJECT_DIR, FIRMWARE_MEMMAP_DIR, MEMORY_DIR, MODE_RO, MODE_RW, MODE_WO, MODULE_PARAMS_DIR, NODE_DIR };

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
export function checkView(view: SysfsWorld): void {
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
export function blocksById(view: SysfsWorld): BlockView[] {
  return [...view.blocks].sort((a, b) => a.id - b.id);
}

function possibleIds(view: SysfsWorld, given: SysfsOptions['possibleNodes']): number[] {
  if (given === undefined) return view.nodes.map((n) => n.id);
  if (typeof given === 'number') {
    if (!Number.isSafeInteger(given) || given < 1) throw new Error(`possibleNodes: ${given} is not a node count`);
    return Array.from({ length: given }, (_, i) => i);
  }
  return given;
}

/**
 * What the renderer needs more than once per view: blocks by id, online
 * nodes, the possible map. Built once per view; a live mount keeps it until
 * the next write. It is both what the attributes' show() read and what
 * decides which paths exist (src/engine/sysfs/paths.ts).
 */
export interface SysfsIndex extends SysfsReading, SysfsPresence {
  view: SysfsWorld;
  blocks: BlockView[];
  byId: Map<number, BlockView>;
  onlineNodes: number[];
  possible: Set<number>;
  /** The kernel build options (a view from before machine.config: the distribution defaults). */
  config: KernelConfig;
  /** Directories already rendered (a live mount asks for the same ones again and again). */
  dirs: Map<string, SysfsEntry[] | undefined>;
  /** Every entry of the rendered directories by path. */
  entries: Map<string, SysfsEntry>;
}

export function sysfsIndex(view: SysfsWorld, opts: SysfsOptions = {}): SysfsIndex {
  checkView(view);
  const blocks = blocksById(view);
  const onlineNodes = view.nodes.filter((n) => n.online).map((n) => n.id).sort((a, b) => a - b);
  const possible = new Set(possibleIds(view, opts.possibleNodes));
  for (const n of onlineNodes) possible.add(n);
  for (const b of blocks) possible.add(b.node);
  const config = view.config ?? defaultConfig(view.arch, view.kernel);
  const byId = new Map(blocks.map((b) => [b.id, b]));
  const online = new Set(onlineNodes);
  return {
    view, blocks, byId, onlineNodes, possible, config,
    kernel: view.kernel,
    blockNode: (id) => byId.get(id)?.node,
    nodeOnline: (n) => online.has(n),
    firmwareEntries: view.firmwareMemmap?.length ?? 0,
    hasModuleParams: attrsIn('params', { kernel: view.kernel, config }).length > 0,
    dirs: new Map(),
    entries: new Map(),
  };
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
  const here = sysfsDirAt(ix, dirPath);
  return here ? [...(here.attrs ? attrFiles(ix, dirPath, here.attrs) : []), ...children(ix, dirPath)] : undefined;
}

/** A file of the attribute table, its content as its show() prints it for this world. */
function fileEntry(ix: SysfsIndex, path: string, attr: SysfsAttr, d: AttrDir): SysfsEntry {
  return { kind: 'file', path, mode: attr.mode, content: attr.show(ix, showObject(ix, d)) };
}

function showObject(ix: SysfsIndex, d: AttrDir): never {
  if (d.kind === 'block') return ix.byId.get(d.key) as never;
  if (d.kind === 'firmware') return ix.view.firmwareMemmap![d.key] as never;
  return d.key as never;
}

function attrFiles(ix: SysfsIndex, dirPath: string, d: AttrDir): SysfsEntry[] {
  return attrsIn(d.kind, ix).map((a) => fileEntry(ix, `${dirPath}/${a.name}`, a, d));
}

/** The directories and links of a directory, after its attributes. */
function children(ix: SysfsIndex, dirPath: string): SysfsEntry[] {
  const dirs = (...paths: string[]): SysfsEntry[] => paths.map((path) => ({ kind: 'dir', path }));
  switch (dirPath) {
    case 'sys':
      return dirs('sys/devices', ...(ix.hasModuleParams ? ['sys/module'] : []), ...(ix.firmwareEntries > 0 ? ['sys/firmware'] : []), 'sys/kernel');
    case 'sys/devices':
      return dirs('sys/devices/system');
    case 'sys/devices/system':
      return dirs(MEMORY_DIR, NODE_DIR);
    case MEMORY_DIR:
      return dirs(...ix.blocks.map((b) => `${MEMORY_DIR}/memory${b.id}`));
    case NODE_DIR:
      return dirs(...ix.onlineNodes.map((n) => `${NODE_DIR}/node${n}`));
    case 'sys/module':
      return dirs('sys/module/memory_hotplug');
    case 'sys/module/memory_hotplug':
      return dirs(MODULE_PARAMS_DIR);
    // /sys/firmware/memmap (drivers/firmware/memmap.c): boot entries and plain add_memory() ranges, never driver-managed ones
    case 'sys/firmware':
      return dirs(FIRMWARE_MEMMAP_DIR);
    case FIRMWARE_MEMMAP_DIR:
      return dirs(...Array.from({ length: ix.firmwareEntries }, (_, i) => `${FIRMWARE_MEMMAP_DIR}/${i}`));
    case 'sys/kernel':
      return dirs('sys/kernel/debug');
    case 'sys/kernel/debug':
      return dirs('sys/kernel/debug/notifier-error-inject');
    case 'sys/kernel/debug/notifier-error-inject':
      return dirs(DEBUG_INJECT_DIR);
    case DEBUG_INJECT_DIR:
      return dirs(`${DEBUG_INJECT_DIR}/actions`);
    case `${DEBUG_INJECT_DIR}/actions`:
      return dirs(...INJECT_ACTIONS.map((a) => `${DEBUG_INJECT_DIR}/actions/${a}`));
  }
  const mem = /^sys\/devices\/system\/memory\/memory(\d+)$/.exec(dirPath);
  if (mem) {
    const node = ix.blockNode(Number(mem[1]))!;
    // Relative, so the exported tree can be moved or archived.
    return [{ kind: 'symlink', path: `${dirPath}/node${node}`, target: `../../node/node${node}` }];
  }
  const node = /^sys\/devices\/system\/node\/node(\d+)$/.exec(dirPath);
  if (node) {
    const n = Number(node[1]);
    return ix.blocks.filter((b) => b.node === n).map((b): SysfsEntry => ({ kind: 'symlink', path: `${dirPath}/memory${b.id}`, target: `../../memory/memory${b.id}` }));
  }
  return [];
}

/** The entry at a path (`sys/...`), or undefined when the kernel would not show it. */
export function sysfsLookup(ix: SysfsIndex, path: string): SysfsEntry | undefined {
  const kept = ix.entries.get(path);
  if (kept) return kept;
  // Found from the table and the index, without listing a directory of 32,768 blocks.
  const node = sysfsNodeAt(ix, path);
  if (!node) return undefined;
  if (node.kind === 'file') return fileEntry(ix, path, node.attr, node.in);
  if (node.kind === 'dir') return { kind: 'dir', path };
  return node;
}

/** The whole tree, depth first, each directory before its contents (what export writes). */
export function sysfsEntries(view: SysfsWorld, opts: SysfsOptions = {}): SysfsEntry[] {
  return Array.from(sysfsWalk(sysfsIndex(view, opts)));
}

/** The tree entry by entry, rendering one directory at a time and keeping none: export writes a 32,768-block tree without holding it. */
export function* sysfsWalk(ix: SysfsIndex): Generator<SysfsEntry> {
  yield { kind: 'dir', path: 'sys' };
  function* walk(dirPath: string): Generator<SysfsEntry> {
    for (const e of renderDir(ix, dirPath) ?? []) {
      yield e;
      if (e.kind === 'dir') yield* walk(e.path);
    }
  }
  yield* walk('sys');
}
