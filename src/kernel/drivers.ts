/**
 * Which hot-add drivers and core features an era has, and the names the
 * kernel gives their resources (docs/drivers.md). Pure: the rules that use
 * them live in src/engine/ops/drivers.
 */
import { hasFeature } from './features.ts';
import type { Era } from './types.ts';

/**
 * Memory groups (struct memory_group, memory_group_register_static/dynamic(),
 * MHP_NID_IS_MGID) came with 5.15 ("drivers/base/memory: introduce "memory
 * groups" to logically group memory blocks"), together with the auto-movable
 * online policy.
 */
export function hasMemoryGroups(era: Era): boolean {
  return hasFeature(era, 'rule.memory_groups');
}

/**
 * add_memory_driver_managed() and IORESOURCE_SYSRAM_DRIVER_MANAGED came with
 * 5.8 ("mm/memory_hotplug: introduce add_memory_driver_managed()"); before
 * it dax/kmem called add_memory() and its memory showed in /sys/firmware/memmap.
 */
export function hasDriverManaged(era: Era): boolean {
  return hasFeature(era, 'rule.driver_managed');
}

/** drivers/virtio/virtio_mem.c was merged in 5.8 ("virtio-mem: Paravirtualized memory hotplug"). */
export function hasVirtioMem(era: Era): boolean {
  return hasFeature(era, 'rule.virtio_mem');
}

/**
 * The per-device memmap_on_memory attribute of a dax device and its use by
 * dax/kmem came with 6.8 ("dax: add a sysfs knob to control memmap_on_memory
 * behavior", "dax/kmem: allow kmem to add memory with memmap_on_memory").
 */
export function hasDaxMemmapOnMemory(era: Era): boolean {
  return hasFeature(era, 'rule.dax_kmem.memmap_on_memory');
}

/** MHP_MERGE_RESOURCE (5.10, "mm/memory_hotplug: MEMHP_MERGE_RESOURCE to specify merging of System RAM resources"). */
export function hasMergeResource(era: Era): boolean {
  return hasFeature(era, 'flag.MHP_MERGE_RESOURCE');
}

/** The name register_memory_resource() gives a plain add_memory(); only it gets a /sys/firmware/memmap entry. */
export const SYSTEM_RAM = 'System RAM';
/** virtio_mem_add_memory(): kstrdup_const("System RAM (virtio_mem)"). */
export const VIRTIO_MEM_RESOURCE = 'System RAM (virtio_mem)';
/** dax_kmem_init(): kstrdup_const("System RAM (kmem)"). */
export const KMEM_RESOURCE = 'System RAM (kmem)';

/**
 * add_memory_driver_managed(): the name must start with "System RAM (" and
 * end with ")", else -EINVAL.
 */
export function validDriverManagedName(name: string): boolean {
  return name.startsWith('System RAM (') && name.endsWith(')');
}

/** virtio-mem: VIRTIO_MEM_DEFAULT_OFFLINE_THRESHOLD, the added-but-offline memory the driver allows before it waits. */
export const VIRTIO_MEM_OFFLINE_THRESHOLD = 1024 ** 3;
