/**
 * Page, pfn, section and block arithmetic with the kernel's names (docs/kernel-model.md §1, §2).
 * Everything here is a pure function of the system description.
 */
import { bootMemoryEnd } from './boot-layout.ts';
import { hasFeature } from './features.ts';
import { PROFILES, SIZES, type ArchProfile } from './profiles.ts';
import { blockSizeProblems, bootProblems } from './limits.ts';
import type { SystemSpec } from './types.ts';

/** sizeof(struct page) in every modelled configuration. */
export const STRUCT_PAGE_SIZE = 64;
/** SUBSECTION_SHIFT: 2 MiB on every arch. */
export const SUBSECTION_SHIFT = 21;

export interface Geometry {
  profile: ArchProfile;
  pageShift: number;
  pageSize: number;
  sectionSizeBits: number;
  sectionSize: number;
  /** PAGES_PER_SECTION */
  pagesPerSection: number;
  subsectionsPerSection: number;
  pagesPerSubsection: number;
  blockSize: number;
  sectionsPerBlock: number;
  pagesPerBlock: number;
  pageblockNrPages: number;
  pmdSize: number;
  /** DIV_ROUND_UP(PAGES_PER_SECTION * sizeof(struct page), PAGE_SIZE) */
  memmapPagesPerSection: number;
  /** end of the direct-map / physmem range (mhp_range_allowed) */
  maxPhysAddr: number;
}

/** A machine the simulator cannot lay out; `path` is where in the SystemSpec (e.g. ['boot', 1, 'size']). */
export class GeometryError extends Error {
  constructor(
    message: string,
    readonly path: readonly (string | number)[] = [],
  ) {
    super(message);
    this.name = 'GeometryError';
  }
}

/**
 * x86 probe_memory_block_size() (arch/x86/mm/init_64.c), docs/kernel-model.md §2.1.
 * v2-2019 sits in the 4.x–~5.7 rule (no bare-metal 2 GiB rule); later eras in ~5.8–~6.12.
 */
export function probeX86BlockSize(bootMemEnd: number, hypervisor: boolean, era: SystemSpec['kernel']): number {
  const MAX_BLOCK_SIZE = 2 * SIZES.GiB;
  const MIN = 128 * SIZES.MiB;
  if (bootMemEnd < 64 * SIZES.GiB) return MIN;
  if (hasFeature(era, 'rule.x86.bare_metal_2g_blocks') && !hypervisor) return MAX_BLOCK_SIZE;
  let bz = MAX_BLOCK_SIZE;
  for (; bz > MIN; bz /= 2) if (bootMemEnd % bz === 0) break;
  return bz;
}

export function bootMemEnd(spec: SystemSpec): number {
  return bootMemoryEnd(spec);
}

/** memory_block_size_bytes(): the scenario's, or probed as the arch does (not checked: geometryOf() checks). */
export function blockSizeOf(spec: SystemSpec): number {
  const profile = PROFILES[spec.arch];
  const sectionSize = 2 ** profile.sectionSizeBits(spec.kernel);
  const probed =
    spec.arch === 'x86_64' ? probeX86BlockSize(bootMemEnd(spec), spec.machine.hypervisor, spec.kernel) : profile.defaultBlockSize(spec.kernel);
  return spec.machine.memoryBlockSize ?? Math.max(probed, sectionSize);
}

/**
 * The geometry of a machine, after checking that the arch can have it at all (kernel/limits.ts):
 * nothing is laid out for a machine that is not possible.
 */
export function geometryOf(spec: SystemSpec): Geometry {
  const profile = PROFILES[spec.arch];
  if (!profile) throw new GeometryError(`"${String(spec.arch)}" is not an architecture`, ['arch']);
  const pageShift = profile.pageShift;
  const pageSize = 2 ** pageShift;
  const sectionSizeBits = profile.sectionSizeBits(spec.kernel);
  const sectionSize = 2 ** sectionSizeBits;
  const pagesPerSection = sectionSize / pageSize;
  const blockSize = blockSizeOf(spec);
  const problem = blockSizeProblems(profile, sectionSize, blockSize)[0] ?? bootProblems(spec, profile, blockSize)[0];
  if (problem) throw new GeometryError(problem.message, problem.path);
  const pagesPerSubsection = 2 ** (SUBSECTION_SHIFT - pageShift);
  return {
    profile,
    pageShift,
    pageSize,
    sectionSizeBits,
    sectionSize,
    pagesPerSection,
    subsectionsPerSection: 2 ** (sectionSizeBits - SUBSECTION_SHIFT),
    pagesPerSubsection,
    blockSize,
    sectionsPerBlock: blockSize / sectionSize,
    pagesPerBlock: blockSize / pageSize,
    pageblockNrPages: 2 ** profile.pageblockOrder,
    pmdSize: profile.pmdSize,
    memmapPagesPerSection: Math.ceil((pagesPerSection * STRUCT_PAGE_SIZE) / pageSize),
    maxPhysAddr: 2 ** profile.maxPhysmemBits,
  };
}

// ---- conversions (kernel names) ----
export const pfn = (g: Geometry, addr: number) => Math.floor(addr / g.pageSize);
export const pfnToAddr = (g: Geometry, p: number) => p * g.pageSize;
export const sectionNr = (g: Geometry, p: number) => Math.floor(p / g.pagesPerSection);
export const sectionNrToPfn = (g: Geometry, nr: number) => nr * g.pagesPerSection;
/** phys_index: memory block id containing this section. */
export const phys_index = (g: Geometry, sectionNr_: number) => Math.floor(sectionNr_ / g.sectionsPerBlock);
export const blockIdOfAddr = (g: Geometry, addr: number) => Math.floor(addr / g.blockSize);
export const blockStartPfn = (g: Geometry, id: number) => id * g.pagesPerBlock;
export const blockFirstSection = (g: Geometry, id: number) => id * g.sectionsPerBlock;

/** nr_vmemmap_pages for a range of nrPages: the struct pages that describe it, in pages. */
export function nr_vmemmap_pages(g: Geometry, nrPages: number): number {
  return Math.ceil((nrPages * STRUCT_PAGE_SIZE) / g.pageSize);
}

/** check_hotplug_memory_range(): size non-zero, start and size block-aligned. */
export function isBlockAlignedRange(g: Geometry, start: number, size: number): boolean {
  return size > 0 && start % g.blockSize === 0 && size % g.blockSize === 0;
}

export const orderOfPages = (pages: number) => Math.ceil(Math.log2(Math.max(1, pages)));
