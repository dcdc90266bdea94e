/**
 * virtio-mem Sub Block Mode (drivers/virtio/virtio_mem.c, docs/drivers.md): a device block of
 * 2 MiB (QEMU's default) under 128 MiB memory blocks. Each expectation names the driver
 * function behind it; the figures match what real 6.1 and 6.12 guests showed
 * (docs/conformance.md, "virtio-mem Sub Block Mode").
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/index.ts';
import { checkInvariants } from '../../src/check/invariants/index.ts';
import { blockOf, boot, GiB, MiB, ok, state, zoneOf } from './helpers.ts';

const table = { actors: 'table' as const };
const PAGES_PER_MB = (128 * MiB) / 4096;
const SB_PAGES = (2 * MiB) / 4096;
const virtio = (requested: number, size = 1 * GiB): Op => ({ op: 'virtio_mem_add', device: 'virtio0', node: 0, start: 16 * GiB, size, requested, blockSize: 2 * MiB });
const resize = (requested: number): Op => ({ op: 'virtio_mem_resize', device: 'virtio0', requested });
const bits = (plugged: number, per = 64) => '1'.repeat(plugged) + '0'.repeat(per - plugged);

function sbm(params: Record<string, unknown> = { auto_online_blocks: 'online_movable' }) {
  const s = boot({ params: params as never }, table);
  const check = () => expect(checkInvariants({ world: s.world }).map((v) => `${v.invariant}: ${v.message}`)).toEqual([]);
  return { s, check };
}

describe('virtio-mem Sub Block Mode', () => {
  it('virtio_mem_init_hotplug(): a 2 MiB device block makes 2 MiB sub-blocks (pageblock size), 64 per memory block, and a dynamic group whose unit is one memory block', () => {
    const { s } = sbm();
    const r = s.apply(virtio(0));
    expect(r.ret).toBe(0);
    expect(s.view().devices![0]).toMatchObject({ blockSize: 2 * MiB, sbSize: 2 * MiB, unit: 128 * MiB, subBlocks: {} });
    expect(s.view().groups![0]).toMatchObject({ dynamic: true, pages: PAGES_PER_MB });
  });

  it('virtio_mem_sbm_plug_and_add_mb(): sub-blocks are plugged before the block is added, so onlining hands only them to the buddy; the rest stays fake-offline (present, not managed)', () => {
    const { s, check } = sbm();
    const r = s.apply(virtio(130 * MiB));
    expect(r.ret).toBe(0);
    const v = s.view();
    // two memory blocks added whole: 64 sub-blocks plugged in the first, 1 in the second
    expect(v.blocks.filter((b) => b.id >= 128).map((b) => [b.id, b.state, b.zone])).toEqual([
      [128, 'online', 'Movable'],
      [129, 'online', 'Movable'],
    ]);
    expect(v.devices![0]).toMatchObject({ plugged: 130 * MiB, subBlocks: { 128: bits(64), 129: bits(1) } });
    expect(zoneOf(v, 0, 'Movable')).toMatchObject({ presentPages: 2 * PAGES_PER_MB, managedPages: (130 * MiB) / 4096 });
    // add_memory_driver_managed() of whole blocks, merged into one child of virtio0
    expect(v.iomem!.filter((x) => x.name === 'System RAM (virtio_mem)')).toEqual([expect.objectContaining({ start: 16 * GiB, end: 16 * GiB + 256 * MiB - 1 })]);
    // the group's present pages are the whole blocks (adjust_present_page_count() at online)
    expect(v.groups![0]).toMatchObject({ presentMovablePages: 2 * PAGES_PER_MB });
    check();
  });

  it('virtio_mem_sbm_plug_request(): partly plugged blocks are filled before a new block is added; plugging into an online block fake-onlines the sub-blocks (managed grows)', () => {
    const { s, check } = sbm();
    ok(s, virtio(130 * MiB));
    const r = s.apply(resize(250 * MiB));
    expect(r.ret).toBe(0);
    expect(r.events.filter((e) => e.type === 'resource')).toEqual([]);
    expect(s.view().devices![0]).toMatchObject({ subBlocks: { 128: bits(64), 129: bits(61) } });
    expect(zoneOf(s.view(), 0, 'Movable')).toMatchObject({ managedPages: (250 * MiB) / 4096 });
    ok(s, resize(262 * MiB));
    expect(s.view().devices![0]).toMatchObject({ subBlocks: { 128: bits(64), 129: bits(64), 130: bits(3) } });
    check();
  });

  it('virtio_mem_sbm_unplug_request(): offline blocks first, sub-blocks from the top; a block goes (remove_memory()) when its last sub-block is unplugged', () => {
    const { s, check } = sbm({ auto_online_blocks: 'offline' });
    ok(s, virtio(300 * MiB), state(128, 'online_movable'));
    // 128 online movable (64 plugged), 129 offline (64), 130 offline (22)
    const r = s.apply(resize(150 * MiB));
    expect(r.ret).toBe(0);
    // 75 sub-blocks to go: 130 entirely (22, offline partial first), then 53 from the top of 129 (offline)
    const v = s.view();
    expect(blockOf(v, 130)).toBeUndefined();
    expect(v.devices![0]).toMatchObject({ plugged: 150 * MiB, subBlocks: { 128: bits(64), 129: bits(11) } });
    expect(blockOf(v, 129)).toMatchObject({ state: 'offline' });
    // onlining 129 now hands its 11 plugged sub-blocks to the buddy
    ok(s, state(129, 'online_movable'));
    expect(zoneOf(s.view(), 0, 'Movable')).toMatchObject({ presentPages: 2 * PAGES_PER_MB, managedPages: 150 * MiB / 4096 });
    check();
  });

  it('virtio_mem_sbm_unplug_any_sb_online(): sub-blocks of an online ZONE_MOVABLE block are taken with alloc_contig_range() (managed shrinks, present stays); the emptied block is offlined and removed', () => {
    const { s, check } = sbm();
    ok(s, virtio(256 * MiB));
    const r = s.apply(resize(100 * MiB));
    expect(r.ret).toBe(0);
    let v = s.view();
    // movable partial first, then movable: 129 goes whole (offline_and_remove_memory()), then 14 sub-blocks of 128 from the top
    expect(blockOf(v, 129)).toBeUndefined();
    expect(v.devices![0]).toMatchObject({ plugged: 100 * MiB, subBlocks: { 128: bits(50) } });
    expect(zoneOf(v, 0, 'Movable')).toMatchObject({ presentPages: PAGES_PER_MB, managedPages: 50 * SB_PAGES });
    expect(blockOf(v, 128)).toMatchObject({ state: 'online' });
    ok(s, resize(0));
    v = s.view();
    expect(v.blocks.filter((b) => b.id >= 128)).toEqual([]);
    expect(v.devices![0]).toMatchObject({ plugged: 0, subBlocks: {} });
    check();
  });

  it('a kernel-zone block holding the kernel\'s unmovable allocations keeps the sub-blocks of its first max-order buddy block (4 MiB: -EBUSY from alloc_contig_range()): the shrink stops short with -EAGAIN and the block stays, as on real 6.1 and 6.12', () => {
    // 2 GiB of boot memory: no boot ZONE_NORMAL, so the first Normal block takes the kernel's allocations (docs/kernel-model.md §8.4)
    const s = boot({ boot: [{ node: 0, size: 2 * GiB }], params: { auto_online_blocks: 'online_kernel' } as never }, table);
    ok(s, { op: 'virtio_mem_add', device: 'virtio0', node: 0, start: 4 * GiB, size: 512 * MiB, requested: 128 * MiB, blockSize: 2 * MiB });
    expect(s.view().blocks.find((b) => b.id === 32)).toMatchObject({ zone: 'Normal' });
    const r = s.apply(resize(0));
    expect(r).toMatchObject({ errno: 'EAGAIN' });
    expect(r.message).toMatch(/first 4M hold unmovable kernel allocations/);
    expect(s.view().devices![0]).toMatchObject({ plugged: 4 * MiB, subBlocks: { 32: bits(2) } });
    expect(zoneOf(s.view(), 0, 'Normal')).toMatchObject({ presentPages: PAGES_PER_MB, managedPages: 2 * SB_PAGES });
    expect(checkInvariants({ world: s.world })).toEqual([]);
  });

  it('offlining and re-onlining a partly plugged block: the fake-offline pages were never managed and stay out of the buddy', () => {
    const { s, check } = sbm();
    ok(s, virtio(70 * MiB));
    expect(zoneOf(s.view(), 0, 'Movable')).toMatchObject({ managedPages: 35 * SB_PAGES });
    ok(s, state(128, 'offline'));
    expect(zoneOf(s.view(), 0, 'Movable')).toMatchObject({ presentPages: 0, managedPages: 0 });
    ok(s, state(128, 'online_kernel'));
    expect(zoneOf(s.view(), 0, 'Normal')).toMatchObject({ managedPages: expect.any(Number) });
    expect(blockOf(s.view(), 128)).toMatchObject({ zone: 'Normal' });
    check();
  });

  it('the log replays to the same world (the sub-block state is in device and FAKE_OFFLINE events)', async () => {
    const { s } = sbm();
    ok(s, virtio(130 * MiB), resize(6 * MiB), state(128, 'offline'), resize(300 * MiB), resize(0));
    const violations = checkInvariants({ world: s.world, events: s.events });
    expect(violations).toEqual([]);
  });
});
