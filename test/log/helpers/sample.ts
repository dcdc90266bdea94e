/** Hand-built fixture data for the log tests (the engine does not exist yet). */
import type { UnsequencedEvent } from '../../../src/engine/events.ts';
import { DEFAULT_PARAMS } from '../../../src/scenario/defaults.ts';
import type { SystemSpec } from '../../../src/kernel/types.ts';

export const system: SystemSpec = {
  name: 'seed-example-1g',
  description: 'add 1 GiB with MHP_MEMMAP_DEVICE, remove 128 MiB',
  kernel: 'v2-2019',
  arch: 'x86_64',
  machine: { hypervisor: true, sparsemem: 'vmemmap', memoryBlockSize: 134217728 },
  boot: [{ node: 0, size: 4294967296, used: 536870912, maxFreeOrder: 10 }],
  params: { ...DEFAULT_PARAMS },
};

/** One of each event type, as an engine would emit for a hot-add and online. */
export const oneOfEach: UnsequencedEvent[] = [
  { type: 'op', op: { op: 'add_memory', node: 0, start: 4294967296, size: 1073741824, flags: ['MHP_MEMMAP_DEVICE'] }, ret: 0, errno: null },
  {
    type: 'resource', action: 'request', start: 4294967296, size: 1073741824, flags: ['IORESOURCE_SYSTEM_RAM'],
    remove: [], insert: [{ start: 4294967296, size: 1073741824, name: 'System RAM', driverManaged: false, container: false }], firmwareMap: 'add',
  },
  { type: 'vmemmap', action: 'mark', headPfn: 1048576, nrPages: 4096, refcount: 8, sections: [32, 33, 34, 35, 36, 37, 38, 39], node: 0 },
  {
    type: 'transition', machine: 'memory_block', actor: 'memory32', event: { type: 'ADD', phys_index: 32 },
    from: 'absent', to: 'offline', context: { nr_vmemmap_pages: 512, altmap: { base_pfn: 1048576 } },
  },
  { type: 'account', node: 0, zone: 'Movable', presentPages: 32768, managedPages: 32256, span: { startPfn: 1048576, endPfn: 1081344 }, reason: 'online_pages' },
  { type: 'node', node: 1, online: true },
  { type: 'knob', knob: 'inject', key: 'MEM_GOING_ONLINE', value: -16 },
  { type: 'warning', message: 'MHP_MEMMAP_DEVICE ignored: unknown flag — “non-ASCII” stays intact' },
  {
    type: 'fault', kind: 'memmap-in-removed-memory', section: 33, block: 33,
    removed: { start: 4294967296, size: 134217728 }, access: 'online', message: 'BUG: unable to handle page fault',
  },
];

/** A deterministic event for `seq`, padded so a batch spans several pages (crash tests). */
export function eventFor(seq: number, padding = 0): UnsequencedEvent {
  return { type: 'account', node: 0, zone: 'Normal', presentPages: seq * 32768, reason: `event ${seq}${'.'.repeat(padding)}` };
}
