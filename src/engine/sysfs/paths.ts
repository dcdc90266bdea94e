/**
 * What is at a sysfs path, answered from a handful of facts about the world
 * (which blocks exist and on which node, which nodes are online, how many
 * firmware memmap entries there are) instead of from a rendered tree: the
 * `write` operation finds its attribute here without building a world view,
 * and the renderer (src/sysfs/tree.ts) asks the same question the same way.
 */
import { attrNamed, INJECT_ACTIONS, type InjectAction, type KernelBuild, type SysfsAttr, type SysfsDirKind } from './attrs.ts';

export const MEMORY_DIR = 'sys/devices/system/memory';
export const NODE_DIR = 'sys/devices/system/node';
export const MODULE_PARAMS_DIR = 'sys/module/memory_hotplug/parameters';
export const FIRMWARE_MEMMAP_DIR = 'sys/firmware/memmap';
export const DEBUG_INJECT_DIR = 'sys/kernel/debug/notifier-error-inject/memory';

/** The facts that decide what exists. */
export interface SysfsPresence extends KernelBuild {
  /** memoryN's node; undefined when there is no memoryN */
  blockNode(id: number): number | undefined;
  nodeOnline(node: number): boolean;
  /** /sys/firmware/memmap/0 … N-1 */
  firmwareEntries: number;
  /** some memory_hotplug parameter exists (else /sys/module/memory_hotplug is absent) */
  hasModuleParams: boolean;
}

/** A directory that holds attributes, and which one of its kind. */
export type AttrDir =
  | { kind: 'memory' | 'node' | 'params'; key: undefined }
  | { kind: 'block'; key: number }
  | { kind: 'firmware'; key: number }
  | { kind: 'inject'; key: InjectAction };

export type SysfsNode =
  | { kind: 'dir'; path: string; attrs?: AttrDir }
  | { kind: 'file'; path: string; attr: SysfsAttr; in: AttrDir }
  | { kind: 'symlink'; path: string; target: string };

/** Directories that are always there, and those there with the module parameters or firmware entries. */
const STATIC_DIRS = new Set(['sys', 'sys/devices', 'sys/devices/system', 'sys/kernel', 'sys/kernel/debug', 'sys/kernel/debug/notifier-error-inject', DEBUG_INJECT_DIR, `${DEBUG_INJECT_DIR}/actions`]);
const PARAM_DIRS = new Set(['sys/module', 'sys/module/memory_hotplug']);
const FIRMWARE_DIRS = new Set(['sys/firmware', FIRMWARE_MEMMAP_DIR]);
const GLOBAL_ATTR_DIRS: Record<string, 'memory' | 'node' | 'params'> = { [MEMORY_DIR]: 'memory', [NODE_DIR]: 'node', [MODULE_PARAMS_DIR]: 'params' };

const BLOCK_DIR = /^sys\/devices\/system\/memory\/memory(\d+)$/;
const NODE_SUBDIR = /^sys\/devices\/system\/node\/node(\d+)$/;
const FIRMWARE_ENTRY = /^sys\/firmware\/memmap\/(\d+)$/;
const INJECT_ACTION = /^sys\/kernel\/debug\/notifier-error-inject\/memory\/actions\/(\w+)$/;
const BLOCK_NODE_LINK = /^sys\/devices\/system\/memory\/memory(\d+)\/node(\d+)$/;
const NODE_BLOCK_LINK = /^sys\/devices\/system\/node\/node(\d+)\/memory(\d+)$/;

/** A decimal as the kernel prints it (no sign, no leading zero): memory05 is not memory5. */
function index(s: string): number | undefined {
  const n = Number(s);
  return String(n) === s ? n : undefined;
}

/** The directory at `path` (`sys/…`), if it exists; with the attributes it holds, if any. */
export function sysfsDirAt(p: SysfsPresence, path: string): { attrs?: AttrDir } | undefined {
  if (STATIC_DIRS.has(path) || path === MEMORY_DIR || path === NODE_DIR) return { ...(GLOBAL_ATTR_DIRS[path] ? { attrs: { kind: GLOBAL_ATTR_DIRS[path], key: undefined } } : {}) };
  if (PARAM_DIRS.has(path)) return p.hasModuleParams ? {} : undefined;
  if (path === MODULE_PARAMS_DIR) return p.hasModuleParams ? { attrs: { kind: 'params', key: undefined } } : undefined;
  if (FIRMWARE_DIRS.has(path)) return p.firmwareEntries > 0 ? {} : undefined;
  let m = BLOCK_DIR.exec(path);
  if (m) {
    const id = index(m[1]!);
    return id !== undefined && p.blockNode(id) !== undefined ? { attrs: { kind: 'block', key: id } } : undefined;
  }
  m = NODE_SUBDIR.exec(path);
  if (m) {
    const n = index(m[1]!);
    return n !== undefined && p.nodeOnline(n) ? {} : undefined;
  }
  m = FIRMWARE_ENTRY.exec(path);
  if (m) {
    const i = index(m[1]!);
    return i !== undefined && i < p.firmwareEntries ? { attrs: { kind: 'firmware', key: i } } : undefined;
  }
  m = INJECT_ACTION.exec(path);
  if (m) {
    const a = INJECT_ACTIONS.find((x) => x === m![1]);
    return a ? { attrs: { kind: 'inject', key: a } } : undefined;
  }
  return undefined;
}

/** What is at `path` (`sys/…`): a directory, an attribute, a symlink, or nothing the kernel would show. */
export function sysfsNodeAt(p: SysfsPresence, path: string): SysfsNode | undefined {
  const dir = sysfsDirAt(p, path);
  if (dir) return { kind: 'dir', path, ...dir };
  const slash = path.lastIndexOf('/');
  if (slash < 0) return undefined;
  let m = NODE_BLOCK_LINK.exec(path);
  if (m) {
    const n = index(m[1]!);
    const id = index(m[2]!);
    if (n === undefined || id === undefined || !p.nodeOnline(n) || p.blockNode(id) !== n) return undefined;
    return { kind: 'symlink', path, target: `../../memory/memory${id}` };
  }
  m = BLOCK_NODE_LINK.exec(path);
  if (m) {
    const id = index(m[1]!);
    const n = index(m[2]!);
    if (id === undefined || n === undefined || p.blockNode(id) !== n) return undefined;
    // Relative, so an exported tree can be moved or archived.
    return { kind: 'symlink', path, target: `../../node/node${n}` };
  }
  const parent = sysfsDirAt(p, path.slice(0, slash));
  if (!parent?.attrs) return undefined;
  const attr = attrNamed(parent.attrs.kind as SysfsDirKind, path.slice(slash + 1), p);
  return attr ? { kind: 'file', path, attr, in: parent.attrs } : undefined;
}
