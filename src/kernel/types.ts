/**
 * Vocabulary shared by the whole simulator: architecture and era names, the
 * normalised scenario (sizes already in bytes) and the operations a scenario
 * or a live user can ask the simulated kernel to perform.
 */

import type { KernelConfig } from './config.ts';

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

export interface BootNode {
  node: number;
  /** Bytes of boot memory on this node, laid out from address 0 in node order. */
  size: number;
  /** Bytes already allocated by the kernel on this node (unmovable). */
  used: number;
  /** Largest free buddy order left on this node (fragmentation). */
  maxFreeOrder: number;
}

export type Op =
  /** boot: lays out boot memory; recorded first in every log, never written in a scenario */
  | { op: 'boot' }
  | { op: 'add_memory'; node: number; start: number; size: number; flags: MhpFlag[] }
  | { op: 'probe'; addr: number }
  /** memoryN/state: the string written; the kernel's sysfs_streq() decides at run time (an unknown type is -EINVAL). */
  | { op: 'state'; block: number; value: OnlineType | (string & {}) }
  /** memoryN/online: true/false, or the string written (kstrtobool() at run time). */
  | { op: 'online'; block: number; value: boolean | string }
  | { op: 'remove_memory'; start: number; size: number }
  | { op: 'offline_and_remove_memory'; start: number; size: number }
  | { op: 'set'; param: RuntimeParam; value: string | number | boolean }
  | { op: 'inject'; action: 'MEM_GOING_ONLINE' | 'MEM_GOING_OFFLINE'; error: number }
  | { op: 'pin'; block: number }
  | { op: 'unpin'; block: number }
  | { op: 'signal' }
  | { op: 'touch'; block: number }
  /**
   * A raw write(2) to a sysfs (or debugfs) file, as a tool did it: `path` below /sys
   * (`devices/system/memory/memory64/state`), `value` the bytes written. The kernel's
   * store function for that file parses it (src/engine/ops/store.ts).
   */
  | { op: 'write'; path: string; value: string }
  // drivers (docs/drivers.md): the ways memory arrives on real machines
  /** an ACPI memory device (PNP0C80, a DIMM) appears: acpi_memory_device_add() */
  | { op: 'acpi_dimm_add'; device: string; node: number; start: number; size: number }
  /** the ACPI eject of that device: offline its blocks, __remove_memory(), unregister its group */
  | { op: 'acpi_dimm_eject'; device: string }
  /** a virtio-mem device is probed (region [start, start+size), device block size, initial requested_size) */
  | { op: 'virtio_mem_add'; device: string; node: number; start: number; size: number; blockSize?: number; requested: number }
  /** the hypervisor changes the device's requested_size: the driver plugs or unplugs until plugged == requested */
  | { op: 'virtio_mem_resize'; device: string; requested: number }
  /** a dax device (CXL, pmem as RAM) is bound to dax/kmem: dev_dax_kmem_probe() */
  | { op: 'dax_kmem_add'; device: string; node: number; start: number; size: number; memmap_on_memory?: boolean }
  /** the dax device is unbound from kmem: dev_dax_kmem_remove() */
  | { op: 'dax_kmem_remove'; device: string };

export type OpName = Op['op'];

/** A scenario with every default filled in and every size in bytes. */
export interface Scenario {
  name: string;
  description?: string;
  kernel: Era;
  arch: ArchName;
  machine: MachineSpec;
  boot: BootNode[];
  params: Params;
  ops: Op[];
}

/** The scenario minus its operations: what a log header records. */
export type SystemSpec = Omit<Scenario, 'ops'>;
