/**
 * A failed ACPI eject puts the DIMM's blocks back online (acpi_scan_try_to_offline(),
 * docs/drivers.md, docs/kernel-model.md §4.4), as real 6.1 and 6.12 guests did in the
 * conformance corpus (6.1/seed-24 and 6.12/seed-24 are the first test here, step for step).
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/index.ts';
import { blockOf, boot, GiB, MiB, ok, state, zoneOf } from './helpers.ts';

const table = { actors: 'table' as const };
const dimm = (device: string, start: number, size: number): Op => ({ op: 'acpi_dimm_add', device, node: 0, start, size });
const eject = (device: string): Op => ({ op: 'acpi_dimm_eject', device });
// the QEMU guests of the corpus: one node of 2 GiB, all DMA/DMA32
const guest = { boot: [{ size: 2 * GiB }], params: { auto_online_blocks: 'online_kernel' as const, online_policy: 'auto-movable' as const, auto_movable_ratio: 301 } };

describe('a failed ACPI eject rolls back with device_online()', () => {
  it('a block comes back in the zone its stored online type picks: online_movable left by a refused state write', () => {
    const s = boot(guest, table);
    ok(s, dimm('PNP0C80:00', 4224 * MiB, 512 * MiB));
    // memory33 came online first and holds the kernel's allocations; 34-36 are free Normal blocks
    expect(s.view().blocks.filter((b) => b.id >= 33).map((b) => [b.id, b.zone, b.kernelAllocations])).toEqual([
      [33, 'Normal', true],
      [34, 'Normal', false],
      [35, 'Normal', false],
      [36, 'Normal', false],
    ]);
    // already online: -EINVAL, but mem->online_type keeps online_movable
    expect(s.apply(state(36, 'online_movable')).errno).toBe('EINVAL');
    expect(blockOf(s.view(), 36)).toMatchObject({ state: 'online', zone: 'Normal', onlineType: 'online_movable' });
    ok(s, { op: 'online', block: 36, value: true }, { op: 'online', block: 34, value: true });

    const r = s.apply(eject('PNP0C80:00'));
    expect(r.errno).toBe('EBUSY');
    // two passes over the physical nodes: the first offlines 34-36 and fails on 33, the second
    // retries 33 alone; then 34-36 come back: 34 and 35 with MMOP_ONLINE (auto-movable keeps a
    // DIMM whose group has kernel pages in the kernel zone), 36 with its stored online_movable
    const offlineTries = r.events.flatMap((e) => (e.type === 'transition' && e.event.type === 'OFFLINE_BEGIN' ? [e.actor] : []));
    expect(offlineTries).toEqual(['memory33', 'memory34', 'memory35', 'memory36', 'memory33']);
    expect(r.events.some((e) => e.type === 'warning' && e.message === 'memory memory33: Offline failed.')).toBe(true);
    const v = s.view();
    expect(v.blocks.filter((b) => b.id >= 33).map((b) => [b.id, b.state, b.zone, b.onlineType, b.kernelAllocations])).toEqual([
      [33, 'online', 'Normal', 'offline', true],
      [34, 'online', 'Normal', 'offline', false],
      [35, 'online', 'Normal', 'offline', false],
      [36, 'online', 'Movable', 'offline', false],
    ]);
    expect(blockOf(v, 36)!.validZones).toBe('Movable');
    // the kernel's /proc/zoneinfo after the eject (transcript 6.1/seed-24 step 4)
    expect(zoneOf(v, 0, 'Normal')).toMatchObject({ presentPages: 98304, managedPages: 98304, startPfn: 1081344, endPfn: 1179648 });
    expect(zoneOf(v, 0, 'Movable')).toMatchObject({ presentPages: 32768, managedPages: 32768, startPfn: 1179648, endPfn: 1212416 });
    expect(v.devices).toEqual([expect.objectContaining({ name: 'PNP0C80:00' })]);
  });

  it('a block whose stored type is MMOP_OFFLINE comes back with MMOP_ONLINE: the default zone, not the one it left', () => {
    // contig-zones with movable_node: MMOP_ONLINE of a block touching neither zone's span is Movable
    const s = boot({ boot: [{ size: 2 * GiB }], params: { movable_node: true } }, table);
    ok(s, dimm('PNP0C80:00', 4 * GiB, 256 * MiB), state(32, 'online_kernel'), state(33, 'online_kernel'));
    expect(blockOf(s.view(), 32)!.kernelAllocations).toBe(true);
    expect(s.apply(eject('PNP0C80:00')).errno).toBe('EBUSY');
    // memory33 was offlined (the Normal span shrank to memory32) and came back by default zone choice
    expect(blockOf(s.view(), 33)).toMatchObject({ state: 'online', zone: 'Movable', kernelAllocations: false });
  });

  it('the online file uses a stored online type too, on a block offlined since', () => {
    const s = boot(guest, table);
    ok(s, dimm('PNP0C80:00', 4224 * MiB, 256 * MiB));
    expect(s.apply(state(34, 'online_movable')).errno).toBe('EINVAL');
    ok(s, state(34, 'offline'), { op: 'online', block: 34, value: true });
    expect(blockOf(s.view(), 34)).toMatchObject({ zone: 'Movable', onlineType: 'offline' });
  });

  it('a Movable block can come back in ZONE_NORMAL, and then takes the kernel allocations when no other block holds them', () => {
    // both blocks Movable, one pinned so the eject fails; no block of the node holds the allocations
    const s = boot({ boot: [{ size: 2 * GiB }] }, table);
    ok(s, dimm('PNP0C80:00', 4 * GiB, 256 * MiB), state(32, 'online_movable'), state(33, 'online_movable'), { op: 'pin', block: 33 });
    expect(s.apply(eject('PNP0C80:00')).errno).toBe('EBUSY');
    // memory32 came back with MMOP_ONLINE: contig-zones, intersecting neither the Movable span (now
    // memory33 alone) nor a Normal one → the kernel zone; a re-online is an online like any other
    expect(blockOf(s.view(), 32)).toMatchObject({ state: 'online', zone: 'Normal', kernelAllocations: true });
    expect(s.apply(state(32, 'offline')).errno).toBe('EBUSY');
  });
});
