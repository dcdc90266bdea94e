/**
 * Reasons: what a kernel rule read and what it decided, recorded by the code
 * that decides (principle 1: the log holds the facts, `memhp why` renders
 * them; nothing guesses afterwards). A reason is a chain of steps, each one
 * kernel rule with the values it compared. The rule ids are this file's
 * vocabulary; `docs/kernel-model.md §N` for each is in RULES, so the text and
 * its citation are written once (src/why renders them).
 */

export type ReasonValue = number | string | boolean | null;

/** One kernel rule that took part in a decision, and the values it read. */
export interface ReasonStep {
  rule: RuleId;
  values: Record<string, ReasonValue>;
}

/** The kernel rules a reason may name: the kernel function, and the § of docs/kernel-model.md that states the rule. */
export const RULES = {
  /** a boot block is online from boot in the zone its addresses fall in (free_area_init(), zone limits per arch) */
  boot_zone: { fn: 'free_area_init', cite: '§5' },
  /** where the online type came from: a `state` write, auto_online_blocks, device_online()'s stored type, a rollback */
  online_type: { fn: 'memory_block_online', cite: '§4.4' },
  /** zone_for_pfn_range(): the online type and the policy pick the rule below */
  zone_for_pfn_range: { fn: 'zone_for_pfn_range', cite: '§5.6' },
  /** default_kernel_zone_for_pfn(): DMA/DMA32 if their span meets the range, else Normal */
  default_kernel_zone: { fn: 'default_kernel_zone_for_pfn', cite: '§5.6' },
  /** default_zone_for_pfn(): contig-zones; which zone already spans the range, then movable_node */
  contig_zones: { fn: 'default_zone_for_pfn', cite: '§5.6' },
  /** auto_movable_zone_for_pfn(): the group's max and online pages */
  auto_movable_group: { fn: 'auto_movable_zone_for_pfn', cite: '§5.6' },
  /** auto_movable_can_online_movable(): movable + need against ratio × kernel_early */
  can_online_movable: { fn: 'auto_movable_can_online_movable', cite: '§5.6' },
} as const;

export type RuleId = keyof typeof RULES;

/**
 * The § of docs/kernel-model.md for each kernel function an error is
 * reported from (`KernelError.site`): `memhp why` cites it with the check's
 * message. A site missing here is cited as the operation's own section.
 */
export const SITE_CITES: Record<string, string> = {
  register_memory_resource: '§5.2',
  mhp_range_allowed: '§5.2',
  add_memory_resource: '§5.3',
  check_hotplug_memory_range: '§5.3',
  add_memory_driver_managed: '§5.1',
  vmemmap_populate: '§6.1',
  mhp_supports_memmap_on_memory: '§6.3',
  state_store: '§4.4',
  online_store: '§4.4',
  probe_store: '§4.3',
  memory_subsys_online: '§4.4',
  memory_block_online: '§4.7',
  memory_block_offline: '§4.8',
  memory_block_change_state: '§4.4',
  device_online: '§4.4',
  device_offline: '§4.4',
  offline_pages: '§8.1',
  try_remove_memory: '§8.2',
  remove_memory: '§8.2',
  offline_and_remove_memory: '§8.3',
  arch_remove_memory: '§8.2',
  memory_group_register: '§5.6',
  memory_group_unregister: '§5.6',
  page_fault_oops: '§7.5',
  kernfs_iop_lookup: '§4.3',
  kernfs_fop_open: '§4.3',
  online_pages: '§4.7',
  auto_online_blocks_store: '§5.5',
  param_set: '§5.5',
  notifier_err_inject: '§9.4',
  memory_block_pin: '§8.1',
  check_memblock_offlined_cb: '§8.2',
  memory_blocks_have_altmaps: '§8.2',
  check_vmemmap_granularity: '§7.5',
  acpi_memory_enable_device: '§5.1',
  acpi_scan_try_to_offline: '§8.2',
  dev_dax_kmem_probe: '§5.1',
  memmap_on_memory_store: '§6.2',
  virtio_mem_probe: '§5.1',
  virtio_mem_init: '§5.1',
  virtio_mem_config_changed: '§5.1',
  virtio_mem_run_wq: '§5.1',
  bus_find_device: '§5.1',
  device_driver_attach: '§5.1',
  device_add: '§5.1',
};
