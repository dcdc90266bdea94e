/**
 * remove_memory(), offline_and_remove_memory() and try_offline_node()
 * (docs/kernel-model.md §6.6, §8.2, §8.3).
 */
import { describe, expect, it } from 'vitest';
import { ERAS } from '../../src/kernel/types.ts';
import { add, blockOf, boot, GiB, memoryParts, MiB, nodeOf, ok, remove, sectionOf, state, zoneOf } from './helpers.ts';

describe('remove_memory', () => {
  it('removes offline blocks, their sections and the regular memmap they used', () => {
    const s = boot();
    const memmap0 = nodeOf(s.view(), 0)!.memmapPages;
    ok(s, add(8 * GiB, 256 * MiB));
    expect(nodeOf(s.view(), 0)!.memmapPages).toBe(memmap0 + 2 * 512);
    const r = s.apply(remove(8 * GiB, 256 * MiB));
    expect(r.ret).toBe(0);
    const v = s.view();
    expect(blockOf(v, 64)).toBeUndefined();
    expect(blockOf(v, 65)).toBeUndefined();
    expect(sectionOf(v, 64)).toBeUndefined();
    expect(nodeOf(v, 0)!.memmapPages).toBe(memmap0);
    expect(r.events.some((e) => e.type === 'resource' && e.action === 'release')).toBe(true);
    // the range is free again
    ok(s, add(8 * GiB, 128 * MiB));
  });

  it('EBUSY while any block of the range is online', () => {
    const s = boot();
    ok(s, add(8 * GiB, 256 * MiB), state(65, 'online_movable'));
    const before = memoryParts(s.view());
    const r = s.apply(remove(8 * GiB, 256 * MiB));
    expect(r.errno).toBe('EBUSY');
    expect(r.message).toMatch(/is onlined/);
    expect(memoryParts(s.view())).toEqual(before);
  });

  it('a range with no blocks removes nothing and succeeds', () => {
    const s = boot();
    const before = memoryParts(s.view());
    expect(s.apply(remove(16 * GiB, 128 * MiB)).ret).toBe(0);
    expect(memoryParts(s.view())).toEqual(before);
  });

  it('an unaligned range is BUG_ON(check_hotplug_memory_range()) in try_remove_memory(): an oops, TAINT_DIE, nothing removed', () => {
    for (const kernel of ERAS) {
      const s = boot({ kernel });
      ok(s, add(8 * GiB, 256 * MiB));
      const before = memoryParts(s.view());
      const r = s.apply(remove(8 * GiB, 64 * MiB));
      // the task dies in the kernel: the op does not return a result of its own (recorded as -EFAULT, like every oops)
      expect(r.errno).toBe('EFAULT');
      expect(r.message).toMatch(/^kernel BUG in try_remove_memory\(\): BUG_ON\(check_hotplug_memory_range\(start, size\)\)/);
      // check_hotplug_memory_range() printed its pr_err first
      expect(r.events.some((e) => e.type === 'warning' && /unaligned hotplug range: start 0x200000000, size 0x4000000/.test(e.message))).toBe(true);
      const v = s.view();
      expect(v.faults.at(-1)).toMatchObject({ kind: 'BUG', access: 'try_remove_memory', block: 64 });
      expect(v).toMatchObject({ tainted: true, taint: 128, taintFlags: 'D' });
      expect(memoryParts(v)).toEqual(before);
    }
  });

  it('size 0 is unaligned too: check_hotplug_memory_range() starts with !size', () => {
    const s = boot();
    expect(s.apply(remove(8 * GiB, 0)).errno).toBe('EFAULT');
    expect(s.view().faults[0]).toMatchObject({ kind: 'BUG', access: 'try_remove_memory' });
  });

  it('offline_and_remove_memory() checks the alignment itself: -EINVAL, no oops', () => {
    const s = boot();
    ok(s, add(8 * GiB, 256 * MiB));
    expect(s.apply({ op: 'offline_and_remove_memory', start: 8 * GiB, size: 64 * MiB }).errno).toBe('EINVAL');
    expect(s.view().tainted).toBe(false);
  });

  it('a range with holes: WARN_ON_ONCE in remove_memory_block_devices() and __remove_section(), TAINT_WARN, and it succeeds', () => {
    const s = boot();
    ok(s, add(8 * GiB, 128 * MiB));
    const r = s.apply(remove(8 * GiB, 384 * MiB));
    expect(r.ret).toBe(0);
    const warns = r.events.flatMap((e) => (e.type === 'warning' && e.taint === 'W' ? [e.site] : []));
    expect(warns).toEqual(['remove_memory_block_devices', '__remove_section']);
    expect(blockOf(s.view(), 64)).toBeUndefined();
    expect(s.view()).toMatchObject({ tainted: true, taint: 512, taintFlags: 'W', faults: [] });
    // WARN_ON_ONCE: an empty removal later prints nothing more
    const again = s.apply(remove(16 * GiB, 128 * MiB));
    expect(again.ret).toBe(0);
    expect(again.events.some((e) => e.type === 'warning')).toBe(false);
  });

  for (const kernel of ['5.13', '6.6'] as const)
    it(`${kernel}: memmap_on_memory memory must be removed one block at a time (wrong granularity → EINVAL)`, () => {
      const s = boot({ kernel, params: { memmap_on_memory: 'on' } });
      ok(s, add(8 * GiB, 128 * MiB, ['MHP_MEMMAP_ON_MEMORY']), add(8 * GiB + 128 * MiB, 128 * MiB));
      const before = memoryParts(s.view());
      const r = s.apply(remove(8 * GiB, 256 * MiB));
      expect(r.errno).toBe('EINVAL');
      expect(r.message).toMatch(/wrong granularity/);
      expect(memoryParts(s.view())).toEqual(before);
      ok(s, remove(8 * GiB, 128 * MiB), remove(8 * GiB + 128 * MiB, 128 * MiB));
      expect(s.view().vmemmap).toEqual([]);
      expect(blockOf(s.view(), 64)).toBeUndefined();
    });

  it('6.8: per-block altmaps allow removing any whole blocks of a multi-block add', () => {
    const s = boot({ kernel: '6.8', params: { memmap_on_memory: 'on' } });
    ok(s, add(8 * GiB, 512 * MiB, ['MHP_MEMMAP_ON_MEMORY']));
    ok(s, remove(8 * GiB + 128 * MiB, 256 * MiB));
    const v = s.view();
    expect(v.blocks.filter((b) => b.id >= 64).map((b) => b.id)).toEqual([64, 67]);
    expect(v.vmemmap.map((h) => h.headPfn)).toEqual([64 * 32768, 67 * 32768]);
    ok(s, remove(8 * GiB, 128 * MiB));
  });

  it('6.8: a range mixing blocks with and without altmaps is EINVAL', () => {
    const s = boot({ kernel: '6.8', params: { memmap_on_memory: 'on' } });
    ok(s, add(8 * GiB, 128 * MiB, ['MHP_MEMMAP_ON_MEMORY']), add(8 * GiB + 128 * MiB, 128 * MiB));
    const before = memoryParts(s.view());
    expect(s.apply(remove(8 * GiB, 256 * MiB)).errno).toBe('EINVAL');
    expect(memoryParts(s.view())).toEqual(before);
  });

  it('6.8: a hole in the range counts as a block without an altmap (size / block size, not the blocks that exist): EINVAL', () => {
    const s = boot({ kernel: '6.8', params: { memmap_on_memory: 'on' } });
    ok(s, add(8 * GiB, 128 * MiB, ['MHP_MEMMAP_ON_MEMORY']));
    const before = memoryParts(s.view());
    const r = s.apply(remove(8 * GiB, 256 * MiB));
    expect(r.errno).toBe('EINVAL');
    // memory_blocks_have_altmaps(): WARN_ON_ONCE(num_memblocks != num_altmaps) → TAINT_WARN
    expect(r.events.some((e) => e.type === 'warning' && e.site === 'memory_blocks_have_altmaps' && e.taint === 'W')).toBe(true);
    expect(s.view().taintFlags).toBe('W');
    expect(memoryParts(s.view())).toEqual(before);
    // without altmaps a hole is fine: remove_memory_block_devices() skips it
    const plain = boot({ kernel: '6.8' });
    ok(plain, add(8 * GiB, 128 * MiB), remove(8 * GiB, 256 * MiB));
    expect(blockOf(plain.view(), 64)).toBeUndefined();
  });

  it('s390x refuses hot-remove before 6.8 (EBUSY)', () => {
    const s = boot({ arch: 's390x', kernel: '6.6', boot: [{ size: 4 * GiB }] });
    ok(s, add(8 * GiB, 256 * MiB));
    expect(s.apply(remove(8 * GiB, 256 * MiB)).errno).toBe('EBUSY');
    const s68 = boot({ arch: 's390x', kernel: '6.8', boot: [{ size: 4 * GiB }] });
    ok(s68, add(8 * GiB, 256 * MiB), remove(8 * GiB, 256 * MiB));
  });
});

describe('offline_and_remove_memory', () => {
  it('offlines the online blocks and removes the range', () => {
    const s = boot();
    // on node 1, whose boot ZONE_NORMAL takes the kernel's allocations, a hot-added Normal block stays free of them (docs/kernel-model.md §8.4)
    ok(s, add(8 * GiB, 384 * MiB, [], 1), state(64, 'online_movable'), state(66, 'online'));
    const r = s.apply({ op: 'offline_and_remove_memory', start: 8 * GiB, size: 384 * MiB });
    expect(r.ret).toBe(0);
    const v = s.view();
    expect(v.blocks.some((b) => b.id >= 64)).toBe(false);
    expect(zoneOf(v, 1, 'Movable')?.presentPages ?? 0).toBe(0);
    expect(zoneOf(v, 1, 'Normal')?.presentPages).toBe(zoneOf(boot().view(), 1, 'Normal')?.presentPages);
  });

  it('EINVAL for size 0 or an unaligned range', () => {
    const s = boot();
    expect(s.apply({ op: 'offline_and_remove_memory', start: 8 * GiB, size: 0 }).errno).toBe('EINVAL');
    expect(s.apply({ op: 'offline_and_remove_memory', start: 8 * GiB + MiB, size: 128 * MiB }).errno).toBe('EINVAL');
  });

  it('rollback when removal fails: re-onlines what it offlined, each in its remembered zone', () => {
    const s = boot({ kernel: '6.8', params: { memmap_on_memory: 'on' } });
    // node 1: its boot ZONE_NORMAL keeps the kernel's allocations out of block 65 (docs/kernel-model.md §8.4)
    ok(s, add(8 * GiB, 128 * MiB, ['MHP_MEMMAP_ON_MEMORY'], 1), add(8 * GiB + 128 * MiB, 256 * MiB, [], 1));
    ok(s, state(64, 'online_movable'), state(65, 'online'));
    const before = s.view();
    const r = s.apply({ op: 'offline_and_remove_memory', start: 8 * GiB, size: 384 * MiB });
    expect(r.errno).toBe('EINVAL'); // mixed altmap / no altmap
    const after = s.view();
    expect(blockOf(after, 64)).toMatchObject({ state: 'online', zone: 'Movable' });
    expect(blockOf(after, 65)).toMatchObject({ state: 'online', zone: 'Normal' });
    expect(blockOf(after, 66)).toMatchObject({ state: 'offline' });
    expect(after.zones).toEqual(before.zones);
    expect(after.sections).toEqual(before.sections);
    // the offline and the re-online are both in the log
    const moved = r.events.filter((e) => e.type === 'transition' && e.machine === 'memory_block').map((e) => (e.type === 'transition' ? `${e.actor}:${e.to}` : ''));
    expect(moved).toEqual(['memory64:going-offline', 'memory64:offline', 'memory65:going-offline', 'memory65:offline', 'memory64:online', 'memory65:online']);
  });

  it('rollback when an offline fails midway: earlier blocks come back, later ones are untouched', () => {
    const s = boot();
    ok(s, add(8 * GiB, 384 * MiB), state(64, 'online_movable'), state(65, 'online_kernel'), state(66, 'online_movable'), { op: 'pin', block: 65 });
    const before = memoryParts(s.view());
    const r = s.apply({ op: 'offline_and_remove_memory', start: 8 * GiB, size: 384 * MiB });
    expect(r.errno).toBe('EBUSY');
    expect(memoryParts(s.view()).zones).toEqual(before.zones);
    expect([64, 65, 66].map((id) => blockOf(s.view(), id)?.zone)).toEqual(['Movable', 'Normal', 'Movable']);
  });
});

describe('try_offline_node', () => {
  it('a node that only hot-added memory goes offline after its last block is removed', () => {
    const s = boot({ machine: { possibleNodes: 3 } });
    ok(s, add(8 * GiB, 256 * MiB, [], 2));
    expect(nodeOf(s.view(), 2)?.online).toBe(true);
    ok(s, remove(8 * GiB, 128 * MiB));
    expect(nodeOf(s.view(), 2)?.online).toBe(true);
    ok(s, remove(8 * GiB + 128 * MiB, 128 * MiB));
    expect(nodeOf(s.view(), 2)?.online).toBe(false);
    // and can come back
    ok(s, add(8 * GiB, 128 * MiB, [], 2));
    expect(nodeOf(s.view(), 2)?.online).toBe(true);
  });

  it('a removal spanning two hot-added nodes tries only the last block\'s node (try_remove_memory keeps one nid)', () => {
    const s = boot({ machine: { possibleNodes: 4 } });
    ok(s, add(8 * GiB, 128 * MiB, [], 2), add(8 * GiB + 128 * MiB, 128 * MiB, [], 3));
    ok(s, remove(8 * GiB, 256 * MiB));
    expect(nodeOf(s.view(), 2)?.online).toBe(true);
    expect(nodeOf(s.view(), 3)?.online).toBe(false);
    // a later removal that ends on node 2 offlines it: nothing of it is left
    ok(s, add(16 * GiB, 128 * MiB, [], 2), remove(16 * GiB, 128 * MiB));
    expect(nodeOf(s.view(), 2)?.online).toBe(false);
  });

  it('a boot node stays online when its hot-added memory goes', () => {
    const s = boot();
    ok(s, add(8 * GiB, 128 * MiB, [], 1), remove(8 * GiB, 128 * MiB));
    expect(nodeOf(s.view(), 1)?.online).toBe(true);
  });
});

describe('offline_and_remove_memory() in the v2-2019 era', () => {
  it('does not exist (it came with 5.8): a library call is recorded as -ENOSYS and changes nothing', () => {
    const s = boot({ kernel: 'v2-2019' });
    ok(s, add(9 * GiB, 128 * MiB), state(72, 'online_movable'));
    const r = s.apply({ op: 'offline_and_remove_memory', start: 9 * GiB, size: 128 * MiB });
    expect(r.errno).toBe('ENOSYS');
    expect(r.message).toMatch(/came with 5\.8/);
    expect(blockOf(s.view(), 72)?.state).toBe('online');
    expect(s.view().tainted).toBe(false);
  });
});
