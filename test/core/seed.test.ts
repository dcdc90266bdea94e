/**
 * The numbers of the 2019 series' cover letter and of upstream
 * memmap_on_memory (docs/kernel-model.md §4.7 E2, §7.2, §7.3, §7.4), and the reviewer's
 * question from the seed thread (§7.5).
 */
import { describe, expect, it } from 'vitest';
import type { FaultEvent, VmemmapEvent } from '../../src/index.ts';
import { add, blockOf, boot, GiB, memoryParts, MiB, ok, remove, sectionOf, state, zoneOf } from './helpers.ts';

const PFN_8G = (8 * GiB) / 4096; // 2097152 = first pfn of block 64

describe('v2-2019 cover-letter layouts (x86_64, 128 MiB blocks)', () => {
  it('1 GiB MHP_MEMMAP_DEVICE: one head at the range start, refcount 8, private 4096', () => {
    const s = boot({ kernel: 'v2-2019' });
    ok(s, add(8 * GiB, 1 * GiB, ['MHP_MEMMAP_DEVICE']));
    const v = s.view();
    expect(v.vmemmap).toEqual([{ headPfn: PFN_8G, nrPages: 4096, refcount: 8, sections: [64, 65, 66, 67, 68, 69, 70, 71], node: 0, orphaned: false }]);
    expect(blockOf(v, 64)?.vmemmapPages).toBe(4096);
    for (let id = 65; id < 72; id++) expect(blockOf(v, id)?.vmemmapPages).toBe(0);
    for (let nr = 64; nr < 72; nr++) expect(sectionOf(v, nr)?.memmap).toEqual({ kind: 'altmap', headPfn: PFN_8G, pages: 512 });
  });

  it('1 GiB MHP_MEMMAP_MEMBLOCK: eight heads, refcount 1, 512 pages each at each block start', () => {
    const s = boot({ kernel: 'v2-2019' });
    ok(s, add(8 * GiB, 1 * GiB, ['MHP_MEMMAP_MEMBLOCK']));
    const v = s.view();
    expect(v.vmemmap).toHaveLength(8);
    v.vmemmap.forEach((h, i) => expect(h).toEqual({ headPfn: PFN_8G + i * 32768, nrPages: 512, refcount: 1, sections: [64 + i], node: 0, orphaned: false }));
    for (let id = 64; id < 72; id++) expect(blockOf(v, id)?.vmemmapPages).toBe(512);
  });

  it('8 GiB MHP_MEMMAP_DEVICE: the first block is all vmemmap; onlining it gives present +32768, managed +0', () => {
    const s = boot({ kernel: 'v2-2019' });
    ok(s, add(8 * GiB, 8 * GiB, ['MHP_MEMMAP_DEVICE']));
    const v0 = s.view();
    expect(v0.vmemmap[0]).toMatchObject({ headPfn: PFN_8G, nrPages: 32768, refcount: 64 });
    expect(blockOf(v0, 64)?.vmemmapPages).toBe(32768);
    expect(blockOf(v0, 65)?.vmemmapPages).toBe(0);
    ok(s, state(64, 'online_movable'));
    const z = zoneOf(s.view(), 0, 'Movable')!;
    expect(z.presentPages - (zoneOf(v0, 0, 'Movable')?.presentPages ?? 0)).toBe(32768);
    expect(z.managedPages - (zoneOf(v0, 0, 'Movable')?.managedPages ?? 0)).toBe(0);
    expect(sectionOf(s.view(), 64)?.state).toBe('online');
    // offlining a block made only of vmemmap skips isolation: a pinned page or a signal does not stop it
    ok(s, { op: 'signal' }, state(64, 'offline'));
    expect(zoneOf(s.view(), 0, 'Movable')?.presentPages ?? 0).toBe(zoneOf(v0, 0, 'Movable')?.presentPages ?? 0);
  });

  it('deferred free: removing a DEVICE range block by block from the end drops the refcount until the last frees the head', () => {
    const s = boot({ kernel: 'v2-2019' });
    ok(s, add(8 * GiB, 1 * GiB, ['MHP_MEMMAP_DEVICE']));
    for (let id = 71; id > 64; id--) {
      const r = s.apply(remove(id * 128 * MiB, 128 * MiB));
      expect(r.ret).toBe(0);
      const puts = r.events.filter((e): e is VmemmapEvent => e.type === 'vmemmap');
      expect(puts.map((e) => [e.action, e.refcount, e.sections])).toEqual([['put', id - 64, [id]]]);
      expect(s.view().vmemmap).toEqual([{ headPfn: PFN_8G, nrPages: 4096, refcount: id - 64, sections: Array.from({ length: id - 64 }, (_, i) => 64 + i), node: 0, orphaned: false }]);
    }
    const last = s.apply(remove(8 * GiB, 128 * MiB));
    expect(last.ret).toBe(0);
    const evs = last.events.filter((e): e is VmemmapEvent => e.type === 'vmemmap');
    expect(evs.map((e) => [e.action, e.refcount])).toEqual([
      ['put', 0],
      ['free', 0],
    ]);
    expect(s.view().vmemmap).toEqual([]);
    expect(s.view().faults).toEqual([]);
    expect(s.view().tainted).toBe(false);
  });
});

describe('upstream memmap_on_memory (E2)', () => {
  it('a 128 MiB block online: zone present +32768, managed +32256; offline reverts', () => {
    const s = boot({ kernel: '6.8', params: { memmap_on_memory: 'on' } });
    ok(s, add(8 * GiB, 128 * MiB, ['MHP_MEMMAP_ON_MEMORY']));
    const before = s.view();
    expect(blockOf(before, 64)?.vmemmapPages).toBe(512);
    ok(s, state(64, 'online_movable'));
    const z = zoneOf(s.view(), 0, 'Movable')!;
    const z0 = zoneOf(before, 0, 'Movable');
    expect(z.presentPages - (z0?.presentPages ?? 0)).toBe(32768);
    expect(z.managedPages - (z0?.managedPages ?? 0)).toBe(32256);
    ok(s, state(64, 'offline'));
    const after = s.view();
    // the Movable zone now exists, empty: a zone that never had pages and an emptied one read the same
    expect(zoneOf(after, 0, 'Movable')).toEqual({ node: 0, zone: 'Movable', presentPages: 0, managedPages: 0, startPfn: null, endPfn: null });
    expect({ ...memoryParts(after), zones: after.zones.filter((z) => z.presentPages > 0) }).toEqual(memoryParts(before));
  });
});

describe("the reviewer's question: add 1 GiB with MHP_MEMMAP_DEVICE, remove the first 128 MiB", () => {
  it('v2-2019: the removal succeeds and orphans the vmemmap head', () => {
    const s = boot({ kernel: 'v2-2019' });
    ok(s, add(8 * GiB, 1 * GiB, ['MHP_MEMMAP_DEVICE']));
    const r = s.apply(remove(8 * GiB, 128 * MiB));
    expect(r.ret).toBe(0);
    const v = s.view();
    expect(blockOf(v, 64)).toBeUndefined();
    expect(v.vmemmap).toEqual([{ headPfn: PFN_8G, nrPages: 4096, refcount: 7, sections: [65, 66, 67, 68, 69, 70, 71], node: 0, orphaned: true }]);
    for (let nr = 65; nr < 72; nr++) expect(sectionOf(v, nr)?.memmapLost).toBe(true);
    expect(v.faults).toEqual([]);
    expect(v.tainted).toBe(false);
    const orphan = r.events.find((e): e is VmemmapEvent => e.type === 'vmemmap' && e.action === 'orphan');
    expect(orphan?.removed).toEqual({ start: 8 * GiB, size: 128 * MiB });
  });

  const uses: [string, (id: number) => import('../../src/index.ts').Op, boolean][] = [
    ['touch', (id) => ({ op: 'touch', block: id }), false],
    ['online', (id) => state(id, 'online'), false],
    ['offline', (id) => state(id, 'offline'), true],
    ['remove', (id) => remove(id * 128 * MiB, 128 * MiB), false],
  ];
  for (const [access, opFor, needsOnline] of uses)
    it(`v2-2019: a later ${access} of block 65.. oopses: fault event naming the section and removed range, EFAULT, tainted`, () => {
      const s = boot({ kernel: 'v2-2019' });
      ok(s, add(8 * GiB, 1 * GiB, ['MHP_MEMMAP_DEVICE']));
      if (needsOnline) ok(s, state(66, 'online_movable'));
      ok(s, remove(8 * GiB, 128 * MiB));
      const before = s.view();
      const r = s.apply(opFor(66));
      expect(r.ret).toBe(-14);
      expect(r.errno).toBe('EFAULT');
      const fault = r.events.find((e): e is FaultEvent => e.type === 'fault');
      expect(fault).toMatchObject({ kind: 'memmap-in-removed-memory', section: 66, block: 66, access, removed: { start: 8 * GiB, size: 128 * MiB } });
      expect(fault!.message).toMatch(/section 66/);
      expect(fault!.message).toMatch(/0x200000000-0x207ffffff/);
      const v = s.view();
      expect(v.tainted).toBe(true);
      expect(v.faults).toHaveLength(1);
      expect(v.faults[0]).toMatchObject({ section: 66, block: 66, access });
      // the oops aborts the operation: memory state is as it was
      expect(memoryParts(v)).toEqual(memoryParts(before));
    });

  it('v2-2019 with v2_remove_guard: the partial removal is EINVAL and nothing changes', () => {
    const s = boot({ kernel: 'v2-2019', params: { v2_remove_guard: true } });
    ok(s, add(8 * GiB, 1 * GiB, ['MHP_MEMMAP_DEVICE']));
    const before = s.view();
    const r = s.apply(remove(8 * GiB, 128 * MiB));
    expect(r.errno).toBe('EINVAL');
    expect(r.message).toMatch(/wrong granularity/);
    const v = s.view();
    expect(memoryParts(v)).toEqual(memoryParts(before));
    expect(v.faults).toEqual([]);
    // the whole range can still go at once
    ok(s, remove(8 * GiB, 1 * GiB));
    expect(s.view().vmemmap).toEqual([]);
  });

  it('6.8 with MHP_MEMMAP_ON_MEMORY: the same partial removal succeeds and nothing faults later', () => {
    const s = boot({ kernel: '6.8', params: { memmap_on_memory: 'on' } });
    // node 1: its boot ZONE_NORMAL keeps the kernel's allocations out of the hot-added blocks (docs/kernel-model.md §8.4)
    ok(s, add(8 * GiB, 1 * GiB, ['MHP_MEMMAP_ON_MEMORY'], 1));
    ok(s, remove(8 * GiB, 128 * MiB));
    for (const op of uses.map(([, f]) => f)) expect(s.apply(op(65)).ret, JSON.stringify(op(65))).toBe(0);
    ok(s, state(66, 'online'), state(66, 'offline'), { op: 'touch', block: 67 });
    const v = s.view();
    expect(v.faults).toEqual([]);
    expect(v.tainted).toBe(false);
    expect(v.vmemmap.every((h) => !h.orphaned)).toBe(true);
  });
});

describe('a DEVICE vmemmap that spans more than one block', () => {
  it('16 GiB DEVICE: removing only the second block (the rest of the vmemmap) strands the sections it serves', () => {
    // 16 GiB of struct pages = 256 MiB of vmemmap: blocks 128 and 129 hold it
    const s = boot({ kernel: 'v2-2019' });
    ok(s, add(16 * GiB, 16 * GiB, ['MHP_MEMMAP_DEVICE']));
    expect(blockOf(s.view(), 128)?.vmemmapPages).toBe(32768);
    expect(blockOf(s.view(), 129)?.vmemmapPages).toBe(32768);
    expect(s.apply(remove(16 * GiB + 128 * MiB, 128 * MiB)).ret).toBe(0);
    const v = s.view();
    expect(v.vmemmap[0]?.orphaned).toBe(true);
    expect(sectionOf(v, 255)?.memmapLost).toBe(true);
    const r = s.apply({ op: 'touch', block: 255 });
    expect(r.errno).toBe('EFAULT');
    expect(s.view().tainted).toBe(true);
  });
});
