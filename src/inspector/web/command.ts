/**
 * The live command line: one short line -> one Op. The server validates the
 * Op again; this parser exists to give the user a quick, precise message.
 */
import type { MhpFlag, Op, OnlineType } from '../../kernel/types.ts';
import { parseSize } from './format.ts';

export const COMMAND_HELP = [
  'add <node> <start> <size> [DEVICE|MEMBLOCK|ON_MEMORY]',
  'online <block> [kernel|movable]   offline <block>   state <block> <online_type>',
  'remove <start> <size>   offline_and_remove <start> <size>   probe <addr>',
  'inject MEM_GOING_ONLINE|MEM_GOING_OFFLINE <errno, e.g. -16>   set <param> <value>',
  'pin|unpin|touch <block>   signal   write <path below /sys> <value> (as echo: a newline is added)',
  'acpi_dimm_add <device> <node> <start> <size>   acpi_dimm_eject <device>',
  'virtio_mem_add <device> <node> <start> <size> [requested] [blockSize]   virtio_mem_resize <device> <requested>',
  'dax_kmem_add <device> <node> <start> <size> [memmap_on_memory 0|1]   dax_kmem_remove <device>',
];

function device(s: string | undefined): string {
  if (s === undefined || !/^[A-Za-z0-9_.:-]+$/.test(s)) throw new Error(`device: expected a name such as virtio0, dax0.0 or PNP0C80:00, got ${JSON.stringify(s ?? '')}`);
  return s;
}

const FLAG: Record<string, MhpFlag> = { DEVICE: 'MHP_MEMMAP_DEVICE', MEMBLOCK: 'MHP_MEMMAP_MEMBLOCK', ON_MEMORY: 'MHP_MEMMAP_ON_MEMORY' };

function int(s: string | undefined, what: string): number {
  if (s === undefined || !/^-?\d+$/.test(s)) throw new Error(`${what}: expected an integer, got ${JSON.stringify(s ?? '')}`);
  return Number(s);
}
function size(s: string | undefined, what: string): number {
  if (s === undefined) throw new Error(`${what} is missing`);
  return parseSize(s);
}

export function parseCommand(line: string): Op {
  const [cmd, ...a] = line.trim().split(/\s+/);
  switch (cmd) {
    case 'add': {
      const flags = a.slice(3).map((f) => {
        const flag = FLAG[f.toUpperCase()] ?? (Object.values(FLAG).includes(f as MhpFlag) ? (f as MhpFlag) : undefined);
        if (!flag) throw new Error(`unknown flag ${JSON.stringify(f)} (DEVICE, MEMBLOCK, ON_MEMORY)`);
        return flag;
      });
      return { op: 'add_memory', node: int(a[0], 'node'), start: size(a[1], 'start'), size: size(a[2], 'size'), flags };
    }
    case 'online': {
      const kind = a[1];
      const value: OnlineType = kind === undefined ? 'online' : kind === 'kernel' ? 'online_kernel' : kind === 'movable' ? 'online_movable' : (() => { throw new Error(`online: kind must be kernel or movable, got ${JSON.stringify(kind)}`); })();
      return { op: 'state', block: int(a[0], 'block'), value };
    }
    case 'offline': return { op: 'state', block: int(a[0], 'block'), value: 'offline' };
    case 'state': {
      // The simulated kernel judges the string (sysfs_streq): a typo is its -EINVAL, in the log.
      if (a[1] === undefined) throw new Error('state <block> <online_type>');
      return { op: 'state', block: int(a[0], 'block'), value: a[1] };
    }
    case 'remove': return { op: 'remove_memory', start: size(a[0], 'start'), size: size(a[1], 'size') };
    case 'offline_and_remove': return { op: 'offline_and_remove_memory', start: size(a[0], 'start'), size: size(a[1], 'size') };
    case 'probe': return { op: 'probe', addr: size(a[0], 'addr') };
    case 'inject': {
      if (a[0] !== 'MEM_GOING_ONLINE' && a[0] !== 'MEM_GOING_OFFLINE') throw new Error('inject: action must be MEM_GOING_ONLINE or MEM_GOING_OFFLINE');
      return { op: 'inject', action: a[0], error: int(a[1], 'errno') };
    }
    case 'set': {
      const raw = a[1];
      if (!a[0] || raw === undefined) throw new Error('set <param> <value>');
      const value = raw === 'true' ? true : raw === 'false' ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw;
      return { op: 'set', param: a[0] as Extract<Op, { op: 'set' }>['param'], value };
    }
    case 'pin': case 'unpin': case 'touch': return { op: cmd, block: int(a[0], 'block') };
    case 'signal': return { op: 'signal' };
    case 'write': {
      const path = a[0]?.replace(/^\/?(sys\/)?/, '');
      if (!path || a.length < 2) throw new Error('write <path below /sys> <value>, e.g. write devices/system/memory/memory64/state online_movable');
      return { op: 'write', path, value: `${a.slice(1).join(' ')}\n` };
    }
    case 'acpi_dimm_add': return { op: 'acpi_dimm_add', device: device(a[0]), node: int(a[1], 'node'), start: size(a[2], 'start'), size: size(a[3], 'size') };
    case 'acpi_dimm_eject': return { op: 'acpi_dimm_eject', device: device(a[0]) };
    case 'virtio_mem_add':
      return {
        op: 'virtio_mem_add', device: device(a[0]), node: int(a[1], 'node'), start: size(a[2], 'start'), size: size(a[3], 'size'),
        requested: a[4] === undefined ? 0 : size(a[4], 'requested'), ...(a[5] === undefined ? {} : { blockSize: size(a[5], 'blockSize') }),
      };
    case 'virtio_mem_resize': return { op: 'virtio_mem_resize', device: device(a[0]), requested: size(a[1], 'requested') };
    case 'dax_kmem_add': {
      const mom = a[4] === undefined ? undefined : a[4] === '1' ? true : a[4] === '0' ? false : (() => { throw new Error('dax_kmem_add: memmap_on_memory must be 0 or 1'); })();
      return { op: 'dax_kmem_add', device: device(a[0]), node: int(a[1], 'node'), start: size(a[2], 'start'), size: size(a[3], 'size'), ...(mom === undefined ? {} : { memmap_on_memory: mom }) };
    }
    case 'dax_kmem_remove': return { op: 'dax_kmem_remove', device: device(a[0]) };
    default: throw new Error(`unknown command ${JSON.stringify(cmd ?? '')}; try: ${COMMAND_HELP.join(' · ')}`);
  }
}
