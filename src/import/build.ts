/**
 * A scenario document from what a sysfs said: the arch and era guessed (guess.ts), the block
 * size, one boot node per node with its memory as ranges of consecutive blocks that share a
 * node, a state and a zone (src/kernel/boot-layout.ts), the readable parameters, and a `pin`
 * for each online block an old kernel called not removable. Everything that had to be guessed
 * or left out is said in `notes`.
 */
import { formatSize } from '../input/size.ts';
import { InputError } from '../input/errors.ts';
import { ZONE_NAMES, type ArchName, type Era, type ZoneName } from '../kernel/types.ts';
import type { DumpBlock, DumpFacts } from './read.ts';
import type { DumpSource } from './source.ts';

export interface BuildChoices {
  arch: ArchName;
  kernel: Era;
  /** movable_node: tried when offline blocks list Movable first (index.ts) */
  movableNode: boolean;
}

export interface Built {
  doc: Record<string, unknown>;
  notes: string[];
}

interface Run {
  node: number;
  first: number;
  count: number;
  online: boolean;
  zone?: ZoneName;
}

/** The zone an online block is in, from valid_zones: its one zone, none (several: by address), or an old kernel's list. */
function zoneOf(b: DumpBlock, notes: Set<string>): ZoneName | undefined {
  const words = (b.validZones ?? '').split(/\s+/).filter(Boolean);
  if (words.length === 0 || words[0] === 'none') return undefined;
  if (!(ZONE_NAMES as readonly string[]).includes(words[0]!)) return undefined;
  if (words.length > 1) notes.add(`online blocks list more than one zone (memory${b.id}: "${b.validZones}"), as kernels before ~4.13 did: each is taken to be in the first one`);
  return words[0] as ZoneName;
}

const BOOL_PARAM: Record<string, boolean> = { Y: true, N: false, '1': true, '0': false };

export function buildScenario(src: DumpSource, f: DumpFacts, c: BuildChoices): Built {
  const notes = new Set<string>();
  const bs = f.blockSize;
  // nodes: from each block's link; nodes must be 0, 1, 2 … each with memory
  const missingNode = f.blocks.filter((b) => b.node === undefined);
  if (missingNode.length) notes.add(`${missingNode.length} block${missingNode.length > 1 ? 's have' : ' has'} no nodeN link (memory${missingNode[0]!.id}…): taken to be on node 0`);
  const nodeOf = (b: DumpBlock) => b.node ?? 0;
  const nodes = [...new Set(f.blocks.map(nodeOf))].sort((a, b) => a - b);
  const gap = nodes.findIndex((n, i) => n !== i);
  if (gap >= 0)
    throw new InputError(`${src.where('sys/devices/system/memory')}: blocks are on nodes ${nodes.join(', ')} but none on node ${gap}: memhp's boot nodes are numbered 0, 1, 2 … and each holds memory`);
  const firmware = (src.list('sys/devices/system/memory') ?? []).filter((n) => /^memory\d+$/.test(n) && src.readlink(`sys/devices/system/memory/${n}/firmware_node`) !== undefined);
  if (firmware.length) notes.add(`${firmware.length} block${firmware.length > 1 ? 's have' : ' has'} a firmware_node link (${firmware[0]}…): hot-added by a firmware device such as an ACPI DIMM; the scenario has them as boot memory in the state they were read in`);
  const going = f.blocks.filter((b) => b.state === 'going-offline');
  if (going.length) notes.add(`memory${going[0]!.id} was going offline when it was read: taken as online`);

  // consecutive blocks with the same node, state and zone form one range
  const runs: Run[] = [];
  for (const b of f.blocks) {
    const online = b.state !== 'offline';
    const zone = online ? zoneOf(b, notes) : undefined;
    const last = runs[runs.length - 1];
    if (last && last.first + last.count === b.id && last.node === nodeOf(b) && last.online === online && last.zone === zone) last.count++;
    else runs.push({ node: nodeOf(b), first: b.id, count: 1, online, ...(zone ? { zone } : {}) });
  }
  const boot = nodes.map((node) => ({
    node,
    ranges: runs.filter((r) => r.node === node).map((r) => ({ start: formatSize(r.first * bs), size: formatSize(r.count * bs), ...(r.zone ? { zone: r.zone } : {}), online: r.online })),
  }));

  // build options the files show
  const config: Record<string, boolean> = {};
  if (c.arch === 'x86_64') config.ARCH_MEMORY_PROBE = f.hasProbe;
  const withZones = f.blocks.filter((b) => b.validZones !== undefined).length;
  config.MEMORY_HOTREMOVE = withZones > 0;
  if (withZones === 0) notes.add('no block has valid_zones: built without CONFIG_MEMORY_HOTREMOVE');
  if ('memmap_on_memory' in f.params) config.MHP_MEMMAP_ON_MEMORY = true;

  const params: Record<string, unknown> = {};
  if (f.autoOnlineBlocks) params.auto_online_blocks = f.autoOnlineBlocks;
  const mom = f.params.memmap_on_memory;
  if (mom !== undefined) params.memmap_on_memory = mom === 'force' ? 'force' : BOOL_PARAM[mom] ? 'on' : 'off';
  if (f.params.online_policy) params.online_policy = f.params.online_policy;
  if (f.params.auto_movable_ratio) params.auto_movable_ratio = Number(f.params.auto_movable_ratio);
  if (f.params.auto_movable_numa_aware) params.auto_movable_numa_aware = BOOL_PARAM[f.params.auto_movable_numa_aware] ?? true;
  if (c.movableNode) params.movable_node = true;

  // before ~5.7 removable 0 meant an unmovable page in the block: a pin is that (docs/scenarios.md §4)
  const ops: Record<string, unknown>[] = [];
  if (c.kernel === 'v2-2019')
    for (const b of f.blocks) if (b.state !== 'offline' && b.removable === '0' && config.MEMORY_HOTREMOVE) ops.push({ op: 'pin', block: b.id });
  if (ops.length) notes.add(`${ops.length} online block${ops.length > 1 ? 's read' : ' reads'} removable 0: each gets a pin (an unmovable page), which is what the old kernel reported`);

  const possible = Math.max(nodes.length, ...(f.nodePossible ?? []).map((n) => n + 1));
  const memoryless = (f.nodeOnline ?? []).filter((n) => !nodes.includes(n));
  if (memoryless.length) notes.add(`node${memoryless.length > 1 ? 's' : ''} ${memoryless.join(', ')} ${memoryless.length > 1 ? 'are' : 'is'} online without memory: memhp's boot nodes hold memory, so ${memoryless.length > 1 ? 'they stay' : 'it stays'} possible but offline`);

  // memory the firmware handed over that no block holds
  if (f.systemRam) {
    const inBlock = (a: number) => f.blocks.some((b) => a >= b.id * bs && a < (b.id + 1) * bs);
    let outside = 0;
    const where: string[] = [];
    for (const r of f.systemRam) {
      // walk the range block by block: a block either exists or is memory outside every block
      for (let a = r.start - (r.start % bs); a <= r.end; a += bs) {
        const lo = Math.max(a, r.start);
        const hi = Math.min(a + bs - 1, r.end);
        if (!inBlock(a)) {
          outside += hi - lo + 1;
          if (where.length < 3) where.push(`0x${lo.toString(16)}-0x${hi.toString(16)}`);
        }
      }
    }
    if (outside > 0) notes.add(`${formatSize(outside)} of System RAM (${f.systemRam[0]!.from}) is in no memory block (${where.join(', ')}${where.length === 3 ? ', …' : ''}): memhp's memory is whole blocks, so it is left out`);
  }
  if (src.simulated) notes.add('/sys/devices/system/memory here is memhp\'s own (memhp exec): the arch and kernel are guessed from its files, not from the host it runs on');
  notes.add('the kernel\'s own allocations are not in sysfs: boot memory is taken to have none (used 0), so memhp may offline a boot block the machine would refuse');

  const total = f.blocks.length * bs;
  const doc: Record<string, unknown> = {
    name: `Imported from ${src.name}`,
    description: `${f.blocks.length} memory blocks (${formatSize(total)}) read from ${src.simulated ? 'memhp exec\'s /sys' : src.live ? 'this machine\'s /sys' : src.label} by memhp import`,
    kernel: c.kernel,
    arch: c.arch,
    machine: { memoryBlockSize: formatSize(bs), possibleNodes: possible, config },
    boot,
    params,
    ops,
  };
  return { doc, notes: [...notes] };
}
