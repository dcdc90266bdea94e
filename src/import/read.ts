/**
 * What a machine's sysfs says about its memory, read file by file: the block size, every
 * memoryN/ with its state, zones, removable and node, the knobs, the node masks, and (on a
 * running system) the firmware memmap and /proc/iomem's System RAM. Every value is kept as
 * the text the kernel printed; a file the kernel lacked is absent. What cannot be a memory
 * block at all is refused here, naming the file.
 */
import { InputError } from '../input/errors.ts';
import { ONLINE_TYPES } from '../kernel/types.ts';
import { MEMORY, type DumpSource } from './source.ts';

export interface DumpBlock {
  id: number;
  state: 'online' | 'offline' | 'going-offline';
  removable?: string;
  validZones?: string;
  physDevice?: string;
  /** from the nodeX link's name (its target may point nowhere in a dump) */
  node?: number;
}

export interface DumpFacts {
  blockSize: number;
  blocks: DumpBlock[];
  autoOnlineBlocks?: string;
  hasProbe: boolean;
  hasVmemmapHotplug: boolean;
  /** /sys/module/memory_hotplug/parameters/<name>: text without its newline */
  params: Record<string, string>;
  nodePossible?: number[];
  nodeOnline?: number[];
  /** System RAM ranges [start, end] from /sys/firmware/memmap or /proc/iomem, when readable */
  systemRam?: { start: number; end: number; from: string }[];
}

const STATES = ['online', 'offline', 'going-offline'] as const;

function nodeList(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const ids: number[] = [];
  for (const part of text.trim().split(',').filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    for (let n = Number(m[1]); n <= Number(m[2] ?? m[1]); n++) ids.push(n);
  }
  return ids;
}

function readBlock(src: DumpSource, name: string, blockSize: number): DumpBlock {
  const id = Number(name.slice('memory'.length));
  const dir = `${MEMORY}/${name}`;
  const state = src.read(`${dir}/state`)?.trim();
  if (state === undefined) throw new InputError(`${src.where(`${dir}/state`)}: missing: every memory block has a state file`);
  if (!(STATES as readonly string[]).includes(state))
    throw new InputError(`${src.where(`${dir}/state`)}: ${JSON.stringify(state)} is not a memory block state (expected one of ${STATES.join(', ')})`);
  const physIndex = src.read(`${dir}/phys_index`)?.trim();
  if (physIndex !== undefined && parseInt(physIndex, 16) !== id)
    throw new InputError(`${src.where(`${dir}/phys_index`)}: ${physIndex} is block ${parseInt(physIndex, 16)}, but the directory is memory${id} (the kernel names a block after its phys_index)`);
  if (!Number.isSafeInteger(id * blockSize)) throw new InputError(`${src.where(dir)}: block ${id} of ${blockSize} bytes is past any address space`);
  const b: DumpBlock = { id, state: state as DumpBlock['state'] };
  const removable = src.read(`${dir}/removable`)?.trim();
  if (removable !== undefined) b.removable = removable;
  const validZones = src.read(`${dir}/valid_zones`)?.trim();
  if (validZones !== undefined) b.validZones = validZones;
  const physDevice = src.read(`${dir}/phys_device`)?.trim();
  if (physDevice !== undefined) b.physDevice = physDevice;
  const nodes = (src.list(dir) ?? []).filter((n) => /^node\d+$/.test(n)).map((n) => Number(n.slice(4)));
  if (nodes.length > 1) throw new InputError(`${src.where(dir)}: links to nodes ${nodes.join(' and ')}: a memory block is on one node`);
  if (nodes.length === 1) b.node = nodes[0]!;
  return b;
}

/** [start, end] of each "System RAM" line at the top level of /proc/iomem. */
function iomemRam(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) : System RAM$/.exec(line);
    if (m) out.push({ start: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16) });
  }
  return out;
}

function systemRam(src: DumpSource): DumpFacts['systemRam'] {
  if (src.foreign('proc/iomem') && src.foreign('sys/firmware/memmap')) return undefined; // the host's RAM, not the simulated machine's
  const iomem = src.read('proc/iomem');
  // a non-root reader sees every address as 0 in /proc/iomem: worthless then
  if (iomem !== undefined) {
    const ram = iomemRam(iomem);
    if (ram.length && ram.some((r) => r.end > 0)) return ram.map((r) => ({ ...r, from: src.where('proc/iomem') }));
  }
  const entries = src.list('sys/firmware/memmap');
  if (!entries) return undefined;
  const out: NonNullable<DumpFacts['systemRam']> = [];
  for (const e of entries) {
    const dir = `sys/firmware/memmap/${e}`;
    if (src.read(`${dir}/type`)?.trim() !== 'System RAM') continue;
    const start = Number(src.read(`${dir}/start`)?.trim());
    const end = Number(src.read(`${dir}/end`)?.trim());
    if (Number.isSafeInteger(start) && Number.isSafeInteger(end)) out.push({ start, end, from: src.where('sys/firmware/memmap') });
  }
  return out.length ? out : undefined;
}

export function readDump(src: DumpSource): DumpFacts {
  const bsText = src.read(`${MEMORY}/block_size_bytes`);
  if (bsText === undefined) throw new InputError(`${src.where(`${MEMORY}/block_size_bytes`)}: missing: the kernel always shows the memory block size`);
  if (!/^[0-9a-fA-F]+$/.test(bsText.trim())) throw new InputError(`${src.where(`${MEMORY}/block_size_bytes`)}: ${JSON.stringify(bsText.trim())} is not a size in hex (the kernel prints %lx)`);
  const blockSize = parseInt(bsText.trim(), 16);
  if (!(blockSize > 0 && (blockSize & (blockSize - 1)) === 0 && Number.isSafeInteger(blockSize)))
    throw new InputError(`${src.where(`${MEMORY}/block_size_bytes`)}: 0x${bsText.trim()} is not a power of two (memory block sizes are)`);
  const names = (src.list(MEMORY) ?? []).filter((n) => /^memory\d+$/.test(n)).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
  if (names.length === 0) throw new InputError(`${src.where(MEMORY)}: no memoryN directories: a machine with memory hotplug has a memory block for all its memory`);
  const blocks = names.map((n) => readBlock(src, n, blockSize));
  const params: Record<string, string> = {};
  for (const p of src.foreign('sys/module/memory_hotplug') ? [] : (src.list('sys/module/memory_hotplug/parameters') ?? [])) {
    const v = src.read(`sys/module/memory_hotplug/parameters/${p}`);
    if (v !== undefined) params[p] = v.trim();
  }
  const facts: DumpFacts = {
    blockSize,
    blocks,
    hasProbe: (src.list(MEMORY) ?? []).includes('probe'),
    hasVmemmapHotplug: (src.list(MEMORY) ?? []).includes('vmemmap_hotplug'),
    params,
  };
  const auto = src.read(`${MEMORY}/auto_online_blocks`)?.trim();
  if (auto !== undefined) {
    if (!(ONLINE_TYPES as readonly string[]).includes(auto))
      throw new InputError(`${src.where(`${MEMORY}/auto_online_blocks`)}: ${JSON.stringify(auto)} is not an online type (expected one of ${ONLINE_TYPES.join(', ')})`);
    facts.autoOnlineBlocks = auto;
  }
  const nodeDir = !src.foreign('sys/devices/system/node');
  const possible = nodeDir ? nodeList(src.read('sys/devices/system/node/possible')) : undefined;
  if (possible) facts.nodePossible = possible;
  const online = nodeDir ? nodeList(src.read('sys/devices/system/node/online')) : undefined;
  if (online) facts.nodeOnline = online;
  const ram = systemRam(src);
  if (ram) facts.systemRam = ram;
  return facts;
}
