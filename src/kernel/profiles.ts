/**
 * Architecture profiles (docs/kernel-model.md §2, §6.4). Pure data plus the few arch hooks
 * whose behaviour differs: block size, zone layout of boot memory,
 * memmap_on_memory enablement, vmemmap allocation fallback.
 */
import { ERAS, type ArchName, type Era, type ZoneName } from './types.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export interface ArchProfile {
  name: ArchName;
  pageShift: number;
  /** SECTION_SIZE_BITS; may depend on the era (arm64 4K was 1 GiB in 2019). */
  sectionSizeBits(era: Era): number;
  pmdSize: number;
  pageblockOrder: number;
  maxPageOrder: number;
  /** MAX_PHYSMEM_BITS: mhp_range_allowed() bound. */
  maxPhysmemBits: number;
  /** Kernel zones below Normal, by end address of boot memory (DMA, DMA32). */
  lowZones: { zone: ZoneName; end: number }[];
  /** ARCH_MHP_MEMMAP_ON_MEMORY_ENABLE in this era. */
  memmapOnMemoryEnabled(era: Era): boolean;
  /** arch_supports_memmap_on_memory(vmemmap_size). */
  archSupportsMemmapOnMemory(vmemmapSize: number): boolean;
  /** Regular vmemmap: PMD chunks unavailable → base pages (x86, arm64) or -ENOMEM (ppc64). */
  vmemmapBasePageFallback: boolean;
  /**
   * Order of one vmemmap backing chunk allocated from the page allocator; 0 when the arch
   * always populates the vmemmap with base pages (arm64 without 4K pages).
   */
  vmemmapChunkOrder: number;
  /** Default memory block size when not probed (x86 probes, see geometry.ts). */
  defaultBlockSize(era: Era): number;
  /** arch_remove_memory() refuses (s390 before ~6.8). */
  hotRemoveRefused(era: Era): boolean;
  /** v2 series: arch_add_memory() clears the vmemmap flags (s390). */
  v2ClearsFlags: boolean;
  /** CONFIG_ARCH_MEMORY_PROBE: /sys/devices/system/memory/probe exists (x86, powerpc). */
  hasProbe: boolean;
}

const pmdAligned = (pmd: number) => (size: number) => size % pmd === 0;
const eraAtLeast = (era: Era, min: Era) => ERAS.indexOf(era) >= ERAS.indexOf(min);
export { eraAtLeast };

const x86_64: ArchProfile = {
  name: 'x86_64',
  pageShift: 12,
  sectionSizeBits: () => 27,
  pmdSize: 2 * MiB,
  pageblockOrder: 9,
  maxPageOrder: 10,
  maxPhysmemBits: 46,
  lowZones: [
    { zone: 'DMA', end: 16 * MiB },
    { zone: 'DMA32', end: 4 * GiB },
  ],
  memmapOnMemoryEnabled: (era) => eraAtLeast(era, '5.13'),
  archSupportsMemmapOnMemory: pmdAligned(2 * MiB),
  vmemmapBasePageFallback: true,
  vmemmapChunkOrder: 9,
  defaultBlockSize: () => 128 * MiB,
  hotRemoveRefused: () => false,
  v2ClearsFlags: false,
  hasProbe: true,
};

const arm64_4k: ArchProfile = {
  ...x86_64,
  name: 'arm64-4k',
  hasProbe: false,
  // 1 GiB sections until ~5.12, so the 2019 series saw 1 GiB blocks on arm64.
  sectionSizeBits: (era) => (era === 'v2-2019' ? 30 : 27),
  maxPhysmemBits: 48,
  lowZones: [{ zone: 'DMA32', end: 4 * GiB }],
  defaultBlockSize: (era) => (era === 'v2-2019' ? GiB : 128 * MiB),
};

const arm64_16k: ArchProfile = {
  ...arm64_4k,
  name: 'arm64-16k',
  pageShift: 14,
  sectionSizeBits: () => 27,
  pmdSize: 32 * MiB,
  pageblockOrder: 11,
  maxPageOrder: 11,
  archSupportsMemmapOnMemory: pmdAligned(32 * MiB),
  // arm64 vmemmap_populate(): !CONFIG_ARM64_4K_PAGES → vmemmap_populate_basepages(), never PMD blocks
  vmemmapChunkOrder: 0,
  defaultBlockSize: () => 128 * MiB,
};

const arm64_64k: ArchProfile = {
  ...arm64_4k,
  name: 'arm64-64k',
  pageShift: 16,
  sectionSizeBits: () => 29,
  pmdSize: 512 * MiB,
  pageblockOrder: 13,
  maxPageOrder: 13,
  archSupportsMemmapOnMemory: pmdAligned(512 * MiB),
  // base pages only, as arm64 16K
  vmemmapChunkOrder: 0,
  defaultBlockSize: () => 512 * MiB,
};

const ppc64_radix: ArchProfile = {
  name: 'ppc64-radix',
  pageShift: 16,
  sectionSizeBits: () => 24,
  pmdSize: 2 * MiB,
  pageblockOrder: 5,
  maxPageOrder: 8,
  maxPhysmemBits: 51,
  lowZones: [],
  memmapOnMemoryEnabled: (era) => eraAtLeast(era, '6.6'),
  // radix with 64K pages: always true (arch/powerpc/include/asm/pgtable.h)
  archSupportsMemmapOnMemory: () => true,
  vmemmapBasePageFallback: false,
  vmemmapChunkOrder: 5,
  // pseries firmware LMB size, commonly 256 MiB
  defaultBlockSize: () => 256 * MiB,
  hotRemoveRefused: () => false,
  v2ClearsFlags: false,
  hasProbe: true,
};

const ppc64_hash: ArchProfile = {
  ...ppc64_radix,
  name: 'ppc64-hash',
  pmdSize: 16 * MiB,
  pageblockOrder: 8,
  memmapOnMemoryEnabled: (era) => eraAtLeast(era, '6.6'),
  archSupportsMemmapOnMemory: () => false,
  // 16 MiB vmemmap pages: the seed's order-8 allocations
  vmemmapChunkOrder: 8,
};

const s390x: ArchProfile = {
  name: 's390x',
  pageShift: 12,
  // 256 MiB sections up to ~6.12; all modelled eras precede the switch to 128 MiB.
  sectionSizeBits: () => 28,
  pmdSize: 1 * MiB,
  pageblockOrder: 8,
  maxPageOrder: 10,
  maxPhysmemBits: 46,
  lowZones: [{ zone: 'DMA', end: 2 * GiB }],
  memmapOnMemoryEnabled: (era) => eraAtLeast(era, '6.8'),
  archSupportsMemmapOnMemory: pmdAligned(1 * MiB),
  vmemmapBasePageFallback: true,
  vmemmapChunkOrder: 8,
  defaultBlockSize: () => 256 * MiB,
  hotRemoveRefused: (era) => !eraAtLeast(era, '6.8'),
  v2ClearsFlags: true,
  hasProbe: false,
};

export const PROFILES: Record<ArchName, ArchProfile> = {
  x86_64,
  'arm64-4k': arm64_4k,
  'arm64-16k': arm64_16k,
  'arm64-64k': arm64_64k,
  'ppc64-radix': ppc64_radix,
  'ppc64-hash': ppc64_hash,
  s390x,
};

export const SIZES = { KiB, MiB, GiB };
