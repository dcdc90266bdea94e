/**
 * Reads a sysfs memory/node tree (an export, or a real /sys) back into a
 * small summary: for round-trip tests and for comparing against a view.
 * Malformed content is an error naming the file.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockView } from '../engine/view.ts';
import { MEMORY_DIR, MODULE_PARAMS_DIR, NODE_DIR } from './tree.ts';
import { parseNodeList } from './format.ts';

export interface SysfsBlockSummary {
  id: number;
  state: BlockView['state'];
  online: boolean;
  /** From the memoryN/nodeX link; null if there is none. */
  node: number | null;
  validZones: string;
  removable: number;
}

export interface SysfsSummary {
  blockSizeBytes: number;
  autoOnlineBlocks: string;
  /** v2-2019 only. */
  vmemmapHotplug: 'enabled' | 'disabled' | null;
  /** In block-id order. */
  blocks: SysfsBlockSummary[];
  nodes: {
    possible: number[];
    online: number[];
    hasMemory: number[];
    /** nodeX/memoryN links: node id → block ids. */
    memory: Record<number, number[]>;
  };
  /** /sys/module/memory_hotplug/parameters, null when absent. */
  params: {
    memmap_on_memory: string;
    online_policy: string;
    auto_movable_ratio: number;
    auto_movable_numa_aware: boolean;
  } | null;
}

/** One attribute's text without its trailing newline; a missing newline is malformed. */
function attr(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!text.endsWith('\n')) throw new Error(`${path}: ${JSON.stringify(text)} does not end in a newline`);
  return text.slice(0, -1);
}

function numbered(dir: string, prefix: string): number[] {
  const re = new RegExp(`^${prefix}(\\d+)$`);
  return readdirSync(dir)
    .map((name) => re.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function oneOf<T extends string>(path: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`${path}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function integer(path: string, value: string, radix: 10 | 16): number {
  const ok = radix === 16 ? /^[0-9a-f]+$/ : /^\d+$/;
  if (!ok.test(value)) throw new Error(`${path}: ${JSON.stringify(value)} is not a base-${radix} integer`);
  return parseInt(value, radix);
}

function readBlock(memDir: string, id: number): SysfsBlockSummary {
  const d = join(memDir, `memory${id}`);
  const physIndex = integer(join(d, 'phys_index'), attr(join(d, 'phys_index')), 16);
  if (physIndex !== id) throw new Error(`${join(d, 'phys_index')}: ${physIndex.toString(16)} does not match memory${id}`);
  const state = oneOf(join(d, 'state'), attr(join(d, 'state')), ['online', 'offline', 'going-offline'] as const);
  const online = oneOf(join(d, 'online'), attr(join(d, 'online')), ['0', '1'] as const) === '1';
  const nodes = numbered(d, 'node');
  if (nodes.length > 1) throw new Error(`${d}: links to several nodes (${nodes.map((n) => `node${n}`).join(', ')})`);
  return {
    id,
    state,
    online,
    node: nodes.length === 1 ? nodes[0] : null,
    validZones: attr(join(d, 'valid_zones')),
    removable: integer(join(d, 'removable'), attr(join(d, 'removable')), 10),
  };
}

function readNodes(root: string, blockIds: Set<number>): SysfsSummary['nodes'] {
  const nodeDir = join(root, NODE_DIR);
  const list = (name: string) => {
    const path = join(nodeDir, name);
    const text = attr(path);
    try {
      return parseNodeList(text);
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message}`);
    }
  };
  const memory: Record<number, number[]> = {};
  for (const n of numbered(nodeDir, 'node')) {
    const d = join(nodeDir, `node${n}`);
    const ids = numbered(d, 'memory');
    for (const id of ids) {
      const target = readlinkSync(join(d, `memory${id}`));
      if (!blockIds.has(id)) throw new Error(`${join(d, `memory${id}`)}: links to ${target}, which does not exist`);
    }
    memory[n] = ids;
  }
  return { possible: list('possible'), online: list('online'), hasMemory: list('has_memory'), memory };
}

function readParams(root: string): SysfsSummary['params'] {
  const d = join(root, MODULE_PARAMS_DIR);
  if (!existsSync(d)) return null;
  const p = (name: string) => attr(join(d, name));
  return {
    memmap_on_memory: oneOf(join(d, 'memmap_on_memory'), p('memmap_on_memory'), ['Y', 'N', 'force'] as const),
    online_policy: oneOf(join(d, 'online_policy'), p('online_policy'), ['contig-zones', 'auto-movable'] as const),
    auto_movable_ratio: integer(join(d, 'auto_movable_ratio'), p('auto_movable_ratio'), 10),
    auto_movable_numa_aware: oneOf(join(d, 'auto_movable_numa_aware'), p('auto_movable_numa_aware'), ['Y', 'N'] as const) === 'Y',
  };
}

/** Parse `<dir>/sys/devices/system/{memory,node}` and the memory_hotplug parameters. */
export function readSysfs(dir: string): SysfsSummary {
  const memDir = join(dir, MEMORY_DIR);
  const bsPath = join(memDir, 'block_size_bytes');
  if (!existsSync(bsPath)) throw new Error(`${bsPath}: missing (not a memory sysfs tree)`);
  const blockSizeBytes = integer(bsPath, attr(bsPath), 16);
  const ids = numbered(memDir, 'memory');
  const vmPath = join(memDir, 'vmemmap_hotplug');
  return {
    blockSizeBytes,
    autoOnlineBlocks: attr(join(memDir, 'auto_online_blocks')),
    vmemmapHotplug: existsSync(vmPath) ? oneOf(vmPath, attr(vmPath), ['enabled', 'disabled'] as const) : null,
    blocks: ids.map((id) => readBlock(memDir, id)),
    nodes: readNodes(dir, new Set(ids)),
    params: readParams(dir),
  };
}
