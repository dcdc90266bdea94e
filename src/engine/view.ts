/**
 * The world as the JSON contract shows it (`run/replay/show --json`, the
 * inspector, the sysfs exporter). Format version: WORLD_VIEW_VERSION.
 * Names and meanings of existing keys must not change without a bump.
 */
import type { AgentWork } from '../kernel/agents.ts';
import type { ArchName, Era, KernelConfig, OnlineType, Params, ZoneName } from '../kernel/types.ts';
import type { DeviceRecord } from './events.ts';
import type { MemmapPlacement } from '../kernel/memmap-on-memory.ts';

export const WORLD_VIEW_VERSION = 1;

export interface BlockView {
  id: number;
  state: 'online' | 'offline' | 'going-offline';
  /** Zone when online (null if offline or spanning several zones). */
  zone: ZoneName | null;
  node: number;
  startPfn: number;
  nrPages: number;
  /** vmemmap pages carved out of this block's own range (0 for a regular memmap). */
  vmemmapPages: number;
  /** memoryN/valid_zones without the newline. */
  validZones: string;
  /** Boot memory (early sections). */
  early: boolean;
  /** The requested type of the next online (memoryN online_type). */
  onlineType: OnlineType;
  /** An unmovable page is pinned in this block. */
  pinned: boolean;
  /** The kernel's unmovable allocations landed here when it came online: it cannot be offlined (docs/kernel-model.md §8.4). */
  kernelAllocations: boolean;
  /** mem->group: the memory group (5.15+) the block belongs to, null for none. */
  group: number | null;
}

export interface SectionView {
  nr: number;
  state: 'present' | 'online';
  node: number;
  block: number;
  early: boolean;
  memmap: MemmapPlacement;
  /** The memory holding this section's memmap has been removed. */
  memmapLost: boolean;
}

export interface ZoneView {
  node: number;
  zone: ZoneName;
  presentPages: number;
  managedPages: number;
  startPfn: number | null;
  endPfn: number | null;
}

export interface NodeView {
  id: number;
  online: boolean;
  /** memmap pages allocated from this node's memory (boot memmap + regular hot-add memmap). */
  memmapPages: number;
  presentPages: number;
  managedPages: number;
  /** Pages of this node's kernel zones free for kernel allocations. */
  freeKernelPages: number;
}

export interface VmemmapView {
  headPfn: number;
  nrPages: number;
  refcount: number;
  sections: number[];
  node: number;
  /** The range holding these pages was removed while sections still used it. */
  orphaned: boolean;
}

export interface FaultView {
  seq: number;
  kind: 'memmap-in-removed-memory' | 'BUG';
  section: number;
  block: number;
  access: string;
  message: string;
}

/** struct memory_group (5.15+): one per driver device. */
export interface MemoryGroupView {
  id: number;
  node: number;
  dynamic: boolean;
  /** static: s.max_pages; dynamic: d.unit_pages */
  pages: number;
  presentKernelPages: number;
  presentMovablePages: number;
  /** the device that registered it */
  owner: string;
  /** the memory blocks that belong to it */
  blocks: number[];
}

/** One line of /proc/iomem's System RAM part (level 1: a child of the driver's container). */
export interface IomemView {
  start: number;
  end: number;
  name: string;
  level: 0 | 1;
  /** IORESOURCE_SYSRAM_DRIVER_MANAGED */
  driverManaged: boolean;
}

/** One /sys/firmware/memmap entry (all "System RAM"). */
export interface FirmwareMemmapView {
  start: number;
  end: number;
  type: 'System RAM';
}

export interface WorldView {
  version: number;
  seq: number;
  arch: ArchName;
  kernel: Era;
  pageSize: number;
  sectionSizeBytes: number;
  blockSizeBytes: number;
  params: Params;
  /** The kernel build options it runs with (machine.config with the distribution defaults filled in). */
  config: KernelConfig;
  blocks: BlockView[];
  sections: SectionView[];
  zones: ZoneView[];
  nodes: NodeView[];
  vmemmap: VmemmapView[];
  /** Physical ranges that were hot-added and later removed while still referenced. */
  faults: FaultView[];
  /** Any taint: an oops (a fault, a BUG) or a WARN. */
  tainted: boolean;
  /** /proc/sys/kernel/tainted: TAINT_DIE 128 after an oops, TAINT_WARN 512 after a WARN. */
  taint: number;
  /** The taint letters print_tainted() shows: D, W. */
  taintFlags: string;
  injection: { MEM_GOING_ONLINE: number; MEM_GOING_OFFLINE: number };
  signalPending: boolean;
  /** the onlining agents' pending reactions, oldest first (docs/drivers.md "Onlining agents") */
  agentWork?: AgentWork[];
  /** memory groups (5.15+), by id */
  groups?: MemoryGroupView[];
  /** driver devices (ACPI DIMMs, virtio-mem, dax/kmem), in bind order */
  devices?: DeviceRecord[];
  /** the System RAM lines of /proc/iomem: boot memory and every hot-added resource */
  iomem?: IomemView[];
  /** /sys/firmware/memmap: boot memory and plain add_memory() ranges, never driver-managed ones */
  firmwareMemmap?: FirmwareMemmapView[];
}
