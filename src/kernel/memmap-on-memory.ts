/**
 * Where a hot-add places its memmap, per era (docs/kernel-model.md §6.2, §6.3, §7.1).
 * Pure: given the system, the request and its size, say which layout the
 * kernel of that era would use, which WARNs it prints, or which errno it returns.
 */
import { ERRNO } from './errno.ts';
import { configOf } from './config.ts';
import { hasFeature } from './features.ts';
import { STRUCT_PAGE_SIZE, type Geometry } from './geometry.ts';
import type { MhpFlag, Params, SystemSpec } from './types.ts';

/** Where a section's struct pages live (a section's `memmap`). */
export type MemmapPlacement =
  | { kind: 'boot'; node: number }
  /** Regular hot-add allocation from a node's kernel memory (docs/kernel-model.md §6.1). */
  | { kind: 'node'; node: number; pages: number; basePages: boolean }
  /** Carved out of hot-added memory: the vmemmap head (first pfn) serving this section. */
  | { kind: 'altmap'; headPfn: number; pages: number };

export type MemmapLayout =
  /** struct pages allocated from a node's kernel memory (§6.1) */
  | { kind: 'regular' }
  /** v2 MHP_MEMMAP_DEVICE: one altmap for the whole range, vmemmap at its start */
  | { kind: 'device'; vmemmapPages: number }
  /** v2 MHP_MEMMAP_MEMBLOCK and upstream memmap_on_memory: one altmap per block */
  | { kind: 'per-block'; vmemmapPagesPerBlock: number; wastedPagesPerBlock: number; source: 'MHP_MEMMAP_MEMBLOCK' | 'MHP_MEMMAP_ON_MEMORY' };

export interface LayoutDecision {
  layout: MemmapLayout;
  /** pr_* lines and memhp's own notes: no taint */
  warnings: string[];
  /** WARN()s the kernel prints on this path (site: the function): they set TAINT_WARN */
  kernelWarnings?: { site: string; message: string }[];
  /** set when the era refuses the request (5.13–6.5: unsupported MHP_MEMMAP_ON_MEMORY → -EINVAL) */
  errno?: number;
  reason?: string;
}

/** memory_block_memmap_on_memory_pages() (~6.6+): PFN_UP(memmap size), pageblock-aligned in force mode. */
export function memoryBlockMemmapOnMemoryPages(g: Geometry, params: Params): number {
  const pages = Math.ceil((g.pagesPerBlock * STRUCT_PAGE_SIZE) / g.pageSize);
  return params.memmap_on_memory === 'force' ? Math.ceil(pages / g.pageblockNrPages) * g.pageblockNrPages : pages;
}

/** Pages force mode wastes per block ("Memory hotplug will waste %ld pages in each memory block"). */
export function forceWastedPages(g: Geometry, params: Params): number {
  return memoryBlockMemmapOnMemoryPages(g, params) - Math.ceil((g.pagesPerBlock * STRUCT_PAGE_SIZE) / g.pageSize);
}

/** Without CONFIG_MHP_MEMMAP_ON_MEMORY (def_bool y on SPARSEMEM_VMEMMAP && ARCH_MHP_MEMMAP_ON_MEMORY_ENABLE) there is no support at all. */
function notBuilt(spec: SystemSpec): string | null {
  if (configOf(spec).MHP_MEMMAP_ON_MEMORY) return null;
  if (spec.machine.sparsemem !== 'vmemmap') return 'needs CONFIG_SPARSEMEM_VMEMMAP';
  return `${spec.arch} does not enable memmap_on_memory in ${spec.kernel} (no CONFIG_MHP_MEMMAP_ON_MEMORY)`;
}

/** mhp_supports_memmap_on_memory() of ~6.8 (no size argument), also used by 6.6 after its size check. */
export function supportsMemmapOnMemory68(spec: SystemSpec, g: Geometry, params: Params): { ok: boolean; why?: string } {
  const unbuilt = notBuilt(spec);
  if (unbuilt) return { ok: false, why: unbuilt };
  if (params.memmap_on_memory === 'off') return { ok: false, why: 'memory_hotplug.memmap_on_memory is disabled' };
  const vmemmapSize = g.pagesPerBlock * STRUCT_PAGE_SIZE;
  if (vmemmapSize % g.pageSize !== 0) return { ok: false, why: 'memmap size is not PAGE_SIZE-aligned' };
  const pages = memoryBlockMemmapOnMemoryPages(g, params);
  if (pages % g.pageblockNrPages !== 0) return { ok: false, why: `${pages} memmap pages are not pageblock-aligned (${g.pageblockNrPages})` };
  if (pages === g.pagesPerBlock) return { ok: false, why: 'no effective hotplugged memory' };
  if (!g.profile.archSupportsMemmapOnMemory(vmemmapSize)) return { ok: false, why: `arch_supports_memmap_on_memory(${vmemmapSize}) is false` };
  return { ok: true };
}

/** mhp_supports_memmap_on_memory(size) of 5.13–6.5. */
export function supportsMemmapOnMemory513(spec: SystemSpec, g: Geometry, params: Params, size: number): { ok: boolean; why?: string } {
  const unbuilt = notBuilt(spec);
  if (unbuilt) return { ok: false, why: unbuilt };
  if (params.memmap_on_memory === 'off') return { ok: false, why: 'memory_hotplug.memmap_on_memory is disabled' };
  // a bool until 6.6: "force" does not parse, the parameter keeps its default (off)
  if (params.memmap_on_memory === 'force' && !hasFeature(spec.kernel, 'value.memmap_on_memory.force'))
    return { ok: false, why: `memmap_on_memory=force is not a bool before 6.6 (the parameter stays off)` };
  if (size !== g.blockSize) return { ok: false, why: `size ${size} is not exactly one memory block (${g.blockSize})` };
  const vmemmapSize = (size / g.pageSize) * STRUCT_PAGE_SIZE;
  if (vmemmapSize % g.pmdSize !== 0) return { ok: false, why: `vmemmap size ${vmemmapSize} is not PMD_SIZE-aligned` };
  if ((size - vmemmapSize) % (g.pageblockNrPages * g.pageSize) !== 0) return { ok: false, why: 'remaining memory is not pageblock-aligned' };
  return { ok: true };
}

export function decideMemmapLayout(spec: SystemSpec, g: Geometry, params: Params, size: number, flags: readonly MhpFlag[]): LayoutDecision {
  const warnings: string[] = [];
  const regular: MemmapLayout = { kind: 'regular' };
  if (hasFeature(spec.kernel, 'flag.MHP_MEMMAP_DEVICE')) {
    // scenario validation refuses flags the era lacks; a library caller gets them ignored, with a warning
    if (flags.includes('MHP_MEMMAP_ON_MEMORY')) warnings.push('MHP_MEMMAP_ON_MEMORY does not exist in v2-2019; flag ignored');
    const device = flags.includes('MHP_MEMMAP_DEVICE');
    const memblock = flags.includes('MHP_MEMMAP_MEMBLOCK');
    if (!device && !memblock) return { layout: regular, warnings };
    // mhp_check_correct_flags(): WARN()s, then the add goes on with a regular memmap
    const site = 'mhp_check_correct_flags';
    if (spec.machine.sparsemem !== 'vmemmap')
      return { layout: regular, warnings, kernelWarnings: [{ site, message: 'Vmemmap capability can only be used on CONFIG_SPARSEMEM_VMEMMAP. Ignoring flags.' }] };
    if (device && memblock)
      return { layout: regular, warnings, kernelWarnings: [{ site, message: 'Both MHP_MEMMAP_DEVICE and MHP_MEMMAP_MEMBLOCK were passed. Ignoring flags.' }] };
    // patch 5/5: flags are honoured only while vmemmap_hotplug is enabled (silently ignored otherwise)
    if (!params.vmemmap_hotplug) return { layout: regular, warnings };
    if (g.profile.v2ClearsFlags) {
      warnings.push('s390: arch_add_memory() clears the vmemmap flags (memory is accessible only once online)');
      return { layout: regular, warnings };
    }
    if (device) return { layout: { kind: 'device', vmemmapPages: Math.ceil(((size / g.pageSize) * STRUCT_PAGE_SIZE) / g.pageSize) }, warnings };
    return {
      layout: { kind: 'per-block', vmemmapPagesPerBlock: Math.ceil((g.pagesPerBlock * STRUCT_PAGE_SIZE) / g.pageSize), wastedPagesPerBlock: 0, source: 'MHP_MEMMAP_MEMBLOCK' },
      warnings,
    };
  }
  for (const f of ['MHP_MEMMAP_DEVICE', 'MHP_MEMMAP_MEMBLOCK'] as const)
    if (flags.includes(f)) warnings.push(`${f} never went upstream; flag ignored in ${spec.kernel}`);
  if (!flags.includes('MHP_MEMMAP_ON_MEMORY')) return { layout: regular, warnings };
  if (!hasFeature(spec.kernel, 'rule.memmap_on_memory.hint')) {
    const s = supportsMemmapOnMemory513(spec, g, params, size);
    if (!s.ok) return { layout: regular, warnings, errno: -ERRNO.EINVAL, reason: `MHP_MEMMAP_ON_MEMORY unsupported: ${s.why}` };
    const pages = (size / g.pageSize) * STRUCT_PAGE_SIZE / g.pageSize;
    return { layout: { kind: 'per-block', vmemmapPagesPerBlock: pages, wastedPagesPerBlock: 0, source: 'MHP_MEMMAP_ON_MEMORY' }, warnings };
  }
  // 6.6+: the flag is a hint; unsupported → silent regular memmap
  if (!hasFeature(spec.kernel, 'rule.memmap_on_memory.per_block') && size !== g.blockSize) return { layout: regular, warnings };
  const s = supportsMemmapOnMemory68(spec, g, params);
  if (!s.ok) return { layout: regular, warnings };
  return {
    layout: {
      kind: 'per-block',
      vmemmapPagesPerBlock: memoryBlockMemmapOnMemoryPages(g, params),
      wastedPagesPerBlock: forceWastedPages(g, params),
      source: 'MHP_MEMMAP_ON_MEMORY',
    },
    warnings,
  };
}
