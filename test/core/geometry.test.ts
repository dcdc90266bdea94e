/**
 * Kernel arithmetic per architecture profile (docs/kernel-model.md §2, §2.1, §6.3, §6.4).
 */
import { describe, expect, it } from 'vitest';
import {
  ARCH_NAMES,
  decideMemmapLayout,
  forceWastedPages,
  geometryOf,
  blockSizeOf,
  GeometryError,
  HotplugSystem,
  nr_vmemmap_pages,
  probeX86BlockSize,
  type ArchName,
  type Era,
} from '../../src/index.ts';
import { GiB, makeSpec, MiB, KiB } from './helpers.ts';

/** docs/kernel-model.md §2 table, for a 5.13+ kernel (arm64 4K sections are 1 GiB only before ~5.12). */
const TABLE: Record<ArchName, { page: number; sectionBits: number; pps: number; block: number; sectionsPerBlock: number; pageblock: number; subsections: number; pagesPerSubsection: number; memmapPerBlock: number }> = {
  x86_64: { page: 4 * KiB, sectionBits: 27, pps: 32768, block: 128 * MiB, sectionsPerBlock: 1, pageblock: 512, subsections: 64, pagesPerSubsection: 512, memmapPerBlock: 512 },
  'arm64-4k': { page: 4 * KiB, sectionBits: 27, pps: 32768, block: 128 * MiB, sectionsPerBlock: 1, pageblock: 512, subsections: 64, pagesPerSubsection: 512, memmapPerBlock: 512 },
  'arm64-16k': { page: 16 * KiB, sectionBits: 27, pps: 8192, block: 128 * MiB, sectionsPerBlock: 1, pageblock: 2048, subsections: 64, pagesPerSubsection: 128, memmapPerBlock: 32 },
  'arm64-64k': { page: 64 * KiB, sectionBits: 29, pps: 8192, block: 512 * MiB, sectionsPerBlock: 1, pageblock: 8192, subsections: 256, pagesPerSubsection: 32, memmapPerBlock: 8 },
  'ppc64-radix': { page: 64 * KiB, sectionBits: 24, pps: 256, block: 256 * MiB, sectionsPerBlock: 16, pageblock: 32, subsections: 8, pagesPerSubsection: 32, memmapPerBlock: 4 },
  'ppc64-hash': { page: 64 * KiB, sectionBits: 24, pps: 256, block: 256 * MiB, sectionsPerBlock: 16, pageblock: 256, subsections: 8, pagesPerSubsection: 32, memmapPerBlock: 4 },
  s390x: { page: 4 * KiB, sectionBits: 28, pps: 65536, block: 256 * MiB, sectionsPerBlock: 1, pageblock: 256, subsections: 128, pagesPerSubsection: 512, memmapPerBlock: 1024 },
};

describe('geometry of every architecture profile (docs/kernel-model.md §2)', () => {
  it('covers all seven profiles', () => {
    expect([...ARCH_NAMES].sort()).toEqual(Object.keys(TABLE).sort());
  });

  for (const arch of ARCH_NAMES) {
    it(`${arch}: page size, PAGES_PER_SECTION, sections per block, memmap pages per block`, () => {
      const want = TABLE[arch];
      const g = geometryOf(makeSpec({ arch, kernel: '6.8', boot: [{ size: 4 * GiB }] }));
      expect(g.pageSize).toBe(want.page);
      expect(g.sectionSizeBits).toBe(want.sectionBits);
      expect(g.sectionSize).toBe(2 ** want.sectionBits);
      expect(g.pagesPerSection).toBe(want.pps);
      expect(g.blockSize).toBe(want.block);
      expect(g.sectionsPerBlock).toBe(want.sectionsPerBlock);
      expect(g.pagesPerBlock).toBe(want.block / want.page);
      expect(g.pageblockNrPages).toBe(want.pageblock);
      expect(g.subsectionsPerSection).toBe(want.subsections);
      expect(g.pagesPerSubsection).toBe(want.pagesPerSubsection);
      expect(nr_vmemmap_pages(g, g.pagesPerBlock)).toBe(want.memmapPerBlock);
      // the same figure read through the world view of a booted system
      const s = new HotplugSystem(makeSpec({ arch, kernel: '6.8', boot: [{ size: 4 * GiB }] }), { actors: 'table' });
      const v = s.view();
      expect(v.pageSize).toBe(want.page);
      expect(v.sectionSizeBytes).toBe(2 ** want.sectionBits);
      expect(v.blockSizeBytes).toBe(want.block);
    });
  }

  it('arm64 4K used 1 GiB sections (and blocks) in the 2019 era', () => {
    const g = geometryOf(makeSpec({ arch: 'arm64-4k', kernel: 'v2-2019', boot: [{ size: 4 * GiB }] }));
    expect(g.sectionSizeBits).toBe(30);
    expect(g.pagesPerSection).toBe(262144);
    expect(g.blockSize).toBe(GiB);
    expect(nr_vmemmap_pages(g, g.pagesPerBlock)).toBe(4096);
  });

  it('x86_64 2 GiB blocks: 8192 memmap pages per block', () => {
    const g = geometryOf(makeSpec({ machine: { memoryBlockSize: 2 * GiB }, boot: [{ size: 4 * GiB }] }));
    expect(g.sectionsPerBlock).toBe(16);
    expect(nr_vmemmap_pages(g, g.pagesPerBlock)).toBe(8192);
  });
});

describe('x86_64 probe_memory_block_size() (docs/kernel-model.md §2.1)', () => {
  const eras: Era[] = ['5.13', '6.6', '6.8'];

  it('E1: a VM with 64.5 GiB of boot memory gets 512 MiB blocks', () => {
    for (const era of [...eras, 'v2-2019' as Era]) expect(probeX86BlockSize(64.5 * GiB, true, era)).toBe(512 * MiB);
    const spec = makeSpec({ kernel: '6.8', machine: { hypervisor: true }, boot: [{ size: 32 * GiB }, { size: 32.5 * GiB }] });
    const g = geometryOf(spec);
    expect(g.blockSize).toBe(512 * MiB);
    expect(g.sectionsPerBlock).toBe(4);
    expect(g.blockSize.toString(16)).toBe('20000000');
  });

  it('below 64 GiB: 128 MiB, VM or bare metal, every era', () => {
    for (const era of [...eras, 'v2-2019' as Era])
      for (const hv of [true, false]) expect(probeX86BlockSize(64 * GiB - 128 * MiB, hv, era)).toBe(128 * MiB);
  });

  it('bare metal with at least 64 GiB: 2 GiB in eras >= 5.13', () => {
    for (const era of eras) {
      expect(probeX86BlockSize(64 * GiB, false, era)).toBe(2 * GiB);
      expect(probeX86BlockSize(64.5 * GiB, false, era)).toBe(2 * GiB);
    }
    const spec = makeSpec({ machine: { hypervisor: false }, boot: [{ size: 64.5 * GiB }] });
    expect(blockSizeOf(spec)).toBe(2 * GiB);
    // The kernel leaves the last 2 GiB block partly present; memhp lays boot memory out in
    // whole blocks, so it refuses that machine rather than growing it to 66 GiB unseen.
    expect(() => geometryOf(spec)).toThrow('66048M of boot memory is not a whole number of 2G memory blocks');
  });

  it('v2-2019 has no bare-metal rule: bare metal runs the alignment loop', () => {
    expect(probeX86BlockSize(64.5 * GiB, false, 'v2-2019')).toBe(512 * MiB);
    expect(probeX86BlockSize(64 * GiB + 128 * MiB, false, 'v2-2019')).toBe(128 * MiB);
    expect(probeX86BlockSize(66 * GiB, false, 'v2-2019')).toBe(2 * GiB);
  });

  it('VM loop stops at the largest power of two dividing the end of boot memory', () => {
    expect(probeX86BlockSize(65 * GiB, true, '6.8')).toBe(1 * GiB);
    expect(probeX86BlockSize(64 * GiB + 256 * MiB, true, '6.8')).toBe(256 * MiB);
    expect(probeX86BlockSize(64 * GiB + 128 * MiB, true, '6.8')).toBe(128 * MiB);
    expect(probeX86BlockSize(64 * GiB, true, '6.8')).toBe(2 * GiB);
  });

  it('other architectures do not probe: boot memory size does not change their block size', () => {
    expect(geometryOf(makeSpec({ arch: 'arm64-4k', boot: [{ size: 64.5 * GiB }] })).blockSize).toBe(128 * MiB);
  });
});

describe('invalid memory block sizes are rejected (memory_dev_init panics)', () => {
  const bad: [string, number][] = [
    ['not a power of two', 192 * MiB],
    ['smaller than a section', 64 * MiB],
    ['zero', 0],
  ];
  for (const [why, size] of bad)
    it(`${why}: ${size}`, () => {
      const spec = makeSpec({ machine: { memoryBlockSize: size } });
      expect(() => geometryOf(spec)).toThrow(GeometryError);
      expect(() => geometryOf(spec)).toThrow(/not suitable/);
      expect(() => new HotplugSystem(spec, { actors: 'table' })).toThrow(GeometryError);
    });

  it('a 256 MiB block is smaller than an arm64 64K section (512 MiB)', () => {
    expect(() => geometryOf(makeSpec({ arch: 'arm64-64k', machine: { memoryBlockSize: 256 * MiB } }))).toThrow(/at least one section/);
  });

  it('valid overrides are accepted', () => {
    expect(geometryOf(makeSpec({ machine: { memoryBlockSize: 1 * GiB } })).sectionsPerBlock).toBe(8);
  });
});

describe('vmemmap pages per block and memmap_on_memory outcome per arch (docs/kernel-model.md §6.3, §6.4)', () => {
  const layoutFor = (arch: ArchName, mode: 'on' | 'force', kernel: Era = '6.8') => {
    const spec = makeSpec({ arch, kernel, params: { memmap_on_memory: mode }, boot: [{ size: 4 * GiB }] });
    const g = geometryOf(spec);
    return { g, d: decideMemmapLayout(spec, g, spec.params, g.blockSize, ['MHP_MEMMAP_ON_MEMORY']) };
  };

  it('nr_vmemmap_pages is DIV_ROUND_UP(pages * 64, PAGE_SIZE)', () => {
    const g = geometryOf(makeSpec());
    expect(nr_vmemmap_pages(g, 32768)).toBe(512); // E4
    expect(nr_vmemmap_pages(g, 262144)).toBe(4096); // 1 GiB
    expect(nr_vmemmap_pages(g, 1)).toBe(1);
  });

  it('x86_64 / arm64 4K 128 MiB: 512 vmemmap pages in enable and force mode, 0 wasted', () => {
    for (const arch of ['x86_64', 'arm64-4k'] as const)
      for (const mode of ['on', 'force'] as const) {
        const { d, g } = layoutFor(arch, mode);
        expect(d.layout).toEqual({ kind: 'per-block', vmemmapPagesPerBlock: 512, wastedPagesPerBlock: 0, source: 'MHP_MEMMAP_ON_MEMORY' });
        expect(forceWastedPages(g, { ...makeSpec().params, memmap_on_memory: mode })).toBe(0);
      }
  });

  it('E3: ppc64 radix 256 MiB: unsupported when enabled; force reserves 32 pages and wastes 28', () => {
    expect(layoutFor('ppc64-radix', 'on').d.layout).toEqual({ kind: 'regular' });
    const { d, g } = layoutFor('ppc64-radix', 'force');
    expect(d.layout).toEqual({ kind: 'per-block', vmemmapPagesPerBlock: 32, wastedPagesPerBlock: 28, source: 'MHP_MEMMAP_ON_MEMORY' });
    expect(forceWastedPages(g, { ...makeSpec().params, memmap_on_memory: 'force' })).toBe(28);
  });

  it('arm64 16K and 64K: unsupported in both modes', () => {
    for (const arch of ['arm64-16k', 'arm64-64k'] as const)
      for (const mode of ['on', 'force'] as const) expect(layoutFor(arch, mode).d.layout).toEqual({ kind: 'regular' });
  });

  it('ppc64 hash: never', () => {
    for (const mode of ['on', 'force'] as const) expect(layoutFor('ppc64-hash', mode).d.layout).toEqual({ kind: 'regular' });
  });

  it('s390x 256 MiB: 1024 vmemmap pages from 6.8 on, not before', () => {
    expect(layoutFor('s390x', 'on').d.layout).toMatchObject({ kind: 'per-block', vmemmapPagesPerBlock: 1024 });
    expect(layoutFor('s390x', 'on', '6.6').d.layout).toEqual({ kind: 'regular' });
  });

  it('E3 end to end: ppc64 radix force mode warns once about waste, online gives present +4096, managed +4064', () => {
    const s = new HotplugSystem(makeSpec({ arch: 'ppc64-radix', params: { memmap_on_memory: 'force' }, boot: [{ size: 4 * GiB }] }), { actors: 'table' });
    const r = s.apply({ op: 'add_memory', node: 0, start: 8 * GiB, size: 256 * MiB, flags: ['MHP_MEMMAP_ON_MEMORY'] });
    expect(r.ret).toBe(0);
    expect(r.events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message)).toContain('Memory hotplug will waste 28 pages in each memory block');
    const id = (8 * GiB) / (256 * MiB);
    expect(s.view().blocks.find((b) => b.id === id)?.vmemmapPages).toBe(32);
    const before = s.view().zones.find((z) => z.node === 0 && z.zone === 'Movable');
    expect(s.apply({ op: 'state', block: id, value: 'online_movable' }).ret).toBe(0);
    const after = s.view().zones.find((z) => z.node === 0 && z.zone === 'Movable')!;
    expect(after.presentPages - (before?.presentPages ?? 0)).toBe(4096);
    expect(after.managedPages - (before?.managedPages ?? 0)).toBe(4064);
  });
});
