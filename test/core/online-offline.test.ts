/**
 * memoryN/state and memoryN/online writes, valid_zones, zone choice,
 * notifier injection, pinned pages, pending signals and auto-online
 * (docs/kernel-model.md §4.4, §4.5, §4.7, §4.8, §5.5, §5.6, §8.1, §9.4).
 */
import { describe, expect, it } from 'vitest';
import { ERAS } from '../../src/kernel/types.ts';
import { add, blockOf, boot, GiB, memoryParts, MiB, ok, sectionOf, state, zoneOf } from './helpers.ts';

describe('state writes', () => {
  it('online, online_kernel, online_movable and offline', () => {
    const s = boot();
    ok(s, add(8 * GiB, 384 * MiB));
    ok(s, state(64, 'online'), state(65, 'online_kernel'), state(66, 'online_movable'));
    let v = s.view();
    expect(blockOf(v, 64)).toMatchObject({ state: 'online', zone: 'Normal', validZones: 'Normal' });
    expect(blockOf(v, 65)).toMatchObject({ state: 'online', zone: 'Normal' });
    expect(blockOf(v, 66)).toMatchObject({ state: 'online', zone: 'Movable', validZones: 'Movable' });
    expect(sectionOf(v, 64)?.state).toBe('online');
    expect(zoneOf(v, 0, 'Normal')).toMatchObject({ presentPages: 2 * 32768, managedPages: 2 * 32768, startPfn: 64 * 32768, endPfn: 66 * 32768 });
    expect(zoneOf(v, 0, 'Movable')).toMatchObject({ presentPages: 32768, managedPages: 32768, startPfn: 66 * 32768, endPfn: 67 * 32768 });
    ok(s, state(66, 'offline'));
    // node 0's boot memory is all DMA/DMA32: its first Normal block took the kernel's unmovable
    // allocations when it came online and cannot go (docs/kernel-model.md §8.4)
    expect(s.apply(state(64, 'offline'))).toMatchObject({ errno: 'EBUSY' });
    v = s.view();
    expect(blockOf(v, 66)).toMatchObject({ state: 'offline', zone: null });
    expect(sectionOf(v, 66)?.state).toBe('present');
    expect(zoneOf(v, 0, 'Movable')).toMatchObject({ presentPages: 0, managedPages: 0, startPfn: null, endPfn: null });
    expect(zoneOf(v, 0, 'Normal')).toMatchObject({ presentPages: 2 * 32768, startPfn: 64 * 32768, endPfn: 66 * 32768 });
  });

  it('EINVAL for redundant writes, no notifier; only the stored online type changes', () => {
    const s = boot();
    ok(s, add(8 * GiB, 256 * MiB), state(64, 'online'));
    const before = memoryParts(s.view());
    for (const v of ['online', 'online_kernel', 'online_movable'] as const) {
      const r = s.apply(state(64, v));
      expect(r.errno).toBe('EINVAL');
      // state_store() stores mem->online_type before device_online() finds the block online
      expect(r.events.filter((e) => e.type === 'transition').map((e) => e.type === 'transition' && [e.event.type, e.from, e.to])).toEqual([['SET_ONLINE_TYPE', 'online', 'online']]);
      expect(blockOf(s.view(), 64)).toMatchObject({ state: 'online', zone: 'Normal', onlineType: v });
    }
    expect(s.apply(state(65, 'offline')).errno).toBe('EINVAL');
    const after = memoryParts(s.view());
    expect({ ...after, blocks: after.blocks.map((b) => ({ ...b, onlineType: 'offline' })) }).toEqual(before);
  });

  it('ENOENT for a block that does not exist', () => {
    const s = boot();
    expect(s.apply(state(64, 'online')).errno).toBe('ENOENT');
    expect(s.apply(state(64, 'offline')).errno).toBe('ENOENT');
    expect(s.apply({ op: 'online', block: 64, value: true }).errno).toBe('ENOENT');
  });

  it('boot memory is online; a block of boot memory can be offlined and onlined again', () => {
    const s = boot();
    const v0 = s.view();
    expect(blockOf(v0, 40)).toMatchObject({ state: 'online', zone: 'Normal', early: true, node: 1 });
    ok(s, state(40, 'offline'));
    expect(blockOf(s.view(), 40)?.state).toBe('offline');
    expect(zoneOf(s.view(), 1, 'Normal')?.presentPages).toBe(zoneOf(v0, 1, 'Normal')!.presentPages - 32768);
    ok(s, state(40, 'online'));
    expect(memoryParts(s.view()).zones).toEqual(memoryParts(v0).zones);
  });
});

describe('the online file', () => {
  it('1/0 online and offline; redundant writes succeed without effect', () => {
    const s = boot();
    ok(s, add(8 * GiB, 128 * MiB));
    const offline = memoryParts(s.view());
    const r0 = s.apply({ op: 'online', block: 64, value: false });
    expect(r0.ret).toBe(0);
    expect(r0.events.filter((e) => e.type !== 'op')).toEqual([]);
    expect(memoryParts(s.view())).toEqual(offline);
    ok(s, { op: 'online', block: 64, value: true });
    expect(blockOf(s.view(), 64)).toMatchObject({ state: 'online', zone: 'Normal' });
    const online = memoryParts(s.view());
    const r1 = s.apply({ op: 'online', block: 64, value: true });
    expect(r1.ret).toBe(0);
    expect(r1.events.filter((e) => e.type !== 'op')).toEqual([]);
    expect(memoryParts(s.view())).toEqual(online);
    // a Normal block of node 0 holds the kernel's unmovable allocations (docs/kernel-model.md §8.4)
    expect(s.apply({ op: 'online', block: 64, value: false })).toMatchObject({ errno: 'EBUSY' });
    ok(s, add(8 * GiB + 128 * MiB, 128 * MiB), state(65, 'online_movable'), { op: 'online', block: 65, value: false });
    expect(blockOf(s.view(), 65)?.state).toBe('offline');
  });
});

describe('valid_zones', () => {
  it('fresh block: "Normal Movable"', () => {
    const s = boot();
    ok(s, add(8 * GiB, 128 * MiB));
    expect(blockOf(s.view(), 64)?.validZones).toBe('Normal Movable');
  });

  it('fresh block with movable_node: "Movable Normal", and online picks Movable', () => {
    const s = boot({ params: { movable_node: true } });
    ok(s, add(8 * GiB, 128 * MiB));
    expect(blockOf(s.view(), 64)?.validZones).toBe('Movable Normal');
    ok(s, state(64, 'online'));
    expect(blockOf(s.view(), 64)?.zone).toBe('Movable');
  });

  it('online block prints its zone', () => {
    const s = boot();
    ok(s, add(8 * GiB, 128 * MiB), state(64, 'online_movable'));
    expect(blockOf(s.view(), 64)?.validZones).toBe('Movable');
    expect(blockOf(s.view(), 10)?.validZones).toBe('DMA32');
    expect(blockOf(s.view(), 40)?.validZones).toBe('Normal');
  });

  it('x86 boot block 0 spans DMA and DMA32: "none", and offlining it is EINVAL', () => {
    const s = boot();
    const b0 = blockOf(s.view(), 0)!;
    expect(b0).toMatchObject({ state: 'online', zone: null, validZones: 'none' });
    const before = memoryParts(s.view());
    const r = s.apply(state(0, 'offline'));
    expect(r.errno).toBe('EINVAL');
    // the state reads going-offline while memory_block_offline() refuses, then reverts
    const moves = r.events.flatMap((e) => (e.type === 'transition' ? [`${e.from}→${e.to}`] : []));
    expect(moves).toEqual(['online→going-offline', 'going-offline→online']);
    expect(memoryParts(s.view())).toEqual(before);
    expect(zoneOf(s.view(), 0, 'DMA')?.presentPages).toBe((16 * MiB) / 4096);
  });
});

describe('zone choice', () => {
  it('contig-zones: a block inside the Movable span inherits Movable', () => {
    const s = boot();
    ok(s, add(8 * GiB, 384 * MiB), state(64, 'online_movable'), state(66, 'online_movable'));
    expect(blockOf(s.view(), 65)?.validZones).toBe('Movable Normal');
    ok(s, state(65, 'online'));
    expect(blockOf(s.view(), 65)?.zone).toBe('Movable');
  });

  it('contig-zones: a block inside the Normal span inherits Normal even with movable_node', () => {
    const s = boot({ params: { movable_node: true } });
    ok(s, add(8 * GiB, 384 * MiB), state(64, 'online_kernel'), state(66, 'online_kernel'));
    expect(blockOf(s.view(), 65)?.validZones).toBe('Normal Movable');
    ok(s, state(65, 'online'));
    expect(blockOf(s.view(), 65)?.zone).toBe('Normal');
  });

  it('contig-zones: a block inside both spans gets the default (kernel, or Movable with movable_node)', () => {
    for (const movable_node of [false, true]) {
      const s = boot({ params: { movable_node } });
      // Normal spans [64, 70), Movable spans [65, 68): block 66 intersects both
      ok(s, add(8 * GiB, 768 * MiB), state(64, 'online_kernel'), state(69, 'online_kernel'), state(65, 'online_movable'), state(67, 'online_movable'));
      expect(blockOf(s.view(), 66)?.validZones).toBe(movable_node ? 'Movable Normal' : 'Normal Movable');
      ok(s, state(66, 'online'));
      expect(blockOf(s.view(), 66)?.zone).toBe(movable_node ? 'Movable' : 'Normal');
    }
  });

  it('auto-movable: Movable while movable + new ≤ ratio% of boot kernel memory (per node when numa aware)', () => {
    // node 0 has 4 GiB of early kernel memory; ratio 10 → 409.6 MiB: three 128 MiB blocks fit, the fourth does not
    const s = boot({ kernel: '6.8', params: { online_policy: 'auto-movable', auto_movable_ratio: 10 } });
    ok(s, add(8 * GiB, 1 * GiB));
    for (const id of [64, 65, 66, 67]) ok(s, state(id, 'online'));
    const zones = [64, 65, 66, 67].map((id) => blockOf(s.view(), id)?.zone);
    expect(zones).toEqual(['Movable', 'Movable', 'Movable', 'Normal']);
    expect(blockOf(s.view(), 68)?.validZones).toBe('Normal Movable');
  });

  it('auto-movable without NUMA awareness counts both nodes (819.2 MiB: six blocks)', () => {
    const s = boot({ kernel: '6.8', params: { online_policy: 'auto-movable', auto_movable_ratio: 10, auto_movable_numa_aware: false } });
    ok(s, add(8 * GiB, 1 * GiB));
    for (let id = 64; id < 72; id++) ok(s, state(id, 'online'));
    const zones = Array.from({ length: 8 }, (_, i) => blockOf(s.view(), 64 + i)?.zone);
    expect(zones).toEqual(['Movable', 'Movable', 'Movable', 'Movable', 'Movable', 'Movable', 'Normal', 'Normal']);
  });

  it('auto-movable with ratio 0 always picks the kernel zone; the default ratio 301 allows Movable', () => {
    const s0 = boot({ kernel: '6.8', params: { online_policy: 'auto-movable', auto_movable_ratio: 0 } });
    ok(s0, add(8 * GiB, 128 * MiB), state(64, 'online'));
    expect(blockOf(s0.view(), 64)?.zone).toBe('Normal');
    const s1 = boot({ kernel: '6.8', params: { online_policy: 'auto-movable' } });
    ok(s1, add(8 * GiB, 128 * MiB), state(64, 'online'));
    expect(blockOf(s1.view(), 64)?.zone).toBe('Movable');
  });

  it('online_policy can be switched at run time (5.13+), not in v2-2019', () => {
    const s = boot({ kernel: '6.8' });
    ok(s, { op: 'set', param: 'online_policy', value: 'auto-movable' }, add(8 * GiB, 128 * MiB), state(64, 'online'));
    expect(blockOf(s.view(), 64)?.zone).toBe('Movable');
    expect(s.view().params.online_policy).toBe('auto-movable');
    const v2 = boot({ kernel: 'v2-2019' });
    expect(v2.apply({ op: 'set', param: 'online_policy', value: 'auto-movable' }).errno).toBe('ENOENT');
    expect(s.apply({ op: 'set', param: 'online_policy', value: 'sideways' }).errno).toBe('EINVAL');
  });
});

describe('notifier error injection', () => {
  it('MEM_GOING_ONLINE veto: online returns the injected errno and the block stays offline', () => {
    const s = boot();
    ok(s, add(8 * GiB, 128 * MiB), { op: 'inject', action: 'MEM_GOING_ONLINE', error: -12 });
    expect(s.view().injection.MEM_GOING_ONLINE).toBe(-12);
    const before = memoryParts(s.view());
    const r = s.apply(state(64, 'online'));
    expect(r.ret).toBe(-12);
    expect(r.errno).toBe('ENOMEM');
    expect(memoryParts(s.view())).toEqual(before);
    ok(s, { op: 'inject', action: 'MEM_GOING_ONLINE', error: 0 }, state(64, 'online'));
    expect(blockOf(s.view(), 64)?.state).toBe('online');
  });

  it('MEM_GOING_OFFLINE veto: offline returns the errno, the block goes back to online', () => {
    const s = boot();
    ok(s, add(8 * GiB, 128 * MiB), state(64, 'online_movable'), { op: 'inject', action: 'MEM_GOING_OFFLINE', error: -5 });
    const before = memoryParts(s.view());
    const r = s.apply(state(64, 'offline'));
    expect(r.ret).toBe(-5);
    const t = r.events.filter((e) => e.type === 'transition').map((e) => (e.type === 'transition' ? `${e.from}->${e.to}` : ''));
    expect(t).toEqual(['online->going-offline', 'going-offline->online']);
    expect(memoryParts(s.view())).toEqual(before);
  });

  it('injection hits auto-online too; the add still succeeds', () => {
    const s = boot({ params: { auto_online_blocks: 'online' } });
    ok(s, { op: 'inject', action: 'MEM_GOING_ONLINE', error: -12 });
    const r = s.apply(add(8 * GiB, 128 * MiB));
    expect(r.ret).toBe(0);
    expect(blockOf(s.view(), 64)?.state).toBe('offline');
  });

  it('auto-online stops at the first block that fails (walk_memory_blocks breaks on an error): one injection, the rest untried', () => {
    const s = boot({ params: { auto_online_blocks: 'online' } });
    ok(s, { op: 'inject', action: 'MEM_GOING_ONLINE', error: -12 });
    const r = s.apply(add(8 * GiB, 384 * MiB));
    expect(r.ret).toBe(0);
    const injected = r.events.filter((e) => e.type === 'warning' && /Injecting error/.test(e.message));
    expect(injected).toHaveLength(1);
    expect(injected[0]).toMatchObject({ message: expect.stringContaining('memory64') });
    expect([64, 65, 66].map((id) => blockOf(s.view(), id)?.state)).toEqual(['offline', 'offline', 'offline']);
  });

  it('injected errors must be in [-4095, 0]', () => {
    const s = boot();
    expect(s.apply({ op: 'inject', action: 'MEM_GOING_ONLINE', error: -4096 }).errno).toBe('EINVAL');
    expect(s.apply({ op: 'inject', action: 'MEM_GOING_ONLINE', error: 1 }).errno).toBe('EINVAL');
    expect(s.view().injection.MEM_GOING_ONLINE).toBe(0);
  });
});

describe('offlining failures', () => {
  it('a pinned page makes offline EBUSY in Movable and in Normal; unpinned it succeeds', () => {
    const s = boot();
    ok(s, add(8 * GiB, 256 * MiB), state(64, 'online_movable'), state(65, 'online_kernel'), { op: 'pin', block: 64 }, { op: 'pin', block: 65 });
    const before = memoryParts(s.view());
    expect(s.apply(state(64, 'offline')).errno).toBe('EBUSY');
    expect(s.apply(state(65, 'offline')).errno).toBe('EBUSY');
    expect(memoryParts(s.view())).toEqual(before);
    ok(s, { op: 'unpin', block: 64 }, state(64, 'offline'));
    expect(blockOf(s.view(), 64)?.state).toBe('offline');
  });

  it('boot blocks holding kernel allocations are EBUSY', () => {
    const s = boot();
    expect(s.apply(state(1, 'offline')).errno).toBe('EBUSY');
  });

  it('the block holding a node\'s boot memmap (reserved, top-down) cannot be offlined; managed never goes negative', () => {
    const s = boot();
    // node 1: 4 GiB, memmap 16384 pages = 64 MiB in its top block (63)
    for (let id = 32; id < 63; id++) ok(s, state(id, 'offline'));
    expect(s.apply(state(63, 'offline')).errno).toBe('EBUSY');
    expect(zoneOf(s.view(), 1, 'Normal')).toMatchObject({ presentPages: 32768, managedPages: 32768 - 16384 });
    expect(s.view().nodes.every((n) => n.managedPages >= 0 && n.freeKernelPages >= 0)).toBe(true);
  });

  it('a pending signal makes offline EINTR once and is consumed', () => {
    const s = boot();
    ok(s, add(8 * GiB, 128 * MiB), state(64, 'online_movable'), { op: 'signal' });
    expect(s.view().signalPending).toBe(true);
    const before = memoryParts(s.view());
    const r = s.apply(state(64, 'offline'));
    expect(r.errno).toBe('EINTR');
    expect(r.ret).toBe(-4);
    expect(s.view().signalPending).toBe(false);
    expect(memoryParts(s.view())).toEqual(before);
    ok(s, state(64, 'offline'));
  });
});

describe('auto-online (auto_online_blocks)', () => {
  it('online: added blocks come up online in the default zone', () => {
    const s = boot({ params: { auto_online_blocks: 'online' } });
    ok(s, add(8 * GiB, 256 * MiB));
    expect([64, 65].map((id) => blockOf(s.view(), id)?.zone)).toEqual(['Normal', 'Normal']);
  });

  it('online_movable via the sysfs knob affects only later adds', () => {
    const s = boot();
    ok(s, add(8 * GiB, 128 * MiB), { op: 'set', param: 'auto_online_blocks', value: 'online_movable' }, add(9 * GiB, 128 * MiB));
    expect(blockOf(s.view(), 64)?.state).toBe('offline');
    expect(blockOf(s.view(), 72)).toMatchObject({ state: 'online', zone: 'Movable' });
    expect(s.apply({ op: 'set', param: 'auto_online_blocks', value: 'sometimes' }).errno).toBe('EINVAL');
  });

  it('v2-2019 accepts only online/offline', () => {
    const s = boot({ kernel: 'v2-2019' });
    expect(s.apply({ op: 'set', param: 'auto_online_blocks', value: 'online_movable' }).errno).toBe('EINVAL');
    ok(s, { op: 'set', param: 'auto_online_blocks', value: 'online' }, add(8 * GiB, 128 * MiB));
    expect(blockOf(s.view(), 64)?.state).toBe('online');
  });
});

describe('mem->online_type (issue 12, point 5½)', () => {
  it('is used for the online and cleared afterwards, as memory_subsys_online() does: onlineType reads offline again', () => {
    // drivers/base/memory.c: state_store() sets mem->online_type = online_type, device_online()
    // → memory_subsys_online() → memory_block_change_state(); then "mem->online_type = MMOP_OFFLINE"
    // (before ~5.7: "/* clear online_type */ mem->online_type = -1", the MMOP_OFFLINE of that time)
    for (const kernel of ERAS) {
      const s = boot({ kernel });
      ok(s, add(8 * GiB, 128 * MiB), state(64, 'online_movable'));
      // the requested type chose the zone (zone_for_pfn_range(MMOP_ONLINE_MOVABLE) → ZONE_MOVABLE) …
      expect(blockOf(s.view(), 64)).toMatchObject({ state: 'online', zone: 'Movable' });
      // … and is not kept: the next online without a type (the online file) is MMOP_ONLINE again
      expect(blockOf(s.view(), 64)?.onlineType).toBe('offline');
    }
  });
});
