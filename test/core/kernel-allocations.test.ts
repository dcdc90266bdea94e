/**
 * Where the kernel's unmovable allocations go (docs/kernel-model.md §8.4), and
 * valid_zones' order (§5.6), as real 6.1 and 6.12 guests showed them.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/index.ts';
import { add, blockOf, boot, GiB, MiB, ok, state } from './helpers.ts';

const table = { actors: 'table' as const };
const dimm = (device: string, start: number, size: number, node = 0): Op => ({ op: 'acpi_dimm_add', device, node, start, size });
// one node of 2 GiB: all DMA/DMA32, like the QEMU guests of the differential run
const small = { boot: [{ size: 2 * GiB }] };

describe('unmovable kernel allocations', () => {
  it('a node with only DMA/DMA32 boot memory: its first ZONE_NORMAL block takes them at once and cannot be offlined (-EBUSY)', () => {
    const s = boot(small, table);
    ok(s, add(4 * GiB, 256 * MiB), state(32, 'online_kernel'), state(33, 'online_movable'));
    expect(blockOf(s.view(), 32)).toMatchObject({ zone: 'Normal', kernelAllocations: true });
    expect(blockOf(s.view(), 33)).toMatchObject({ zone: 'Movable', kernelAllocations: false });
    const r = s.apply(state(32, 'offline'));
    expect(r).toMatchObject({ errno: 'EBUSY' });
    expect(r.message).toMatch(/failure to isolate range \(memory32 holds unmovable kernel allocations\)/);
    expect(blockOf(s.view(), 32)!.state).toBe('online');
    ok(s, state(33, 'offline'));
  });

  it('the ACPI eject of a DIMM with such a block fails and the DIMM stays; an add into its range fails', () => {
    const s = boot({ ...small, params: { auto_online_blocks: 'online' } }, table);
    ok(s, dimm('PNP0C80:00', 4 * GiB, 512 * MiB));
    const r = s.apply({ op: 'acpi_dimm_eject', device: 'PNP0C80:00' });
    expect(r).toMatchObject({ errno: 'EBUSY' });
    const v = s.view();
    expect(v.devices).toEqual([expect.objectContaining({ name: 'PNP0C80:00' })]);
    // the first block holds them; the others were offlined and put back (acpi_scan_try_to_offline())
    expect(v.blocks.filter((b) => b.id >= 32).map((b) => [b.id, b.state, b.zone, b.kernelAllocations])).toEqual([
      [32, 'online', 'Normal', true],
      [33, 'online', 'Normal', false],
      [34, 'online', 'Normal', false],
      [35, 'online', 'Normal', false],
    ]);
    expect(v.faults).toEqual([]);
    // (QEMU itself refuses a second DIMM at that address; in the kernel, the range is taken)
    expect(s.apply(add(4 * GiB, 128 * MiB)).errno).toBe('EEXIST');
  });

  it('a node whose boot ZONE_NORMAL has free pages keeps them there: hot-added Normal memory can go again', () => {
    const s = boot({ boot: [{ size: 8 * GiB, used: GiB }] }, table);
    ok(s, add(8 * GiB, 128 * MiB), state(64, 'online_kernel'));
    expect(blockOf(s.view(), 64)).toMatchObject({ zone: 'Normal', kernelAllocations: false });
    ok(s, state(64, 'offline'));
  });

  it('a node whose boot ZONE_NORMAL is used up behaves like one without', () => {
    // 8 GiB used but the 128 MiB boot memmap: no free boot Normal; the add carries its own memmap
    const s = boot({ boot: [{ size: 8 * GiB, used: 8 * GiB - 128 * MiB }], params: { memmap_on_memory: 'on' } }, table);
    ok(s, add(8 * GiB, 128 * MiB, ['MHP_MEMMAP_ON_MEMORY']), state(64, 'online_kernel'));
    expect(blockOf(s.view(), 64)!.kernelAllocations).toBe(true);
  });

  it('before 5.10 (v2-2019) onlined pages went to the head of the free lists: hot-added Normal takes them even beside free boot Normal', () => {
    const s = boot({ kernel: 'v2-2019', boot: [{ size: 8 * GiB, used: GiB }] }, table);
    ok(s, add(8 * GiB, 128 * MiB), state(64, 'online_kernel'));
    expect(blockOf(s.view(), 64)!.kernelAllocations).toBe(true);
    expect(s.apply(state(64, 'offline')).errno).toBe('EBUSY');
  });

  it('memhp show says which blocks hold them and why', async () => {
    const { formatWorld } = await import('../../src/cli/world-text.ts');
    const s = boot(small, table);
    ok(s, add(4 * GiB, 384 * MiB), state(32, 'online_kernel'), state(33, 'online_kernel'), state(34, 'online_kernel'));
    const plain = { bold: (x: string) => x, fault: (x: string) => x } as unknown as Parameters<typeof formatWorld>[1];
    const text = formatWorld(s.view(), plain).join('\n');
    expect(text).toMatch(/unmovable kernel allocations \(these blocks cannot be offlined: EBUSY\)\nmemory32 +node 0: onlined to a kernel zone while the node had no free boot ZONE_NORMAL/);
    // the later Normal blocks sit behind it on the free lists: they stay free
    expect(text).not.toMatch(/memory3[34] +node 0: onlined to a kernel zone/);
  });
});

describe('valid_zones order (valid_zones_show(): the online zone, then the others)', () => {
  for (const kernel of ['5.15', '6.8'] as const) {
    it(`${kernel}: "Movable Normal" under auto-movable, "Normal Movable" under contig-zones`, () => {
      const auto = boot({ kernel, ...small, params: { online_policy: 'auto-movable' } }, table);
      ok(auto, dimm('PNP0C80:00', 4 * GiB, 256 * MiB));
      expect(blockOf(auto.view(), 32)!.validZones).toBe('Movable Normal');
      const contig = boot({ kernel, ...small }, table);
      ok(contig, dimm('PNP0C80:00', 4 * GiB, 256 * MiB));
      expect(blockOf(contig.view(), 32)!.validZones).toBe('Normal Movable');
    });
  }
});
