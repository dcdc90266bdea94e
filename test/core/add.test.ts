/**
 * add_memory() and probe: success and every error path with the spec's
 * errno (docs/kernel-model.md §5.2–§5.4, §6.2, §4.3 probe).
 */
import { describe, expect, it } from 'vitest';
import { add, blockOf, boot, GiB, memoryParts, MiB, nodeOf, ok, sectionOf } from './helpers.ts';

describe('add_memory', () => {
  it('creates offline blocks and present sections with a regular memmap', () => {
    const s = boot();
    const r = s.apply(add(8 * GiB, 256 * MiB));
    expect(r.ret).toBe(0);
    expect(r.errno).toBeNull();
    const v = s.view();
    for (const id of [64, 65]) {
      expect(blockOf(v, id)).toMatchObject({ state: 'offline', zone: null, node: 0, early: false, vmemmapPages: 0, startPfn: id * 32768, nrPages: 32768 });
      expect(sectionOf(v, id)).toMatchObject({ state: 'present', node: 0, block: id, early: false, memmap: { kind: 'node', node: 0, pages: 512, basePages: false } });
    }
    expect(blockOf(v, 66)).toBeUndefined();
    expect(r.events.some((e) => e.type === 'resource' && e.action === 'request' && e.start === 8 * GiB && e.size === 256 * MiB)).toBe(true);
  });

  it('EEXIST: overlaps boot memory', () => {
    const s = boot();
    const before = memoryParts(s.view());
    const r = s.apply(add(4 * GiB - 128 * MiB, 256 * MiB));
    expect(r.ret).toBe(-17);
    expect(r.errno).toBe('EEXIST');
    expect(memoryParts(s.view())).toEqual(before);
  });

  it('EEXIST: overlaps a previous hot-add', () => {
    const s = boot();
    ok(s, add(8 * GiB, 512 * MiB));
    const before = memoryParts(s.view());
    expect(s.apply(add(8 * GiB + 384 * MiB, 256 * MiB)).errno).toBe('EEXIST');
    expect(s.apply(add(8 * GiB, 128 * MiB)).errno).toBe('EEXIST');
    expect(memoryParts(s.view())).toEqual(before);
  });

  it('EINVAL: start or size not block-aligned', () => {
    const s = boot();
    const before = memoryParts(s.view());
    expect(s.apply(add(8 * GiB + 64 * MiB, 128 * MiB)).ret).toBe(-22);
    expect(s.apply(add(8 * GiB, 192 * MiB)).errno).toBe('EINVAL');
    expect(s.apply(add(8 * GiB, 192 * MiB)).message).toMatch(/unaligned hotplug range/);
    expect(memoryParts(s.view())).toEqual(before);
  });

  it('E2BIG: size 0 or a range beyond MAX_PHYSMEM in eras >= 5.13', () => {
    for (const kernel of ['5.13', '6.6', '6.8'] as const) {
      const s = boot({ kernel });
      expect(s.apply(add(8 * GiB, 0)).ret).toBe(-7);
      expect(s.apply(add(2 ** 46, 128 * MiB)).errno).toBe('E2BIG'); // x86_64 MAX_PHYSMEM_BITS 46
      expect(s.apply(add(2 ** 46 - 128 * MiB, 256 * MiB)).errno).toBe('E2BIG');
      expect(s.apply(add(2 ** 46 - 128 * MiB, 128 * MiB)).ret).toBe(0);
    }
  });

  it('size 0 is EINVAL before mhp_range_allowed() existed (v2-2019)', () => {
    const s = boot({ kernel: 'v2-2019' });
    expect(s.apply(add(8 * GiB, 0)).errno).toBe('EINVAL');
  });

  it('EINVAL: node that is not possible; a possible new node comes online', () => {
    const s = boot({ machine: { possibleNodes: 3 } });
    const before = memoryParts(s.view());
    const r = s.apply(add(8 * GiB, 128 * MiB, [], 3));
    expect(r.errno).toBe('EINVAL');
    // add_memory_resource(): WARN(1, "node %d was absent from the node_possible_map") → TAINT_WARN
    expect(r.events.some((e) => e.type === 'warning' && e.site === 'add_memory_resource' && e.message.endsWith('node 3 was absent from the node_possible_map'))).toBe(true);
    expect(s.view().taintFlags).toBe('W');
    expect(s.apply(add(8 * GiB, 128 * MiB, [], -1)).errno).toBe('EINVAL');
    expect(memoryParts(s.view())).toEqual(before);
    expect(nodeOf(s.view(), 2)).toBeUndefined();
    ok(s, add(8 * GiB, 128 * MiB, [], 2));
    expect(nodeOf(s.view(), 2)?.online).toBe(true);
    expect(blockOf(s.view(), 64)?.node).toBe(2);
  });

  it('without possibleNodes, the boot nodes are the possible ones', () => {
    const s = boot();
    expect(s.apply(add(8 * GiB, 128 * MiB, [], 2)).errno).toBe('EINVAL');
  });
});

describe('MHP_MEMMAP_ON_MEMORY per era (docs/kernel-model.md §6.2)', () => {
  it('5.13: a multi-block request is unsupported → EINVAL, nothing added', () => {
    const s = boot({ kernel: '5.13', params: { memmap_on_memory: 'on' } });
    const before = memoryParts(s.view());
    const r = s.apply(add(8 * GiB, 256 * MiB, ['MHP_MEMMAP_ON_MEMORY']));
    expect(r.errno).toBe('EINVAL');
    expect(r.message).toMatch(/MHP_MEMMAP_ON_MEMORY unsupported/);
    expect(memoryParts(s.view())).toEqual(before);
  });

  it('5.13: the parameter off also makes the flag EINVAL', () => {
    const s = boot({ kernel: '5.13', params: { memmap_on_memory: 'off' } });
    expect(s.apply(add(8 * GiB, 128 * MiB, ['MHP_MEMMAP_ON_MEMORY'])).errno).toBe('EINVAL');
  });

  it('5.13: exactly one block → 512 vmemmap pages at the block start', () => {
    const s = boot({ kernel: '5.13', params: { memmap_on_memory: 'on' } });
    ok(s, add(8 * GiB, 128 * MiB, ['MHP_MEMMAP_ON_MEMORY']));
    const v = s.view();
    expect(blockOf(v, 64)?.vmemmapPages).toBe(512);
    expect(sectionOf(v, 64)?.memmap).toEqual({ kind: 'altmap', headPfn: 64 * 32768, pages: 512 });
  });

  it('6.6: a multi-block request silently falls back to a regular memmap', () => {
    const s = boot({ kernel: '6.6', params: { memmap_on_memory: 'on' } });
    const r = s.apply(add(8 * GiB, 256 * MiB, ['MHP_MEMMAP_ON_MEMORY']));
    expect(r.ret).toBe(0);
    expect(r.events.filter((e) => e.type === 'warning')).toEqual([]);
    const v = s.view();
    for (const id of [64, 65]) {
      expect(blockOf(v, id)?.vmemmapPages).toBe(0);
      expect(sectionOf(v, id)?.memmap.kind).toBe('node');
    }
    expect(v.vmemmap).toEqual([]);
  });

  it('6.6: a single block with the flag gets its memmap on itself', () => {
    const s = boot({ kernel: '6.6', params: { memmap_on_memory: 'on' } });
    ok(s, add(8 * GiB, 128 * MiB, ['MHP_MEMMAP_ON_MEMORY']));
    expect(blockOf(s.view(), 64)?.vmemmapPages).toBe(512);
  });

  it('6.8: a multi-block request gets one altmap per block', () => {
    const s = boot({ kernel: '6.8', params: { memmap_on_memory: 'on' } });
    ok(s, add(8 * GiB, 512 * MiB, ['MHP_MEMMAP_ON_MEMORY']));
    const v = s.view();
    for (const id of [64, 65, 66, 67]) {
      expect(blockOf(v, id)?.vmemmapPages).toBe(512);
      expect(sectionOf(v, id)?.memmap).toEqual({ kind: 'altmap', headPfn: id * 32768, pages: 512 });
    }
    expect(v.vmemmap.map((h) => [h.headPfn, h.nrPages, h.refcount])).toEqual([64, 65, 66, 67].map((id) => [id * 32768, 512, 1]));
  });

  it('6.8: the flag is a hint; with the parameter off the add uses a regular memmap', () => {
    const s = boot({ kernel: '6.8', params: { memmap_on_memory: 'off' } });
    ok(s, add(8 * GiB, 256 * MiB, ['MHP_MEMMAP_ON_MEMORY']));
    expect(sectionOf(s.view(), 64)?.memmap.kind).toBe('node');
  });
});

/** memory_probe_store() exists only with CONFIG_ARCH_MEMORY_PROBE, opt-in on x86 (drivers/base/memory.c). */
const probeOn = { machine: { config: { ARCH_MEMORY_PROBE: true } } };

describe('probe (one block per write, node by address)', () => {
  it('adds one offline block', () => {
    const s = boot(probeOn);
    const r = s.apply({ op: 'probe', addr: 8 * GiB });
    expect(r.ret).toBe(0);
    const v = s.view();
    expect(blockOf(v, 64)).toMatchObject({ state: 'offline', node: 0 });
    expect(blockOf(v, 65)).toBeUndefined();
  });

  it('EINVAL for an address that is not block-aligned', () => {
    const s = boot(probeOn);
    const before = memoryParts(s.view());
    expect(s.apply({ op: 'probe', addr: 8 * GiB + 4096 }).errno).toBe('EINVAL');
    expect(memoryParts(s.view())).toEqual(before);
  });

  it('EEXIST for an address that already has memory', () => {
    const s = boot(probeOn);
    expect(s.apply({ op: 'probe', addr: 0 }).errno).toBe('EEXIST');
    ok(s, { op: 'probe', addr: 8 * GiB });
    expect(s.apply({ op: 'probe', addr: 8 * GiB }).errno).toBe('EEXIST');
  });
});

describe('probe exists only with CONFIG_ARCH_MEMORY_PROBE', () => {
  it('ppc64 (def_bool y) and x86_64 built with it add one block; x86_64 as distributions build it, arm64 and s390x have no probe file (ENOENT)', () => {
    expect(boot({ arch: 'ppc64-radix', boot: [{ size: 4 * GiB, maxFreeOrder: 8 }] }).apply({ op: 'probe', addr: 16 * GiB }).ret).toBe(0);
    expect(boot({ ...probeOn, boot: [{ size: 4 * GiB, maxFreeOrder: 8 }] }).apply({ op: 'probe', addr: 16 * GiB }).ret).toBe(0);
    // arch/x86/Kconfig: ARCH_MEMORY_PROBE defaults to n, and distributions leave it off
    expect(boot({ boot: [{ size: 4 * GiB, maxFreeOrder: 8 }] }).apply({ op: 'probe', addr: 16 * GiB }).errno).toBe('ENOENT');
    for (const arch of ['arm64-4k', 's390x'] as const) {
      const s = boot({ arch, boot: [{ size: 4 * GiB, maxFreeOrder: 8 }] });
      expect(s.apply({ op: 'probe', addr: 16 * GiB }).errno).toBe('ENOENT');
    }
  });
});

describe('v2-2019 predates mhp_range_allowed()', () => {
  it('an add beyond MAX_PHYSMEM_BITS conflicts with the iomem root: EEXIST, not E2BIG', () => {
    const s = boot({ kernel: 'v2-2019' });
    expect(s.apply(add(2 ** 46, 128 * MiB)).errno).toBe('EEXIST');
    expect(boot({ kernel: '6.8' }).apply(add(2 ** 46, 128 * MiB)).errno).toBe('E2BIG');
  });
});
