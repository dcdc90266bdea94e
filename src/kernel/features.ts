/**
 * Which kernel has what: every module parameter, sysfs file, accepted value,
 * MHP flag, in-kernel operation and rule memhp models, tied to the mainline
 * release that introduced it and the commit subject that did (docs/eras.md
 * prints this table). The engine, scenario validation and the sysfs renderer
 * all ask here; nothing else compares era names.
 *
 * An era is a kernel release (ERA_RELEASE); a feature exists in an era when
 * the era's release is at or after `since`. Features of the unmerged 2019
 * series exist only in `v2-2019` (`series`), whose base is ~5.2.
 */
import type { Era, KernelConfig, MhpFlag, OnlineType, Params } from './types.ts';
import type { OpName } from './ops.ts';
import { ERAS } from './types.ts';

export interface EraInfo {
  /** The mainline release the era stands for (v2-2019: the base the series was posted against). */
  release: string;
  /** Set for an era that is a patch series on top of `release`. */
  series?: string;
  /** What changed in this era, in one line. */
  summary: string;
}

export const ERA_RELEASE: Record<Era, EraInfo> = {
  'v2-2019': {
    release: '5.2',
    series: '[PATCH v2 0/5] Allocate memmap from hotadded memory',
    summary: 'the seed series on ~5.2: MHP_MEMMAP_DEVICE / MHP_MEMMAP_MEMBLOCK, vmemmap_hotplug, no guard on partial removal',
  },
  '5.13': { release: '5.13', summary: 'memmap_on_memory merged: single-block MHP_MEMMAP_ON_MEMORY, -EINVAL otherwise' },
  '5.15': { release: '5.15', summary: 'memory groups and the auto-movable online policy (online_policy, auto_movable_ratio, auto_movable_numa_aware)' },
  '6.6': { release: '6.6', summary: 'MHP_MEMMAP_ON_MEMORY is a hint, memmap_on_memory=force, the altmap kept in the memory block' },
  '6.8': { release: '6.8', summary: 'memmap_on_memory for any block-aligned range: one altmap per memory block' },
};

/** Compares dotted kernel releases numerically: '5.13' > '5.2'. */
export function compareRelease(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export type FeatureKind = 'parameter' | 'sysfs file' | 'value' | 'flag' | 'operation' | 'rule';

export interface Feature {
  kind: FeatureKind;
  /** How a user meets it: the parameter, the file, `value=x`, the flag. */
  name: string;
  /** First mainline release with it; null: never merged (series only). */
  since: string | null;
  /** The series it belongs to when it never went upstream. */
  series?: 'v2-2019';
  /** Subject of the commit that introduced it (or the series patch). */
  commit: string;
  /** What memhp does with it, for docs/eras.md. */
  what: string;
  /** Set when the release is not verified against a tag (spec convention `~`). */
  approximate?: boolean;
}

const V2 = 'v2-2019' as const;

/** The table. Keys are stable ids used in code; docs/eras.md lists them in this order. */
export const FEATURES = {
  'sysfs.auto_online_blocks': {
    kind: 'sysfs file',
    name: '/sys/devices/system/memory/auto_online_blocks (and memhp_default_state=)',
    since: '4.7',
    commit: 'memory-hotplug: add automatic onlining policy for the newly added memory',
    what: 'auto-online of hot-added blocks; reads online/offline',
  },
  'value.auto_online_blocks.zones': {
    kind: 'value',
    name: 'auto_online_blocks=online_kernel|online_movable',
    since: '5.7',
    approximate: true,
    commit: 'mm/memory_hotplug: allow to specify a default online_type',
    what: 'before it the knob was the bool memhp_auto_online: only online/offline parse, -EINVAL otherwise',
  },
  'param.movable_node': {
    kind: 'parameter',
    name: 'movable_node (boot)',
    since: '3.12',
    commit: 'mem-hotplug: introduce movable_node boot option',
    what: 'contig-zones puts a fresh range in ZONE_MOVABLE',
  },
  'rule.removable.constant': {
    kind: 'rule',
    name: 'memoryN/removable reads a constant',
    since: '5.7',
    approximate: true,
    commit: 'drivers/base/memory.c: indicate all memory blocks as removable',
    what: 'reads IS_ENABLED(CONFIG_MEMORY_HOTREMOVE); before, is_mem_section_removable() of online blocks',
  },
  'operation.remove_memory': {
    kind: 'operation',
    name: 'remove_memory() returning an error (try_remove_memory)',
    since: '5.2',
    commit: 'mm/hotplug: make remove_memory() interface usable',
    what: 'returns -EBUSY for online blocks; BUG_ON(check_hotplug_memory_range()) for an unaligned range',
  },
  'rule.add.node_possible_warn': {
    kind: 'rule',
    name: 'add_memory_resource() WARNs on a node that is not possible',
    since: '5.8',
    approximate: true,
    commit: 'add_memory_resource(): if (!node_possible(nid)) WARN(1, "node %d was absent from the node_possible_map") (Vishal Verma, 2020; subject not verified)',
    what: 'WARN (TAINT_WARN) and -EINVAL; before it there was no check (memhp keeps the -EINVAL, without a WARN)',
  },
  'operation.offline_and_remove_memory': {
    kind: 'operation',
    name: 'offline_and_remove_memory()',
    since: '5.8',
    commit: 'mm/memory_hotplug: introduce offline_and_remove_memory()',
    what: 'offline every block of a range, then remove it',
  },
  'rule.offline_and_remove_memory.rollback': {
    kind: 'rule',
    name: 'offline_and_remove_memory() re-onlines on failure',
    since: '5.10',
    commit: 'mm/memory_hotplug: make offline_and_remove_memory() robust',
    what: 'blocks this call offlined are onlined again with their old zone type',
  },
  'rule.mhp_range_allowed': {
    kind: 'rule',
    name: 'mhp_range_allowed(): -E2BIG outside the mappable range',
    since: '5.11',
    commit: 'mm/memory_hotplug: prevalidate the address range being added with platform',
    what: 'size 0 or a range past MAX_PHYSMEM_BITS fails with -E2BIG (before: the iomem request fails, -EEXIST)',
  },
  'rule.x86.bare_metal_2g_blocks': {
    kind: 'rule',
    name: 'x86_64 bare metal with >= 64 GiB uses 2 GiB memory blocks',
    since: '5.8',
    approximate: true,
    commit: 'x86/mm: use max memory block size on bare metal',
    what: 'probe_memory_block_size() returns 2 GiB without X86_FEATURE_HYPERVISOR',
  },
  'param.memmap_on_memory': {
    kind: 'parameter',
    name: 'memory_hotplug.memmap_on_memory',
    since: '5.13',
    commit: 'mm,memory_hotplug: allocate memmap from the added memory range',
    what: 'bool (0444), needs CONFIG_MHP_MEMMAP_ON_MEMORY',
  },
  'flag.MHP_MEMMAP_ON_MEMORY': {
    kind: 'flag',
    name: 'MHP_MEMMAP_ON_MEMORY',
    since: '5.13',
    commit: 'mm,memory_hotplug: allocate memmap from the added memory range',
    what: '5.13-6.5: a single block only, -EINVAL when unsupported',
  },
  'param.online_policy': {
    kind: 'parameter',
    name: 'memory_hotplug.online_policy',
    since: '5.15',
    commit: 'mm/memory_hotplug: introduce "auto-movable" online policy',
    what: 'contig-zones (the old behaviour) or auto-movable',
  },
  'param.auto_movable_ratio': {
    kind: 'parameter',
    name: 'memory_hotplug.auto_movable_ratio',
    since: '5.15',
    commit: 'mm/memory_hotplug: introduce "auto-movable" online policy',
    what: 'MOVABLE:KERNEL ratio in percent, default 301',
  },
  'param.auto_movable_numa_aware': {
    kind: 'parameter',
    name: 'memory_hotplug.auto_movable_numa_aware',
    since: '5.15',
    commit: 'mm/memory_hotplug: introduce "auto-movable" online policy',
    what: 'apply the ratio per node as well, default Y',
  },
  'rule.online_pages.to_tail': {
    kind: 'rule',
    name: 'onlined pages go to the tail of the buddy free lists',
    since: '5.10',
    commit: 'mm/page_alloc: place pages to tail in __free_pages_core()',
    what: 'hot-added ZONE_NORMAL receives unmovable kernel allocations only once the node has no free boot ZONE_NORMAL; before, at once (docs/kernel-model.md §8.4)',
  },
  'rule.memory_groups': {
    kind: 'rule',
    name: 'memory groups (static: DIMM, dynamic: virtio-mem)',
    since: '5.15',
    commit: 'drivers/base/memory: introduce "memory groups" to logically group memory blocks',
    what: 'memory_group_register_static/dynamic(); mem->group',
  },
  'flag.MHP_NID_IS_MGID': {
    kind: 'flag',
    name: 'MHP_NID_IS_MGID',
    since: '5.15',
    commit: 'drivers/base/memory: introduce "memory groups" to logically group memory blocks',
    what: 'add_memory*() takes a memory group id instead of a node',
  },
  'rule.driver_managed': {
    kind: 'rule',
    name: 'add_memory_driver_managed() (IORESOURCE_SYSRAM_DRIVER_MANAGED)',
    since: '5.8',
    commit: 'mm/memory_hotplug: introduce add_memory_driver_managed()',
    what: 'driver-managed System RAM: named "System RAM (driver)", no /sys/firmware/memmap entry (docs/drivers.md)',
  },
  'rule.virtio_mem': {
    kind: 'rule',
    name: 'the virtio-mem driver',
    since: '5.8',
    commit: 'virtio-mem: Paravirtualized memory hotplug',
    what: 'virtio_mem_add / virtio_mem_resize operations (docs/drivers.md)',
  },
  'flag.MHP_MERGE_RESOURCE': {
    kind: 'flag',
    name: 'MHP_MERGE_RESOURCE',
    since: '5.10',
    commit: 'mm/memory_hotplug: MEMHP_MERGE_RESOURCE to specify merging of System RAM resources',
    what: 'virtio-mem merges adjacent System RAM (virtio_mem) resources',
  },
  'rule.dax_kmem.memmap_on_memory': {
    kind: 'rule',
    name: 'dax device memmap_on_memory attribute, used by dax/kmem',
    since: '6.8',
    commit: 'dax/kmem: allow kmem to add memory with memmap_on_memory',
    what: 'dax_kmem_add takes memmap_on_memory per device',
  },
  'value.memmap_on_memory.force': {
    kind: 'value',
    name: 'memory_hotplug.memmap_on_memory=force',
    since: '6.6',
    commit: 'mm/memory_hotplug: support memmap_on_memory when memmap is not aligned to pageblocks',
    what: 'pads the vmemmap to a pageblock, wasting pages per block; reads back "force"',
  },
  'rule.memmap_on_memory.hint': {
    kind: 'rule',
    name: 'MHP_MEMMAP_ON_MEMORY falls back to a regular memmap',
    since: '6.6',
    commit: 'mm/memory_hotplug: allow memmap on memory hotplug request to fallback',
    what: 'an unsupported request no longer fails with -EINVAL',
  },
  'rule.memmap_on_memory.block_altmap': {
    kind: 'rule',
    name: 'the altmap lives in the memory block (mem->altmap)',
    since: '6.6',
    commit: 'mm/memory_hotplug: embed vmem_altmap details in memory block',
    what: 'memory_block_memmap_on_memory_pages() per block',
  },
  'rule.memmap_on_memory.per_block': {
    kind: 'rule',
    name: 'memmap_on_memory for any block-aligned range, one altmap per block',
    since: '6.8',
    commit: 'mm/memory_hotplug: split memmap_on_memory requests across memblocks',
    what: 'per-block add and removal; a range mixing blocks with and without altmaps is refused (WARN_ON_ONCE, -EINVAL)',
  },
  'flag.MHP_MEMMAP_DEVICE': {
    kind: 'flag',
    name: 'MHP_MEMMAP_DEVICE',
    since: null,
    series: V2,
    commit: '[PATCH v2 2/5] mm,memory_hotplug: Introduce MHP_VMEMMAP_FLAGS',
    what: 'one altmap for the whole range at its start',
  },
  'flag.MHP_MEMMAP_MEMBLOCK': {
    kind: 'flag',
    name: 'MHP_MEMMAP_MEMBLOCK',
    since: null,
    series: V2,
    commit: '[PATCH v2 2/5] mm,memory_hotplug: Introduce MHP_VMEMMAP_FLAGS',
    what: 'one altmap per memory block',
  },
  'sysfs.vmemmap_hotplug': {
    kind: 'sysfs file',
    name: '/sys/devices/system/memory/vmemmap_hotplug',
    since: null,
    series: V2,
    commit: '[PATCH v2 5/5] mm,memory_hotplug: Allow userspace to enable/disable vmemmap',
    what: 'enable/disable honouring the v2 flags',
  },
  'param.v2_remove_guard': {
    kind: 'parameter',
    name: 'v2_remove_guard (memhp: check_vmemmap_granularity() as sketched in review)',
    since: null,
    series: V2,
    commit: 'review of [PATCH v2 0/5] (never posted as a patch)',
    what: 'refuse a partial removal of a DEVICE range with -EINVAL',
  },
} as const satisfies Record<string, Feature>;

export type FeatureId = keyof typeof FEATURES;

export const FEATURE_IDS = Object.keys(FEATURES) as FeatureId[];

/** The era-table rows asked about while traceFeatures() runs (null: not tracing). */
let asked: Set<FeatureId> | null = null;

/**
 * Runs `f` and returns which era-table rows it asked hasFeature() about: what a
 * decision depended on, so that comparing eras (`memhp compare`) can say which
 * row made two kernels part. Nothing here reaches the world (principle 4).
 */
export function traceFeatures<T>(f: () => T): { result: T; features: FeatureId[] } {
  const outer = asked;
  const mine = new Set<FeatureId>();
  asked = mine;
  try {
    const result = f();
    return { result, features: [...mine] };
  } finally {
    asked = outer;
    if (outer) for (const id of mine) outer.add(id);
  }
}

/** era → feature → answer: the rules ask on every operation, and release strings are split to compare them */
const featureMemo = new Map<Era, Map<FeatureId, boolean>>();

/** Does the kernel of this era have the feature? */
export function hasFeature(era: Era, id: FeatureId): boolean {
  asked?.add(id);
  let byId = featureMemo.get(era);
  if (byId === undefined) featureMemo.set(era, (byId = new Map()));
  let has = byId.get(id);
  if (has === undefined) byId.set(id, (has = featureIn(era, id)));
  return has;
}

function featureIn(era: Era, id: FeatureId): boolean {
  const f: Feature = FEATURES[id];
  const e = ERA_RELEASE[era];
  if (f.series !== undefined) return era === f.series;
  if (f.since === null) return false;
  return compareRelease(e.release, f.since) >= 0;
}

/** Where the feature comes from, for messages: `came with 5.15 ("…")` / `exists only in the v2-2019 series`. */
export function featureOrigin(id: FeatureId): string {
  const f: Feature = FEATURES[id];
  if (f.series !== undefined) return `it exists only in the ${f.series} series ("${f.commit}")`;
  return `it came with ${f.approximate ? '~' : ''}${f.since} ("${f.commit}")`;
}

/** "memory_hotplug.online_policy does not exist in kernel 5.13: it came with 5.15 ("…")". */
export function missingFeature(era: Era, id: FeatureId): string {
  return `${FEATURES[id].name} does not exist in kernel ${era}: ${featureOrigin(id)}`;
}

/** Eras that have the feature (docs and tests). */
export function erasWith(id: FeatureId): Era[] {
  return ERAS.filter((e) => hasFeature(e, id));
}

/** The feature behind each kernel parameter memhp knows. */
export const PARAM_FEATURE: Record<keyof Params, FeatureId> = {
  memmap_on_memory: 'param.memmap_on_memory',
  auto_online_blocks: 'sysfs.auto_online_blocks',
  online_policy: 'param.online_policy',
  auto_movable_ratio: 'param.auto_movable_ratio',
  auto_movable_numa_aware: 'param.auto_movable_numa_aware',
  movable_node: 'param.movable_node',
  v2_remove_guard: 'param.v2_remove_guard',
  vmemmap_hotplug: 'sysfs.vmemmap_hotplug',
};

/** The feature behind each MHP flag memhp knows. */
export const FLAG_FEATURE: Record<MhpFlag, FeatureId> = {
  MHP_MEMMAP_DEVICE: 'flag.MHP_MEMMAP_DEVICE',
  MHP_MEMMAP_MEMBLOCK: 'flag.MHP_MEMMAP_MEMBLOCK',
  MHP_MEMMAP_ON_MEMORY: 'flag.MHP_MEMMAP_ON_MEMORY',
};

/** In-kernel operations that exist only from some release on (the others exist in every era). */
export const OP_FEATURE: Partial<Record<OpName, FeatureId>> = {
  remove_memory: 'operation.remove_memory',
  offline_and_remove_memory: 'operation.offline_and_remove_memory',
};

/** The kernel's own defaults of its parameters (auto_online_blocks: see defaultOnlineType). */
export const PARAM_DEFAULTS: Readonly<Params> = Object.freeze({
  memmap_on_memory: 'off',
  auto_online_blocks: 'offline',
  online_policy: 'contig-zones',
  auto_movable_ratio: 301,
  auto_movable_numa_aware: true,
  movable_node: false,
  v2_remove_guard: false,
  vmemmap_hotplug: true,
});

/** memhp_default_state at build time: CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE → online. */
export function defaultOnlineType(config: Pick<KernelConfig, 'MEMORY_HOTPLUG_DEFAULT_ONLINE'>): OnlineType {
  return config.MEMORY_HOTPLUG_DEFAULT_ONLINE ? 'online' : 'offline';
}

/** The value a parameter has in a kernel that never set it. */
export function paramDefault<K extends keyof Params>(key: K, config: Pick<KernelConfig, 'MEMORY_HOTPLUG_DEFAULT_ONLINE'>): Params[K] {
  return (key === 'auto_online_blocks' ? defaultOnlineType(config) : PARAM_DEFAULTS[key]) as Params[K];
}

/**
 * Why `key=value` cannot be given to this kernel at boot, or null. A
 * parameter the era lacks may still be written with the value the kernel
 * behaves as having (its default): that changes nothing. Any other value
 * would be ignored by the kernel ("Unknown kernel command line parameters",
 * or "'force' invalid for parameter") — memhp refuses it instead of letting
 * a scenario claim behaviour its kernel does not have.
 */
export function paramProblem<K extends keyof Params>(era: Era, config: KernelConfig, key: K, value: Params[K]): string | null {
  const id = PARAM_FEATURE[key];
  const same = value === paramDefault(key, config);
  if (!hasFeature(era, id)) return same ? null : `${missingFeature(era, id)}; that kernel would ignore it`;
  if (key === 'memmap_on_memory') {
    if (!config.MHP_MEMMAP_ON_MEMORY && !same)
      return `memory_hotplug.memmap_on_memory exists only with CONFIG_MHP_MEMMAP_ON_MEMORY, which this kernel does not have (see machine.config)`;
    if (value === 'force' && !hasFeature(era, 'value.memmap_on_memory.force'))
      return `"force" is not a bool to memory_hotplug.memmap_on_memory in kernel ${era}: ${featureOrigin('value.memmap_on_memory.force')}`;
  }
  if (key === 'auto_online_blocks' && (value === 'online_kernel' || value === 'online_movable') && !hasFeature(era, 'value.auto_online_blocks.zones'))
    return `kernel ${era} takes only online or offline here: ${featureOrigin('value.auto_online_blocks.zones')}`;
  return null;
}

/** The parameters a kernel actually runs with: anything it would not accept stays at its default. */
export function effectiveParams(era: Era, config: KernelConfig, params: Params): Params {
  const out = { ...params } as Record<keyof Params, Params[keyof Params]>;
  for (const key of Object.keys(PARAM_FEATURE) as (keyof Params)[])
    if (paramProblem(era, config, key, params[key]) !== null) out[key] = paramDefault(key, config);
  return out as Params;
}

/** Why this flag cannot be passed to add_memory() in this era (it does not exist there), or null. */
export function flagProblem(era: Era, flag: MhpFlag): string | null {
  const id = FLAG_FEATURE[flag];
  return hasFeature(era, id) ? null : missingFeature(era, id);
}

/** Why this in-kernel operation cannot be called in this era and build, or null. */
export function opProblem(era: Era, config: KernelConfig, op: OpName): string | null {
  const id = OP_FEATURE[op];
  if (id !== undefined && !hasFeature(era, id)) return missingFeature(era, id);
  // offline_and_remove_memory() has no stub: it is declared only with CONFIG_MEMORY_HOTREMOVE
  if (op === 'offline_and_remove_memory' && !config.MEMORY_HOTREMOVE) return 'offline_and_remove_memory() is built only with CONFIG_MEMORY_HOTREMOVE (see machine.config)';
  return null;
}
