/**
 * The drivers that hot-add memory (docs/drivers.md): ACPI DIMMs
 * (drivers/acpi/acpi_memhotplug.c), virtio-mem (drivers/virtio/virtio_mem.c)
 * and dax/kmem (drivers/dax/kmem.c), with their memory groups
 * (drivers/base/memory.c) and the group rules of auto-movable
 * (mm/memory_hotplug.c). Each expectation names the kernel function behind it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/index.ts';
import { replay, toView, type Op } from '../../src/index.ts';
import type { MemhpEvent } from '../../src/engine/events.ts';
import { canOnlineMovable } from '../../src/kernel/zone-choice.ts';
import type { MemoryGroupState } from '../../src/kernel/reader.ts';
import { readerOf } from '../../src/engine/reader.ts';
import { blockOf, boot, GiB, MiB, ok, sectionOf, state, zoneOf } from './helpers.ts';

const PAGES_PER_GIB = GiB / 4096;
const table = { actors: 'table' as const };
const dimm = (device: string, start: number, size: number, node = 0): Op => ({ op: 'acpi_dimm_add', device, node, start, size });
const virtio = (device: string, start: number, size: number, requested: number, blockSize?: number): Op => ({
  op: 'virtio_mem_add',
  device,
  node: 0,
  start,
  size,
  requested,
  ...(blockSize ? { blockSize } : {}),
});
const resize = (device: string, requested: number): Op => ({ op: 'virtio_mem_resize', device, requested });
const kmem = (device: string, start: number, size: number, node = 0, memmap_on_memory?: boolean): Op => ({
  op: 'dax_kmem_add',
  device,
  node,
  start,
  size,
  ...(memmap_on_memory === undefined ? {} : { memmap_on_memory }),
});
const resources = (events: readonly MemhpEvent[]) => events.filter((e) => e.type === 'resource');
const groupsIn = (events: readonly MemhpEvent[]) => events.filter((e) => e.type === 'group');
const blocksBetween = (s: { view(): { blocks: { id: number }[] } }, first: number, end: number) => s.view().blocks.filter((b) => b.id >= first && b.id < end);

describe('ACPI memory devices (acpi_memory_enable_device)', () => {
  it('6.8: one static memory group per DIMM (memory_group_register_static(node, PFN_UP(total_length))), every block in it, a plain System RAM resource with a firmware memmap entry', () => {
    const s = boot({}, table);
    const r = s.apply(dimm('PNP0C80:00', 8 * GiB, 2 * GiB));
    expect(r.ret).toBe(0);
    expect(groupsIn(r.events)).toEqual([expect.objectContaining({ action: 'register', id: 0, dynamic: false, pages: 2 * PAGES_PER_GIB, owner: 'PNP0C80:00' })]);
    const v = s.view();
    expect(v.groups).toEqual([expect.objectContaining({ id: 0, dynamic: false, pages: 2 * PAGES_PER_GIB, blocks: Array.from({ length: 16 }, (_, i) => 64 + i) })]);
    expect(blockOf(v, 64)!.group).toBe(0);
    // __add_memory() → register_memory_resource(start, size, "System RAM"): MHP_NID_IS_MGID, and (6.6+) always MHP_MEMMAP_ON_MEMORY
    expect(resources(r.events)).toEqual([expect.objectContaining({ action: 'request', start: 8 * GiB, size: 2 * GiB, flags: ['MHP_MEMMAP_ON_MEMORY', 'MHP_NID_IS_MGID'] })]);
    // add_memory_resource(): firmware_map_add_hotplug() for "System RAM"
    expect(v.firmwareMemmap).toContainEqual({ start: 8 * GiB, end: 10 * GiB - 1, type: 'System RAM' });
    expect(v.iomem).toContainEqual({ start: 8 * GiB, end: 10 * GiB - 1, name: 'System RAM', level: 0, driverManaged: false });
    expect(v.devices).toEqual([expect.objectContaining({ name: 'PNP0C80:00', driver: 'acpi_memhotplug', group: 0 })]);
  });

  it('6.8 with memory_hotplug.memmap_on_memory: the flag gives every block its own altmap (create_altmaps_and_memory_blocks)', () => {
    const s = boot({ params: { memmap_on_memory: 'on' } }, table);
    ok(s, dimm('PNP0C80:00', 8 * GiB, 1 * GiB));
    expect(blockOf(s.view(), 65)!.vmemmapPages).toBe(512);
    expect(sectionOf(s.view(), 65)!.memmap).toMatchObject({ kind: 'altmap', headPfn: (8 * GiB + 128 * MiB) / 4096 });
  });

  it('5.13: no memory groups; the flag only for a single-block DIMM (mhp_supports_memmap_on_memory(size)), so a 1 GiB DIMM adds with a regular memmap instead of -EINVAL', () => {
    const s = boot({ kernel: '5.13', params: { memmap_on_memory: 'on' } }, table);
    const r = s.apply(dimm('PNP0C80:00', 8 * GiB, 1 * GiB));
    expect(r.ret).toBe(0);
    expect(groupsIn(r.events)).toEqual([]);
    expect(resources(r.events)[0]).toMatchObject({ flags: [] });
    expect(sectionOf(s.view(), 64)!.memmap).toMatchObject({ kind: 'node' });
    expect(blockOf(s.view(), 64)!.group).toBeNull();
    const one = s.apply(dimm('PNP0C80:01', 10 * GiB, 128 * MiB));
    expect(resources(one.events)[0]).toMatchObject({ flags: ['MHP_MEMMAP_ON_MEMORY'] });
    expect(blockOf(s.view(), 80)!.vmemmapPages).toBe(512);
  });

  it('v2-2019: ACPI was the one caller of MHP_MEMMAP_DEVICE (one vmemmap of 1 GiB / 4 KiB × 64 B = 16 MiB = 4096 pages at the start of the DIMM)', () => {
    const s = boot({ kernel: 'v2-2019' }, table);
    ok(s, dimm('PNP0C80:00', 8 * GiB, 1 * GiB));
    expect(s.view().vmemmap).toEqual([expect.objectContaining({ headPfn: (8 * GiB) / 4096, nrPages: 4096, refcount: 8 })]);
  });

  it('eject: acpi_scan_try_to_offline() offlines every block; one that cannot go puts the others back online and the eject is -EBUSY', () => {
    const s = boot({ params: { auto_online_blocks: 'online_kernel' } }, table);
    // node 1: its boot ZONE_NORMAL keeps the kernel's allocations out of the DIMM (docs/kernel-model.md §8.4)
    ok(s, dimm('PNP0C80:00', 8 * GiB, 512 * MiB, 1), { op: 'pin', block: 66 });
    const r = s.apply({ op: 'acpi_dimm_eject', device: 'PNP0C80:00' });
    expect(r).toMatchObject({ ret: -16, errno: 'EBUSY' });
    expect(blocksBetween(s, 64, 68).map((b: any) => b.state)).toEqual(['online', 'online', 'online', 'online']);
    expect(s.view().devices).toHaveLength(1);
    ok(s, { op: 'unpin', block: 66 });
    const e = s.apply({ op: 'acpi_dimm_eject', device: 'PNP0C80:00' });
    expect(e.ret).toBe(0);
    // __remove_memory(), then memory_group_unregister(mgid)
    expect(groupsIn(e.events)).toEqual([expect.objectContaining({ action: 'unregister', id: 0 })]);
    const v = s.view();
    expect(blocksBetween(s, 64, 68)).toEqual([]);
    expect(v.groups).toEqual([]);
    expect(v.devices).toEqual([]);
    // try_remove_memory(): firmware_map_remove() and release_mem_region_adjustable()
    expect(v.firmwareMemmap!.some((f) => f.start === 8 * GiB)).toBe(false);
    expect(v.iomem!.some((r) => r.start === 8 * GiB)).toBe(false);
  });

  it('a device name twice is -EEXIST; ejecting a device that is not there is -ENODEV; a failed add unregisters its group again (acpi_memory_device_free())', () => {
    const s = boot({}, table);
    ok(s, dimm('PNP0C80:00', 8 * GiB, 1 * GiB));
    expect(s.apply(dimm('PNP0C80:00', 16 * GiB, 1 * GiB))).toMatchObject({ errno: 'EEXIST' });
    expect(s.apply({ op: 'acpi_dimm_eject', device: 'PNP0C80:09' })).toMatchObject({ errno: 'ENODEV' });
    const bad = s.apply(dimm('PNP0C80:01', 16 * GiB + 4 * MiB, 1 * GiB));
    expect(bad).toMatchObject({ errno: 'EINVAL' });
    expect(groupsIn(bad.events).map((e: any) => e.action)).toEqual(['register', 'unregister']);
    expect(s.view().groups).toHaveLength(1);
  });
});

describe('virtio-mem (virtio_mem_probe, virtio_mem_run_wq)', () => {
  it('probe: the device resource named after the device, one dynamic memory group with the memory block as unit (memory_group_register_dynamic(nid, PHYS_PFN(memory_block_size_bytes())))', () => {
    const s = boot({ params: { auto_online_blocks: 'online' } }, table);
    const r = s.apply(virtio('virtio0', 16 * GiB, 8 * GiB, 1 * GiB));
    expect(r.ret).toBe(0);
    expect(groupsIn(r.events)).toEqual([expect.objectContaining({ id: 0, dynamic: true, pages: 32768 })]);
    // virtio_mem_add_memory(): add_memory_driver_managed(mgid, addr, memory_block_size, "System RAM (virtio_mem)", MHP_MERGE_RESOURCE | MHP_NID_IS_MGID)
    const adds = resources(r.events).filter((e: any) => !e.container);
    expect(adds).toHaveLength(8);
    expect(adds[0]).toMatchObject({ size: 128 * MiB, name: 'System RAM (virtio_mem)', driverManaged: true, flags: ['MHP_MERGE_RESOURCE', 'MHP_NID_IS_MGID'] });
    const v = s.view();
    // merge_system_ram_resource(): one child resource under virtio0, no firmware memmap entry
    expect(v.iomem!.filter((x) => x.start >= 16 * GiB)).toEqual([
      { start: 16 * GiB, end: 24 * GiB - 1, name: 'virtio0', level: 0, driverManaged: false },
      { start: 16 * GiB, end: 17 * GiB - 1, name: 'System RAM (virtio_mem)', level: 1, driverManaged: true },
    ]);
    expect(v.firmwareMemmap!.every((f) => f.start < 16 * GiB)).toBe(true);
    expect(v.devices![0]).toMatchObject({ requested: 1 * GiB, plugged: 1 * GiB, unit: 128 * MiB, group: 0 });
    // the driver never passes MHP_MEMMAP_ON_MEMORY: the memmap is a regular allocation
    expect(sectionOf(v, 128)!.memmap).toMatchObject({ kind: 'node' });
  });

  it('the host refuses a requested size that is not a multiple of the block size or exceeds the region; nothing changes', () => {
    const s = boot({}, table);
    ok(s, virtio('virtio0', 16 * GiB, 2 * GiB, 0));
    const before = s.view();
    expect(s.apply(resize('virtio0', 100 * MiB))).toMatchObject({ errno: 'EINVAL' });
    expect(s.apply(resize('virtio0', 4 * GiB))).toMatchObject({ errno: 'EINVAL' });
    expect(s.view().blocks).toEqual(before.blocks);
  });

  it('offline_threshold: with auto-online off the driver stops after 1 GiB of offline memory (virtio_mem_could_add_memory()) and continues once it is online', () => {
    const s = boot({}, table);
    const r = s.apply(virtio('virtio0', 16 * GiB, 4 * GiB, 2 * GiB));
    expect(r).toMatchObject({ ret: -11, errno: 'EAGAIN' });
    expect(r.message).toMatch(/offline_threshold 1G/);
    expect(blocksBetween(s, 128, 160)).toHaveLength(8);
    expect(s.view().devices![0]).toMatchObject({ requested: 2 * GiB, plugged: 1 * GiB });
    for (let id = 128; id < 136; id++) ok(s, state(id, 'online_movable'));
    expect(s.apply(resize('virtio0', 2 * GiB)).ret).toBe(0);
    expect(blocksBetween(s, 128, 160)).toHaveLength(16);
  });

  it('unplug: offline blocks first, then movable, then kernel, highest first; an online block goes by offline_and_remove_memory() of that one block, one that cannot go is skipped', () => {
    const s = boot({}, table);
    ok(s, virtio('virtio0', 16 * GiB, 1 * GiB, 1 * GiB));
    ok(s, state(128, 'online_kernel'), state(129, 'online_movable'), state(130, 'online_movable'), { op: 'pin', block: 128 });
    const r = s.apply(resize('virtio0', 512 * MiB));
    expect(r.ret).toBe(0);
    // offline 131-135 first (remove_memory), highest first: 135, 134, 133, 132
    const removed = r.events.filter((e: any) => e.type === 'transition' && e.machine === 'memory_block' && e.event.type === 'REMOVE').map((e: any) => e.actor);
    expect(removed).toEqual(['memory135', 'memory134', 'memory133', 'memory132']);
    const r2 = s.apply(resize('virtio0', 0));
    // 131 (offline), then 130, 129 (movable), then 128 (kernel, pinned): EBUSY, skipped, the driver retries later
    expect(r2).toMatchObject({ ret: -11, errno: 'EAGAIN' });
    expect(blocksBetween(s, 128, 136).map((b: any) => b.id)).toEqual([128]);
    expect(s.view().devices![0]).toMatchObject({ plugged: 128 * MiB, requested: 0 });
    expect(s.view().iomem!.filter((x) => x.name === 'System RAM (virtio_mem)')).toEqual([expect.objectContaining({ start: 16 * GiB, end: 16 * GiB + 128 * MiB - 1 })]);
  });

  it('Big Block Mode: a device block of 1 GiB makes the unit 1 GiB (unit_pages = PHYS_PFN(bb_size)); a 2 MiB device block is Sub Block Mode with a one-block unit', () => {
    const s = boot({ params: { auto_online_blocks: 'online' } }, table);
    const r = s.apply(virtio('virtio0', 16 * GiB, 4 * GiB, 2 * GiB, 1 * GiB));
    expect(r.ret).toBe(0);
    expect(groupsIn(r.events)[0]).toMatchObject({ dynamic: true, pages: PAGES_PER_GIB });
    expect(resources(r.events).filter((e: any) => !e.container).map((e: any) => e.size)).toEqual([GiB, GiB]);
    const sbm = s.apply(virtio('virtio1', 32 * GiB, 4 * GiB, 0, 2 * MiB));
    expect(sbm.ret).toBe(0);
    expect(groupsIn(sbm.events)[0]).toMatchObject({ dynamic: true, pages: PAGES_PER_GIB / 8 });
  });

  it('eras: no driver before 5.8 (v2-2019: -ENODEV); 5.13 has it without memory groups', () => {
    expect(boot({ kernel: 'v2-2019' }, table).apply(virtio('virtio0', 16 * GiB, 1 * GiB, 0))).toMatchObject({ errno: 'ENODEV' });
    const s = boot({ kernel: '5.13', params: { auto_online_blocks: 'online' } }, table);
    const r = s.apply(virtio('virtio0', 16 * GiB, 1 * GiB, 256 * MiB));
    expect(r.ret).toBe(0);
    expect(groupsIn(r.events)).toEqual([]);
    expect(resources(r.events).filter((e: any) => !e.container)[0]).toMatchObject({ flags: ['MHP_MERGE_RESOURCE'], name: 'System RAM (virtio_mem)' });
  });
});

describe('dax/kmem (dev_dax_kmem_probe, dev_dax_kmem_remove)', () => {
  const cxl = { machine: { possibleNodes: 3 }, params: { memmap_on_memory: 'on' as const, auto_online_blocks: 'online_movable' as const } };

  it('6.8: a static group per dax device, "System RAM (kmem)" under the device resource, MHP_MEMMAP_ON_MEMORY from the device attribute, no firmware memmap entry', () => {
    const s = boot(cxl, table);
    const r = s.apply(kmem('dax0.0', 16 * GiB, 2 * GiB, 2, true));
    expect(r.ret).toBe(0);
    expect(groupsIn(r.events)).toEqual([expect.objectContaining({ dynamic: false, pages: 2 * PAGES_PER_GIB, nid: 2 })]);
    expect(resources(r.events)).toEqual([
      expect.objectContaining({ name: 'dax0.0', container: true }),
      expect.objectContaining({ name: 'System RAM (kmem)', driverManaged: true, flags: ['MHP_MEMMAP_ON_MEMORY', 'MHP_NID_IS_MGID'] }),
    ]);
    const v = s.view();
    expect(blockOf(v, 128)).toMatchObject({ node: 2, zone: 'Movable', vmemmapPages: 512, group: 0 });
    expect(zoneOf(v, 2, 'Movable')).toMatchObject({ presentPages: 2 * PAGES_PER_GIB, managedPages: 2 * PAGES_PER_GIB - 16 * 512 });
    expect(v.firmwareMemmap!.every((f) => f.start < 16 * GiB)).toBe(true);
    expect(v.iomem!.filter((x) => x.start >= 16 * GiB).map((x) => [x.name, x.level])).toEqual([['dax0.0', 0], ['System RAM (kmem)', 1]]);
  });

  it('dax_kmem_range(): the range is aligned inward to memory blocks', () => {
    const s = boot(cxl, table);
    const r = s.apply(kmem('dax0.0', 16 * GiB + 64 * MiB, 1 * GiB));
    expect(r.ret).toBe(0);
    expect(s.view().devices![0]).toMatchObject({ start: 16 * GiB + 128 * MiB, size: 1 * GiB - 128 * MiB });
  });

  it('memmap_on_memory: no such attribute before 6.8 (-ENOENT); enabling it where mhp_supports_memmap_on_memory() is false is -EOPNOTSUPP (memmap_on_memory_store())', () => {
    expect(boot({ kernel: '6.6' }, table).apply(kmem('dax0.0', 16 * GiB, 1 * GiB, 0, true))).toMatchObject({ errno: 'ENOENT' });
    expect(boot({}, table).apply(kmem('dax0.0', 16 * GiB, 1 * GiB, 0, true))).toMatchObject({ errno: 'EOPNOTSUPP' });
    // 6.6 has the groups but not the attribute: a regular memmap
    const s = boot({ kernel: '6.6' }, table);
    ok(s, kmem('dax0.0', 16 * GiB, 1 * GiB));
    expect(s.view().groups).toHaveLength(1);
    expect(sectionOf(s.view(), 128)!.memmap).toMatchObject({ kind: 'node' });
  });

  it('unbind with memory online: remove_memory() fails, the unbind still succeeds and the memory, its resources and its group stay until reboot', () => {
    const s = boot(cxl, table);
    ok(s, kmem('dax0.0', 16 * GiB, 1 * GiB, 0, true));
    const r = s.apply({ op: 'dax_kmem_remove', device: 'dax0.0' });
    expect(r.ret).toBe(0);
    expect(r.events.filter((e) => e.type === 'warning').map((e: any) => e.message)).toEqual([expect.stringMatching(/cannot be hotremoved until the next reboot/)]);
    const v = s.view();
    expect(v.devices![0]).toMatchObject({ name: 'dax0.0', stuck: true });
    expect(v.groups).toHaveLength(1);
    expect(blocksBetween(s, 128, 136)).toHaveLength(8);
    expect(s.apply({ op: 'dax_kmem_remove', device: 'dax0.0' })).toMatchObject({ errno: 'ENODEV' });
  });

  it('v2-2019 (before add_memory_driver_managed): add_memory() gives a "System RAM" child and a firmware memmap entry', () => {
    const s = boot({ kernel: 'v2-2019' }, table);
    ok(s, kmem('dax0.0', 16 * GiB, 1 * GiB));
    const v = s.view();
    expect(v.iomem!.filter((x) => x.start >= 16 * GiB).map((x) => [x.name, x.level])).toEqual([['dax0.0', 0], ['System RAM', 1]]);
    expect(v.firmwareMemmap).toContainEqual({ start: 16 * GiB, end: 17 * GiB - 1, type: 'System RAM' });
    expect(v.groups).toEqual([]);
  });
});

describe('auto-movable with memory groups (auto_movable_zone_for_pfn, auto_movable_can_online_movable)', () => {
  it('a static group goes all or nothing: a DIMM that does not fit the ratio as a whole goes to the kernel zone as a whole, where plain add_memory() would split', () => {
    const params = { online_policy: 'auto-movable' as const, auto_online_blocks: 'online' as const };
    // 4 GiB boot memory on node 0 only: ratio 301 allows 12.04 GiB of movable memory
    const spec = { boot: [{ size: 4 * GiB, used: 1 * GiB }], params };
    const grouped = boot(spec, table);
    ok(grouped, dimm('PNP0C80:00', 8 * GiB, 8 * GiB), dimm('PNP0C80:01', 16 * GiB, 8 * GiB));
    const zones = (s: typeof grouped, first: number) => new Set(blocksBetween(s, first, first + 64).map((b: any) => b.zone));
    expect(zones(grouped, 64)).toEqual(new Set(['Movable']));
    expect(zones(grouped, 128)).toEqual(new Set(['Normal']));
    const plain = boot(spec, table);
    ok(plain, { op: 'add_memory', node: 0, start: 8 * GiB, size: 8 * GiB, flags: [] }, { op: 'add_memory', node: 0, start: 16 * GiB, size: 8 * GiB, flags: [] });
    expect(zones(plain, 128)).toEqual(new Set(['Movable', 'Normal']));
  });

  it('a dynamic group counts its own kernel memory for itself and the movable memory of other dynamic groups against the rest (walk_dynamic_memory_groups())', () => {
    const s = boot({ boot: [{ size: 4 * GiB }] }, table);
    const zr = readerOf(s.world);
    const kernelEarly = 4 * PAGES_PER_GIB;
    const mine: MemoryGroupState = { id: 0, nid: 0, dynamic: true, pages: 32768, presentKernelPages: PAGES_PER_GIB, presentMovablePages: 0, owner: 'virtio0' };
    const other: MemoryGroupState = { id: 1, nid: 0, dynamic: true, pages: 32768, presentKernelPages: 0, presentMovablePages: 3 * PAGES_PER_GIB, owner: 'virtio1' };
    const gc = (groups: MemoryGroupState[], group: MemoryGroupState | null) => ({ groups, group, onlineZone: () => null, pagesPerBlock: 32768 });
    // no groups: 12.04 GiB fit beside 4 GiB of early kernel memory
    expect(canOnlineMovable(zr, null, 301, Math.floor((301 * kernelEarly) / 100))).toBe(true);
    expect(canOnlineMovable(zr, null, 301, Math.floor((301 * kernelEarly) / 100) + 1)).toBe(false);
    // my own 1 GiB of kernel memory allows 3.01 GiB more movable memory in my group
    const more = Math.floor((301 * (kernelEarly + PAGES_PER_GIB)) / 100);
    expect(canOnlineMovable(zr, null, 301, more, gc([mine], mine))).toBe(true);
    expect(canOnlineMovable(zr, null, 301, more + 1, gc([mine], mine))).toBe(false);
    // the other group's 3 GiB movable (its zone pages are not in this world) require ~0.997 GiB of early kernel memory
    const req = Math.floor((3 * PAGES_PER_GIB * 100) / 301);
    const left = Math.floor((301 * (kernelEarly - req)) / 100);
    expect(canOnlineMovable(zr, null, 301, left + 3 * PAGES_PER_GIB, gc([other], null))).toBe(true);
    expect(canOnlineMovable(zr, null, 301, left + 3 * PAGES_PER_GIB + 1, gc([other], null))).toBe(false);
  });
});

describe('the drivers in the log', () => {
  it('replaying the events gives the same world, groups, devices and iomem included', () => {
    const s = boot({ params: { auto_online_blocks: 'online', online_policy: 'auto-movable' } }, table);
    ok(s, dimm('PNP0C80:00', 8 * GiB, 1 * GiB), virtio('virtio0', 16 * GiB, 4 * GiB, 2 * GiB), kmem('dax0.0', 32 * GiB, 1 * GiB), resize('virtio0', 1 * GiB));
    const decoded = JSON.parse(JSON.stringify(s.events)) as MemhpEvent[];
    expect(toView(replay(s.spec, decoded))).toEqual(s.view());
  });
});

describe('the shipped driver scenarios, operation by operation', () => {
  const run = (file: string) => {
    const sc = loadScenarioFile(join(import.meta.dirname, '../../scenarios', file));
    const { ops, ...spec } = sc;
    const s = boot(spec as never, table);
    return { s, views: ops.map((op) => ({ r: s.apply(op), v: s.view() })) };
  };
  const gib = (pages: number | undefined) => (pages ?? 0) / PAGES_PER_GIB;

  it('virtio-mem-grow-shrink: 16 GiB VM grows to 64 GiB — movable up to the ratio, then kernel blocks in the device\'s own group let more movable follow (4 GiB kernel + 60 GiB movable: 60 <= 3.01 × (16 + 4)), then shrinks to nothing', () => {
    const { views } = run('virtio-mem-grow-shrink.json');
    const grown = views[1]!.v;
    expect(grown.devices![0]).toMatchObject({ requested: 64 * GiB, plugged: 64 * GiB });
    expect(gib(zoneOf(grown, 0, 'Movable')!.presentPages)).toBe(60);
    expect(grown.groups![0]).toMatchObject({ presentKernelPages: 4 * PAGES_PER_GIB, presentMovablePages: 60 * PAGES_PER_GIB });
    // auto_movable_can_online_movable(): one more movable GiB would break the ratio, one kernel GiB less would too
    expect(60 * PAGES_PER_GIB).toBeLessThanOrEqual(Math.floor((301 * 20 * PAGES_PER_GIB) / 100));
    expect(61 * PAGES_PER_GIB).toBeGreaterThan(Math.floor((301 * 20 * PAGES_PER_GIB) / 100));
    // one merged "System RAM (virtio_mem)" resource (MHP_MERGE_RESOURCE), not in the firmware memmap
    expect(grown.iomem!.filter((x) => x.name === 'System RAM (virtio_mem)')).toEqual([expect.objectContaining({ start: 64 * GiB, end: 128 * GiB - 1, level: 1 })]);
    expect(grown.firmwareMemmap).toEqual([{ start: 0, end: 16 * GiB - 1, type: 'System RAM' }]);
    const shrunk = views[2]!.v;
    expect(shrunk.blocks.filter((b) => b.id >= 512)).toEqual([]);
    expect(shrunk.groups![0]).toMatchObject({ presentKernelPages: 0, presentMovablePages: 0 });
  });

  it('two-dimms-static-groups: the first 8 GiB DIMM fits 3.01 × 4 GiB and goes movable as a whole, the second does not and goes to Normal as a whole, where the kernel allocations land: its eject is -EBUSY, the movable one ejects', () => {
    const { views } = run('two-dimms-static-groups.json');
    const both = views[1]!.v;
    expect(new Set(both.blocks.filter((b) => b.id >= 64 && b.id < 128).map((b) => b.zone))).toEqual(new Set(['Movable']));
    expect(new Set(both.blocks.filter((b) => b.id >= 128).map((b) => b.zone))).toEqual(new Set(['Normal']));
    expect(both.groups!.map((g) => [g.id, g.owner, gib(g.presentMovablePages), gib(g.presentKernelPages)])).toEqual([
      [0, 'PNP0C80:00', 8, 0],
      [1, 'PNP0C80:01', 0, 8],
    ]);
    expect(both.firmwareMemmap!.map((f) => f.start)).toEqual([0, 8 * GiB, 16 * GiB]);
    expect(views[2]!.r).toMatchObject({ errno: 'EBUSY' });
    expect(views[2]!.v.groups!.map((g) => g.id)).toEqual([0, 1]);
    expect(views[3]!.v.groups!.map((g) => g.id)).toEqual([1]);
  });

  it('cxl-dax-kmem-256g: 128 blocks of 2 GiB on node 1, each with its own 8192-page memmap (2 GiB / 4 KiB × 64 B), online movable; daxctl-style offline, then the unbind removes it all', () => {
    const { views } = run('cxl-dax-kmem-256g.json');
    const added = views[0]!.v;
    const cxl = added.blocks.filter((b) => b.id >= 128);
    expect(cxl).toHaveLength(128);
    expect(cxl.every((b) => b.node === 1 && b.zone === 'Movable' && b.vmemmapPages === 8192 && b.group === 0)).toBe(true);
    expect(zoneOf(added, 1, 'Movable')).toMatchObject({ presentPages: 256 * PAGES_PER_GIB, managedPages: 256 * PAGES_PER_GIB - 128 * 8192 });
    expect(added.groups).toEqual([expect.objectContaining({ dynamic: false, pages: 256 * PAGES_PER_GIB, node: 1, presentMovablePages: 256 * PAGES_PER_GIB })]);
    expect(added.firmwareMemmap).toEqual([{ start: 0, end: 64 * GiB - 1, type: 'System RAM' }]);
    const last = views.at(-1)!;
    expect(last.r.ret).toBe(0);
    expect(last.v.blocks.filter((b) => b.id >= 128)).toEqual([]);
    expect(last.v.nodes.find((n) => n.id === 1)!.online).toBe(false); // try_offline_node()
  });
});
