/**
 * What a reading of the kernel source found (issue 18 §6), one case each:
 * ACPI DIMMs on 5.15 (acpi_memory_enable_device()), an eject over a block
 * the DIMM never bound (acpi_bind_memory_blocks(), acpi_scan_try_to_offline(),
 * __remove_memory()). docs/drivers.md.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/index.ts';
import { add, blockOf, boot, GiB, MiB, ok, sectionOf, state } from './helpers.ts';

const table = { actors: 'table' as const };
const dimm = (device: string, start: number, size: number, node = 0): Op => ({ op: 'acpi_dimm_add', device, node, start, size });

describe('ACPI DIMMs on 5.15 (a real 6.1 runs these rules)', () => {
  it('a 1 GiB DIMM adds: MHP_MEMMAP_ON_MEMORY is passed only when mhp_supports_memmap_on_memory(size) holds', () => {
    const s = boot({ kernel: '5.15', params: { memmap_on_memory: 'on' } }, table);
    const r = s.apply(dimm('PNP0C80:00', 8 * GiB, GiB));
    expect(r.ret).toBe(0);
    expect(r.events.find((e) => e.type === 'resource')).toMatchObject({ flags: ['MHP_NID_IS_MGID'] });
    expect(sectionOf(s.view(), 64)!.memmap).toMatchObject({ kind: 'node' });
    expect(s.view().groups).toEqual([expect.objectContaining({ id: 0, dynamic: false })]);
    // one block: the flag, and its memmap on the block itself
    const one = s.apply(dimm('PNP0C80:01', 10 * GiB, 128 * MiB));
    expect(one.events.find((e) => e.type === 'resource')).toMatchObject({ flags: ['MHP_MEMMAP_ON_MEMORY', 'MHP_NID_IS_MGID'] });
    expect(blockOf(s.view(), 80)!.vmemmapPages).toBe(512);
  });

  it('with memmap_on_memory off every DIMM adds with a regular memmap, and ejects', () => {
    const s = boot({ kernel: '5.15' }, table);
    ok(s, dimm('PNP0C80:00', 8 * GiB, 2 * GiB), dimm('PNP0C80:01', 12 * GiB, 128 * MiB));
    expect(s.view().devices).toHaveLength(2);
    ok(s, { op: 'acpi_dimm_eject', device: 'PNP0C80:00' });
    expect(s.view().devices).toHaveLength(1);
  });
});

describe('ACPI eject over a block the DIMM never bound', () => {
  // add_memory() got there first: __add_memory() is -EEXIST, the DIMM binds only block 64;
  // blocks 65-67 are added later by someone else
  function setup() {
    const s = boot({}, table);
    ok(s, add(8 * GiB, 128 * MiB));
    const r = s.apply(dimm('PNP0C80:00', 8 * GiB, 512 * MiB));
    expect(r.ret).toBe(0);
    ok(s, add(8 * GiB + 128 * MiB, 384 * MiB));
    expect(s.view().devices![0]).toMatchObject({ bound: [64] });
    return s;
  }

  it('an unbound block left online: acpi_scan_try_to_offline() leaves it, try_remove_memory() is -EBUSY and __remove_memory() BUGs', () => {
    const s = setup();
    ok(s, state(65, 'online_movable'));
    const r = s.apply({ op: 'acpi_dimm_eject', device: 'PNP0C80:00' });
    expect(r.ret).not.toBe(0);
    const v = s.view();
    expect(v.faults).toEqual([expect.objectContaining({ kind: 'BUG', access: '__remove_memory' })]);
    expect(blockOf(v, 65)!.state).toBe('online');
  });

  it('with every unbound block offline the eject removes the whole range', () => {
    const s = setup();
    const r = s.apply({ op: 'acpi_dimm_eject', device: 'PNP0C80:00' });
    expect(r.ret).toBe(0);
    expect(s.view().blocks.filter((b) => b.id >= 64 && b.id < 68)).toEqual([]);
  });
});
