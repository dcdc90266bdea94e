/**
 * Where a hot-add puts its memmap (docs/kernel-model.md §6.1, §7.1): the target node, another
 * node, base pages, or nowhere (-ENOMEM), and the v2 flag checks.
 */
import { describe, expect, it } from 'vitest';
import { add, blockOf, boot, GiB, memoryParts, MiB, nodeOf, ok, sectionOf, state } from './helpers.ts';

describe('regular memmap placement', () => {
  it('comes from the target node', () => {
    const s = boot();
    const n1 = nodeOf(s.view(), 1)!;
    ok(s, add(8 * GiB, 256 * MiB, [], 1));
    const v = s.view();
    for (const nr of [64, 65]) expect(sectionOf(v, nr)?.memmap).toEqual({ kind: 'node', node: 1, pages: 512, basePages: false });
    expect(nodeOf(v, 1)!.memmapPages).toBe(n1.memmapPages + 1024);
    expect(nodeOf(v, 1)!.freeKernelPages).toBe(n1.freeKernelPages - 1024);
  });

  it('falls back to another node when the target has no free kernel memory, and says where it landed', () => {
    const s = boot({ boot: [{ size: 4 * GiB }, { size: 4 * GiB, used: 4 * GiB }] });
    const n0 = nodeOf(s.view(), 0)!;
    const r = s.apply(add(8 * GiB, 128 * MiB, [], 1));
    expect(r.ret).toBe(0);
    const v = s.view();
    expect(sectionOf(v, 64)?.memmap).toEqual({ kind: 'node', node: 0, pages: 512, basePages: false });
    expect(blockOf(v, 64)?.node).toBe(1);
    expect(nodeOf(v, 0)!.memmapPages).toBe(n0.memmapPages + 512);
    expect(r.events.some((e) => e.type === 'account' && e.node === 0 && e.zone === null && e.memmapPages === 512 && /remote/.test(e.reason))).toBe(true);
  });

  it('ENOMEM when no node can hold it (ballooning into a full machine); memmap_on_memory succeeds', () => {
    const spec = { boot: [{ size: 1 * GiB, used: 1008 * MiB }], params: { memmap_on_memory: 'on' as const } };
    const s = boot(spec);
    const before = memoryParts(s.view());
    // 4 GiB needs 32 sections × 512 pages = 64 MiB of memmap; 16 MiB is free
    const r = s.apply(add(4 * GiB, 4 * GiB));
    expect(r.errno).toBe('ENOMEM');
    expect(r.ret).toBe(-12);
    expect(memoryParts(s.view())).toEqual(before);
    ok(s, add(4 * GiB, 4 * GiB, ['MHP_MEMMAP_ON_MEMORY']));
    const v = s.view();
    expect(v.blocks.filter((b) => !b.early)).toHaveLength(32);
    expect(v.blocks.filter((b) => !b.early).every((b) => b.vmemmapPages === 512)).toBe(true);
    expect(nodeOf(v, 0)!.memmapPages).toBe(before.nodes[0]!.memmapPages);
    ok(s, state(32, 'online_movable'));
  });

  it('fragmentation on x86_64: no free order-9 block → base pages, with a warning', () => {
    const s = boot({ boot: [{ size: 4 * GiB, maxFreeOrder: 8 }, { size: 4 * GiB, maxFreeOrder: 8 }] });
    const r = s.apply(add(8 * GiB, 128 * MiB));
    expect(r.ret).toBe(0);
    expect(sectionOf(s.view(), 64)?.memmap).toEqual({ kind: 'node', node: 0, pages: 512, basePages: true });
    expect(r.events.some((e) => e.type === 'warning' && /base pages/.test(e.message))).toBe(true);
  });

  for (const arch of ['arm64-16k', 'arm64-64k'] as const)
    it(`${arch}: the vmemmap is always base pages (no PMD blocks without 4K pages), so fragmentation neither moves it off the target node nor warns`, () => {
      const s = boot({ arch, boot: [{ size: 4 * GiB, maxFreeOrder: 0 }, { size: 4 * GiB }] });
      const r = s.apply(add(8 * GiB, s.view().blockSizeBytes, [], 0));
      expect(r.ret).toBe(0);
      const first = s.view().sections.find((x) => !x.early)!;
      expect(first.memmap).toMatchObject({ kind: 'node', node: 0, basePages: true });
      expect(r.events.some((e) => e.type === 'warning' && /base pages/.test(e.message))).toBe(false);
    });

  it('fragmentation prefers a node that still has a PMD-sized block over base pages', () => {
    const s = boot({ boot: [{ size: 4 * GiB, maxFreeOrder: 8 }, { size: 4 * GiB }] });
    ok(s, add(8 * GiB, 128 * MiB, [], 0));
    expect(sectionOf(s.view(), 64)?.memmap).toEqual({ kind: 'node', node: 1, pages: 512, basePages: false });
  });

  it('fragmentation on ppc64-hash: no order-8 block and no base-page fallback → ENOMEM', () => {
    const s = boot({ arch: 'ppc64-hash', boot: [{ size: 4 * GiB, maxFreeOrder: 7 }] });
    const before = memoryParts(s.view());
    const r = s.apply(add(8 * GiB, 256 * MiB));
    expect(r.errno).toBe('ENOMEM');
    expect(r.message).toMatch(/cannot fall back to base pages/);
    expect(memoryParts(s.view())).toEqual(before);
    const unfragmented = boot({ arch: 'ppc64-hash', boot: [{ size: 4 * GiB, maxFreeOrder: 8 }] });
    ok(unfragmented, add(8 * GiB, 256 * MiB));
  });

  it('movable_node: a memory-only node has no kernel memory, so its adds put the memmap on another node', () => {
    const s = boot({ boot: [{ size: 4 * GiB }], machine: { possibleNodes: 2 }, params: { movable_node: true } });
    ok(s, add(4 * GiB, 256 * MiB, [], 1), state(32, 'online'), state(33, 'online'));
    expect([32, 33].map((id) => blockOf(s.view(), id)?.zone)).toEqual(['Movable', 'Movable']);
    // node 1 has memory now, all of it movable: the next add still takes its memmap from node 0
    ok(s, add(5 * GiB, 128 * MiB, [], 1));
    const v = s.view();
    for (const nr of [32, 33, 40]) expect(sectionOf(v, nr)?.memmap).toMatchObject({ kind: 'node', node: 0 });
    expect(nodeOf(v, 1)!.memmapPages).toBe(0);
    expect(nodeOf(v, 1)!.freeKernelPages).toBe(0);
  });
});

describe('v2-2019 flag checks (mhp_check_correct_flags)', () => {
  it('sparsemem classic: WARN, flags ignored, regular memmap', () => {
    const s = boot({ kernel: 'v2-2019', machine: { sparsemem: 'classic' } });
    const r = s.apply(add(8 * GiB, 256 * MiB, ['MHP_MEMMAP_DEVICE']));
    expect(r.ret).toBe(0);
    expect(r.events.filter((e) => e.type === 'warning').map((e) => (e.type === 'warning' ? e.message : ''))).toContain(
      'WARNING: mhp_check_correct_flags(): Vmemmap capability can only be used on CONFIG_SPARSEMEM_VMEMMAP. Ignoring flags.',
    );
    // a WARN() taints the kernel with TAINT_WARN (W), and the add goes on
    expect(s.view()).toMatchObject({ tainted: true, taint: 512, taintFlags: 'W' });
    expect(sectionOf(s.view(), 64)?.memmap.kind).toBe('node');
    expect(blockOf(s.view(), 64)?.vmemmapPages).toBe(0);
    expect(s.view().vmemmap).toEqual([]);
  });

  it('both flags: WARN, flags ignored, regular memmap', () => {
    const s = boot({ kernel: 'v2-2019' });
    const r = s.apply(add(8 * GiB, 256 * MiB, ['MHP_MEMMAP_DEVICE', 'MHP_MEMMAP_MEMBLOCK']));
    expect(r.ret).toBe(0);
    expect(r.events.some((e) => e.type === 'warning' && e.site === 'mhp_check_correct_flags' && e.taint === 'W' && e.message.endsWith('Both MHP_MEMMAP_DEVICE and MHP_MEMMAP_MEMBLOCK were passed. Ignoring flags.'))).toBe(true);
    expect(s.view().taintFlags).toBe('W');
    expect(sectionOf(s.view(), 64)?.memmap.kind).toBe('node');
    expect(s.view().vmemmap).toEqual([]);
  });

  it('vmemmap_hotplug disabled: flags silently ignored', () => {
    const s = boot({ kernel: 'v2-2019' });
    ok(s, { op: 'set', param: 'vmemmap_hotplug', value: 'disable' });
    const r = s.apply(add(8 * GiB, 256 * MiB, ['MHP_MEMMAP_MEMBLOCK']));
    expect(r.events.filter((e) => e.type === 'warning')).toEqual([]);
    expect(sectionOf(s.view(), 64)?.memmap.kind).toBe('node');
    expect(s.apply({ op: 'set', param: 'vmemmap_hotplug', value: 'maybe' }).errno).toBe('EINVAL');
  });
});

describe('kernel allocations made on hot-added memory', () => {
  it('keep a kernel-zone block from going offline when the rest of the node cannot hold them', () => {
    // 1 GiB boot node with 960 MiB used; 128 MiB added at 2 GiB and onlined to the kernel zone
    const s = boot({ boot: [{ size: 1 * GiB, used: 960 * MiB }] });
    ok(s, add(2 * GiB, 128 * MiB));
    ok(s, state(16, 'online_kernel'));
    // 4 GiB more: its 64 MiB of regular memmap can only come from memory16
    ok(s, add(4 * GiB, 4 * GiB));
    const r = s.apply(state(16, 'offline'));
    expect(r.errno).toBe('EBUSY');
    expect(blockOf(s.view(), 16)?.state).toBe('online');
    expect(nodeOf(s.view(), 0)!.freeKernelPages).toBeGreaterThanOrEqual(0);
  });
});
