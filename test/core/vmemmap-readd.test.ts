/**
 * v2-2019: memory added again over an orphaned vmemmap (docs/kernel-model.md §7.5). The
 * property test found it (seed -331352766, path 50:4:2:6:6:5:11:11): a 4-block
 * MHP_MEMMAP_DEVICE add, its first block removed (the head is orphaned), that block added again
 * with MHP_MEMMAP_MEMBLOCK, then a removal of two of the other blocks threw a TypeError: the new
 * block's head had replaced the orphaned one in the vmemmap table, and its removal freed it.
 */
import { describe, expect, it } from 'vitest';
import { replay, toView, verifyReplay, type MhpFlag, type VmemmapEvent } from '../../src/index.ts';
import { add, blockOf, boot, GiB, memoryParts, MiB, ok, remove, sectionOf, state } from './helpers.ts';

const BLOCK = 128 * MiB;
const PFN_8G = (8 * GiB) / 4096; // first pfn of block 64
const ORPHAN = { headPfn: PFN_8G, nrPages: 2048, refcount: 3, sections: [65, 66, 67], node: 0, orphaned: true };

/** A 512 MiB DEVICE add at 8 GiB (blocks 64..67) whose first block was removed: the head is orphaned. */
function orphaned() {
  const s = boot({ kernel: 'v2-2019' });
  ok(s, add(8 * GiB, 4 * BLOCK, ['MHP_MEMMAP_DEVICE']), remove(8 * GiB, BLOCK));
  expect(s.view().vmemmap).toEqual([ORPHAN]);
  return s;
}

describe('v2-2019: adding the head block of an orphaned vmemmap again', () => {
  const cases: [string, MhpFlag[]][] = [
    ['MHP_MEMMAP_MEMBLOCK', ['MHP_MEMMAP_MEMBLOCK']],
    ['MHP_MEMMAP_DEVICE', ['MHP_MEMMAP_DEVICE']],
    ['no flag', []],
  ];
  for (const [name, flags] of cases)
    it(`with ${name}: vmemmap_populate() reuses the still-mapped vmemmap, no new head, the orphan keeps its sections`, () => {
      const s = orphaned();
      const memmapBefore = s.view().nodes.map((n) => n.memmapPages);
      const r = s.apply(add(8 * GiB, BLOCK, flags));
      expect(r.ret).toBe(0);
      expect(r.events.filter((e): e is VmemmapEvent => e.type === 'vmemmap')).toEqual([]);
      expect(r.events.some((e) => e.type === 'warning' && /vmemmap of section 64 is still mapped/.test(e.message))).toBe(true);
      const v = s.view();
      expect(v.vmemmap).toEqual([ORPHAN]);
      expect(blockOf(v, 64)?.vmemmapPages).toBe(0);
      expect(sectionOf(v, 64)).toMatchObject({ memmap: { kind: 'altmap', headPfn: PFN_8G, pages: 512 }, memmapLost: true });
      // nothing was allocated for its memmap, neither from the range nor from a node
      expect(v.nodes.map((n) => n.memmapPages)).toEqual(memmapBefore);
    });

  it('the minimal sequence: removing two of the orphan\'s blocks afterwards is the §7.5 oops, not an engine crash', () => {
    const s = orphaned();
    ok(s, add(8 * GiB, BLOCK, ['MHP_MEMMAP_MEMBLOCK']));
    const before = s.view();
    const r = s.apply(remove(8 * GiB + 2 * BLOCK, 2 * BLOCK));
    expect(r.errno).toBe('EFAULT');
    expect(r.message).toMatch(/remove of memory66 reads the struct pages of section 66/);
    expect(memoryParts(s.view())).toEqual(memoryParts(before));
    expect(toView(replay(s.spec, s.events))).toEqual(s.view());
    expect(verifyReplay(s.spec, s.events).ok).toBe(true);
  });

  it('the re-added block shares the orphan\'s fate: onlining it reads struct pages that lived in removed memory', () => {
    const s = orphaned();
    ok(s, add(8 * GiB, BLOCK, ['MHP_MEMMAP_MEMBLOCK']));
    const r = s.apply(state(64, 'online'));
    expect(r.errno).toBe('EFAULT');
    expect(r.message).toMatch(/online of memory64 reads the struct pages of section 64/);
  });

  it('auto-onlined, the re-added block oopses inside add_memory: the memory stays added, the call returns EFAULT', () => {
    const s = orphaned();
    ok(s, { op: 'set', param: 'auto_online_blocks', value: 'online' });
    const r = s.apply(add(8 * GiB, BLOCK, ['MHP_MEMMAP_MEMBLOCK']));
    expect(r.errno).toBe('EFAULT');
    expect(r.message).toMatch(/online of memory64 reads the struct pages of section 64/);
    const v = s.view();
    expect(blockOf(v, 64)?.state).toBe('offline');
    expect(v.tainted).toBe(true);
    expect(v.faults).toHaveLength(1);
  });

  it('a block of the span removed before the head block is still mapped too: a DEVICE add over both marks nothing', () => {
    const s = boot({ kernel: 'v2-2019' });
    // block 65 goes first (its vmemmap lives in block 64: deferred, no orphan), then block 64
    ok(s, add(8 * GiB, 4 * BLOCK, ['MHP_MEMMAP_DEVICE']), remove(8 * GiB + BLOCK, BLOCK), remove(8 * GiB, BLOCK));
    const orphan = { ...ORPHAN, refcount: 2, sections: [66, 67] };
    expect(s.view().vmemmap).toEqual([orphan]);
    ok(s, add(8 * GiB, 2 * BLOCK, ['MHP_MEMMAP_DEVICE']));
    const v = s.view();
    expect(v.vmemmap).toEqual([orphan]);
    for (const nr of [64, 65]) expect(sectionOf(v, nr)?.memmap).toEqual({ kind: 'altmap', headPfn: PFN_8G, pages: 512 });
    expect([blockOf(v, 64)?.vmemmapPages, blockOf(v, 65)?.vmemmapPages]).toEqual([0, 0]);
  });

  it('memory next to the orphan\'s span gets its own vmemmap: a DEVICE add of blocks 63..64 marks a head for section 63 only', () => {
    const s = boot({ kernel: 'v2-2019', boot: [{ size: 4 * GiB, used: 1 * GiB }, { size: 4 * GiB - BLOCK }] });
    ok(s, add(8 * GiB, 4 * BLOCK, ['MHP_MEMMAP_DEVICE']), remove(8 * GiB, BLOCK));
    const r = s.apply(add(8 * GiB - BLOCK, 2 * BLOCK, ['MHP_MEMMAP_DEVICE']));
    expect(r.ret).toBe(0);
    const v = s.view();
    expect(v.vmemmap).toEqual([{ headPfn: PFN_8G - 32768, nrPages: 512, refcount: 1, sections: [63], node: 0, orphaned: false }, ORPHAN]);
    expect(blockOf(v, 63)?.vmemmapPages).toBe(512);
    expect(sectionOf(v, 64)?.memmap).toEqual({ kind: 'altmap', headPfn: PFN_8G, pages: 512 });
  });
  it('a block inside the span, above the head block, is found still mapped too: re-adding block 66 alone marks nothing', () => {
    const s = boot({ kernel: 'v2-2019' });
    // blocks 66..67 go first (their vmemmap lives in block 64: deferred), then block 64: the head, keyed below
    // the range re-added, is orphaned and serves section 65 alone
    ok(s, add(8 * GiB, 4 * BLOCK, ['MHP_MEMMAP_DEVICE']), remove(8 * GiB + 2 * BLOCK, 2 * BLOCK), remove(8 * GiB, BLOCK));
    const orphan = { ...ORPHAN, refcount: 1, sections: [65] };
    expect(s.view().vmemmap).toEqual([orphan]);
    const r = s.apply(add(8 * GiB + 2 * BLOCK, BLOCK, ['MHP_MEMMAP_MEMBLOCK']));
    expect(r.ret).toBe(0);
    expect(r.events.some((e) => e.type === 'warning' && /vmemmap of section 66 is still mapped/.test(e.message))).toBe(true);
    const v = s.view();
    expect(v.vmemmap).toEqual([orphan]);
    expect(sectionOf(v, 66)?.memmap).toEqual({ kind: 'altmap', headPfn: PFN_8G, pages: 512 });
    expect(blockOf(v, 66)?.vmemmapPages).toBe(0);
  });
});
