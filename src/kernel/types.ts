/**
 * Vocabulary shared by the whole simulator: architecture and era names, zones,
 * online types, MHP flags, kernel parameters and the normalised system a scenario
 * or log describes (sizes already in bytes). The operations are in ops.ts.
 */
import type { AgentSpec } from './agents.ts';

export const ARCH_NAMES = ['x86_64', 'arm64-4k', 'arm64-16k', 'arm64-64k', 'ppc64-radix', 'ppc64-hash', 's390x'] as const;
export type ArchName = (typeof ARCH_NAMES)[number];

/**
 * Kernel eras, oldest first: releases where behaviour a user hits changed
 * (docs/kernel-model.md §6.2; docs/eras.md). To add one, append it here in release order and
 * give it its release in ERA_RELEASE (src/kernel/features.ts); every feature
 * then follows from its `since` release.
 */
export const ERAS = ['v2-2019', '5.13', '5.15', '6.6', '6.8'] as const;
export type Era = (typeof ERAS)[number];

export const ZONE_NAMES = ['DMA', 'DMA32', 'Normal', 'Movable'] as const;
export type ZoneName = (typeof ZONE_NAMES)[number];

/** Strings accepted by memoryN/state and auto_online_blocks (MMOP_*). */
export const ONLINE_TYPES = ['offline', 'online', 'online_kernel', 'online_movable'] as const;
export type OnlineType = (typeof ONLINE_TYPES)[number];

export const MHP_FLAGS = ['MHP_MEMMAP_DEVICE', 'MHP_MEMMAP_MEMBLOCK', 'MHP_MEMMAP_ON_MEMORY'] as const;
export type MhpFlag = (typeof MHP_FLAGS)[number];

export type MemmapOnMemoryParam = 'off' | 'on' | 'force';
export type OnlinePolicy = 'contig-zones' | 'auto-movable';
export type Sparsemem = 'vmemmap' | 'classic';

/** Kernel parameters and sysfs knobs (docs/kernel-model.md §4.3, §5.5, §6.2, §7.1). */
export interface Params {
  memmap_on_memory: MemmapOnMemoryParam;
  auto_online_blocks: OnlineType;
  online_policy: OnlinePolicy;
  auto_movable_ratio: number;
  auto_movable_numa_aware: boolean;
  movable_node: boolean;
  /** The refusal sketched in the v2 review (check_vmemmap_granularity). */
  v2_remove_guard: boolean;
  /** v2 patch 5/5: /sys/devices/system/memory/vmemmap_hotplug. */
  vmemmap_hotplug: boolean;
}

/** Parameters a running system may change with the `set` operation. */
export const RUNTIME_PARAMS = ['auto_online_blocks', 'online_policy', 'auto_movable_ratio', 'auto_movable_numa_aware', 'vmemmap_hotplug', 'v2_remove_guard'] as const;
export type RuntimeParam = (typeof RUNTIME_PARAMS)[number];
/** Parameters only the kernel command line sets: a `set` of one is refused with a hint. */
export const BOOT_PARAMS = ['memmap_on_memory', 'movable_node'] as const;
/** Every parameter is a runtime or a boot one: this fails to compile when a new one is neither. */
export type EveryParamNamed<T extends never = Exclude<keyof Params, RuntimeParam | (typeof BOOT_PARAMS)[number]>> = T;

/**
 * The kernel build options that change what memory hotplug does. Which of
 * them an arch and era can set, and their defaults, are src/kernel/config.ts.
 */
export const CONFIG_OPTIONS = ['ARCH_MEMORY_PROBE', 'MEMORY_HOTREMOVE', 'MHP_MEMMAP_ON_MEMORY', 'MEMORY_HOTPLUG_DEFAULT_ONLINE', 'SPARSEMEM_VMEMMAP'] as const;
export type ConfigOption = (typeof CONFIG_OPTIONS)[number];
export type KernelConfig = Record<ConfigOption, boolean>;

export interface MachineSpec {
  /** x86_64 block-size probing: a VM uses the alignment loop, bare metal 2 GiB for large machines. */
  hypervisor: boolean;
  /** Overrides the probed/arch default block size (bytes). */
  memoryBlockSize?: number;
  sparsemem: Sparsemem;
  /** node_possible(): nodes 0..possibleNodes-1 may be onlined by hot-add. */
  possibleNodes?: number;
  /**
   * Kernel build options (src/kernel/config.ts); an option left out has the
   * distribution default of the arch and era. SPARSEMEM_VMEMMAP mirrors `sparsemem`.
   */
  config?: Partial<KernelConfig>;
}

/**
 * One range of a node's boot memory at a given physical address (an e820 / memblock range):
 * whole memory blocks, online at boot in `zone` (absent: the zones by address, as the arch lays
 * them out) or present but left offline (`online: false`: s390 standby memory, memory firmware
 * hands over that nobody onlined). src/kernel/boot-layout.ts.
 */
export interface BootRange {
  start: number;
  size: number;
  zone?: ZoneName;
  online: boolean;
}

export interface BootNode {
  node: number;
  /** Bytes of boot memory on this node: laid out from address 0 in node order, or the sum of `ranges`. */
  size: number;
  /** Where the node's boot memory is, when not right after the previous node's (src/kernel/boot-layout.ts). */
  ranges?: BootRange[];
  /** Bytes already allocated by the kernel on this node (unmovable). */
  used: number;
  /** Largest free buddy order left on this node (fragmentation). */
  maxFreeOrder: number;
}

/**
 * A machine, its kernel and its parameters, with every default filled in and every size in
 * bytes: what a log header records. A scenario is this plus its operations (src/kernel/ops.ts).
 */
export interface SystemSpec {
  name: string;
  description?: string;
  kernel: Era;
  arch: ArchName;
  machine: MachineSpec;
  boot: BootNode[];
  params: Params;
  /** user-space onlining agents installed (docs/drivers.md "Onlining agents"); absent: none */
  agents?: AgentSpec[];
}
