/** How a scenario maps onto a QEMU guest, and what it cannot express. */
import { describe, expect, it } from 'vitest';
import { dimmSlot, eraOfRelease, guestAction, machineShape, type MachineShape } from '../../src/conform/mapping.ts';
import { validateScenario } from '../../src/scenario/index.ts';

const spec = (over: Record<string, unknown> = {}) =>
  validateScenario({ kernel: '6.8', arch: 'x86_64', machine: { memoryBlockSize: '128M' }, boot: [{ node: 0, size: '2G' }], ...over }, 'test');

describe('machine shape', () => {
  it('puts boot memory, slots and every parameter on the guest', () => {
    const s = machineShape(spec({ params: { memmap_on_memory: 'on', auto_online_blocks: 'online_movable', online_policy: 'auto-movable', movable_node: true } })) as MachineShape;
    expect(s.memMiB).toBe(2048);
    expect(s.numa).toEqual([]);
    expect(s.bootParams).toEqual(['memory_hotplug.memmap_on_memory=1', 'movable_node']);
    expect(s.runtimeParams.map((p) => p.cmdline)).toEqual([
      'memhp_default_state=online_movable',
      'memory_hotplug.online_policy=auto-movable',
      'memory_hotplug.auto_movable_ratio=301',
      'memory_hotplug.auto_movable_numa_aware=Y',
    ]);
  });

  it('gives a second node as a memoryless -numa node', () => {
    const s = machineShape(spec({ machine: { memoryBlockSize: '128M', possibleNodes: 2 } })) as MachineShape;
    expect(s.numa).toEqual([2048, 0]);
  });

  it.each([
    [{ kernel: 'v2-2019' }, /never merged/],
    [{ arch: 'arm64-4k', machine: {} }, /x86_64/],
    [{ boot: [{ node: 0, size: '8G' }] }, /PCI hole/],
  ])('refuses what no guest runs: %j', (over, reason) => {
    const s = machineShape(spec(over));
    expect('reason' in s && s.reason).toMatch(reason);
  });
});

describe('operations', () => {
  const shape = machineShape(spec()) as MachineShape;
  it('map DIMMs to QEMU slots, writes to the same sysfs file', () => {
    expect(dimmSlot('PNP0C80:02')).toBe(2);
    expect(guestAction({ op: 'acpi_dimm_add', device: 'PNP0C80:01', node: 0, start: 2 ** 32, size: 2 ** 28 }, shape)).toEqual({ kind: 'dimm_add', slot: 1, node: 0, addr: 2 ** 32, size: 2 ** 28 });
    expect(guestAction({ op: 'state', block: 33, value: 'online_movable' }, shape)).toEqual({ kind: 'write', path: 'devices/system/memory/memory33/state', value: 'online_movable' });
    expect(guestAction({ op: 'online', block: 33, value: false }, shape)).toEqual({ kind: 'write', path: 'devices/system/memory/memory33/online', value: '0' });
    expect(guestAction({ op: 'set', param: 'online_policy', value: 'auto-movable' }, shape)).toMatchObject({ path: 'module/memory_hotplug/parameters/online_policy' });
    expect(guestAction({ op: 'inject', action: 'MEM_GOING_ONLINE', error: -12 }, shape)).toMatchObject({ path: 'kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error', value: '-12' });
  });

  it('say why the guest cannot do the rest', () => {
    expect(guestAction({ op: 'touch', block: 3 }, shape)).toMatchObject({ kind: 'none', reason: expect.stringMatching(/cannot reproduce/) });
    expect(guestAction({ op: 'add_memory', node: 0, start: 2 ** 32, size: 2 ** 27, flags: [] }, shape)).toMatchObject({ kind: 'none', reason: expect.stringMatching(/kernel-internal/) });
    expect(guestAction({ op: 'acpi_dimm_add', device: 'PNP0C80:00', node: 0, start: 2 ** 30, size: 2 ** 27 }, shape)).toMatchObject({ kind: 'none', reason: expect.stringMatching(/device-memory region/) });
    expect(guestAction({ op: 'acpi_dimm_add', device: 'PNP0C80:09', node: 0, start: 2 ** 32, size: 2 ** 27 }, shape)).toMatchObject({ kind: 'none' });
  });

  it('follow the era table by release', () => {
    expect(eraOfRelease('6.1.0-50-cloud-amd64')).toBe('5.15');
    expect(eraOfRelease('6.12.95+deb12-cloud-amd64')).toBe('6.8');
    expect(eraOfRelease('6.6.1')).toBe('6.6');
    expect(eraOfRelease('5.10.0')).toBeNull();
  });
});
