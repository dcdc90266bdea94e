/**
 * How the kernel prints the attributes of /sys/devices/system/memory,
 * /sys/devices/system/node and /sys/module/memory_hotplug/parameters
 * (docs/kernel-model.md §4.3, §4.5, §7.1). Pure functions: one attribute, one string.
 */
import type { BlockView } from '../engine/view.ts';
import { hasFeature, PARAM_FEATURE } from '../kernel/features.ts';
import type { Era, KernelConfig, MemmapOnMemoryParam, OnlineType } from '../kernel/types.ts';

/** block_size_bytes: `%lx\n`, hex without a 0x prefix. */
export function formatBlockSizeBytes(bytes: number): string {
  return `${bytes.toString(16)}\n`;
}

/** memoryN/phys_index: the block id as `%08lx\n`. */
export function formatPhysIndex(blockId: number): string {
  return `${blockId.toString(16).padStart(8, '0')}\n`;
}

/** memoryN/state: the stored MEM_* state by name. */
export function formatState(state: BlockView['state']): string {
  return `${state}\n`;
}

/**
 * memoryN/online: the generic device attribute `!dev->offline`. A block
 * that is going offline has not finished device_offline(), so it still
 * reads 1.
 */
export function formatOnline(state: BlockView['state']): string {
  return state === 'offline' ? '0\n' : '1\n';
}

/** memoryN/valid_zones: the view carries the text without its newline. */
export function formatValidZones(validZones: string): string {
  return `${validZones}\n`;
}

/**
 * memoryN/removable as a number. Since ~5.9 it is a constant 1 (kept for
 * old user space). Before, it was is_mem_section_removable() over the
 * block's sections: offline blocks read 1, online blocks read 0 when an
 * unmovable page sits in them — the simulator knows that only as `pinned`.
 */
export function removableOf(era: Era, block: BlockView, hotremove = true): 0 | 1 {
  // since ~5.7: IS_ENABLED(CONFIG_MEMORY_HOTREMOVE)
  if (hasFeature(era, 'rule.removable.constant')) return hotremove ? 1 : 0;
  if (block.state !== 'online') return 1;
  // before: is_mem_section_removable(), whose !CONFIG_MEMORY_HOTREMOVE stub says false
  if (!hotremove) return 0;
  return block.pinned ? 0 : 1;
}

export function formatRemovable(era: Era, block: BlockView, hotremove = true): string {
  return `${removableOf(era, block, hotremove)}\n`;
}

/** memoryN/phys_device: s390 storage increment, 0 everywhere else. */
export function formatPhysDevice(): string {
  return '0\n';
}

/**
 * auto_online_blocks: before ~5.8 the knob was the bool memhp_auto_online
 * and printed only `online`/`offline`.
 */
export function formatAutoOnlineBlocks(era: Era, value: OnlineType): string {
  if (!hasFeature(era, 'value.auto_online_blocks.zones')) return value === 'offline' ? 'offline\n' : 'online\n';
  return `${value}\n`;
}

/** v2 patch 5/5: /sys/devices/system/memory/vmemmap_hotplug. */
export function formatVmemmapHotplug(enabled: boolean): string {
  return enabled ? 'enabled\n' : 'disabled\n';
}

/**
 * memory_hotplug.memmap_on_memory: a bool param (`Y`/`N`) until 6.5; ~6.6
 * made it a mode that reads back `force`, `Y` or `N`.
 */
export function formatMemmapOnMemory(era: Era, value: MemmapOnMemoryParam): string {
  if (value === 'off') return 'N\n';
  if (value === 'force' && hasFeature(era, 'value.memmap_on_memory.force')) return 'force\n';
  return 'Y\n';
}

/** A kernel bool module parameter (param_get_bool). */
export function formatBoolParam(value: boolean): string {
  return value ? 'Y\n' : 'N\n';
}

/**
 * A nodemask as `%*pbl`: ascending ids, runs of two or more collapsed to
 * `a-b`, joined with commas; an empty mask prints an empty line.
 */
export function formatNodeList(ids: Iterable<number>): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `${parts.join(',')}\n`;
}

/** Parse `%*pbl` back into ids; throws on anything else. */
export function parseNodeList(text: string): number[] {
  const body = text.trim();
  if (body === '') return [];
  const ids: number[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`not a kernel list: ${JSON.stringify(text)}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new Error(`descending range ${part} in ${JSON.stringify(text)}`);
    for (let n = lo; n <= hi; n++) ids.push(n);
  }
  return ids;
}

/**
 * The files of /sys/module/memory_hotplug/parameters in this kernel: each
 * parameter from its release (src/kernel/features.ts); memmap_on_memory only
 * with CONFIG_MHP_MEMMAP_ON_MEMORY. Empty: the directory does not exist.
 */
export function moduleParams(era: Era, config: Pick<KernelConfig, 'MHP_MEMMAP_ON_MEMORY'>): ('memmap_on_memory' | 'online_policy' | 'auto_movable_ratio' | 'auto_movable_numa_aware')[] {
  const out: ReturnType<typeof moduleParams> = [];
  if (config.MHP_MEMMAP_ON_MEMORY && hasFeature(era, PARAM_FEATURE.memmap_on_memory)) out.push('memmap_on_memory');
  for (const p of ['online_policy', 'auto_movable_ratio', 'auto_movable_numa_aware'] as const) if (hasFeature(era, PARAM_FEATURE[p])) out.push(p);
  return out;
}
