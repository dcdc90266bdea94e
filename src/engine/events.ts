/**
 * The events of the log. Every change of the world is one of these, frozen,
 * with a sequence number. The world at step n is evolve() folded over
 * events 1..n (src/engine/evolve.ts).
 */
import type { MachineKind } from '../../machines/index.ts';
import type { IomemResource } from '../kernel/resource.ts';
import type { ZoneName } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
import type { ReasonStep } from '../kernel/reason.ts';

/** An operation as requested, with its result: 0 or -errno. */
export interface OpEvent {
  type: 'op';
  seq: number;
  op: Op;
  ret: number;
  errno: string | null;
  /** Why it failed / what the kernel printed (pr_warn etc.). */
  message?: string;
  /** The kernel function whose check failed (KernelError.site), where the deciding code names it: `memhp why` cites it. Absent in logs written before it was recorded. */
  site?: string;
}

/** One transition of one actor's machine. `context` holds only the changed context fields. */
export interface TransitionEvent {
  type: 'transition';
  seq: number;
  machine: MachineKind;
  /** Deterministic actor id: memory65, section520, hotplug. */
  actor: string;
  event: { type: string; [k: string]: unknown };
  from: string;
  to: string;
  context: Record<string, unknown>;
  /**
   * The kernel rules that decided this transition and the values they read (a block's ONLINE:
   * where its online type came from and the zone choice, docs/kernel-model.md §5.6). Explanation
   * only: replay ignores it, and logs written before it was recorded have none (`memhp why`).
   */
  why?: ReasonStep[];
}

/** Page counter changes of one zone (zone set) or of one node (zone null). */
export interface AccountEvent {
  type: 'account';
  seq: number;
  node: number;
  zone: ZoneName | null;
  presentPages?: number;
  managedPages?: number;
  /** present pages of early (boot) sections: auto-movable's kernel_early */
  presentEarlyPages?: number;
  /** memmap pages allocated from this node's memory (regular memmap). */
  memmapPages?: number;
  /** span change: zone_start_pfn/zone_end_pfn after this event (null = empty). */
  span?: { startPfn: number; endPfn: number } | null;
  /** adjust_present_page_count(page, group, nr): the memory group whose present_{kernel,movable}_pages change too */
  group?: number;
  reason: string;
}

/** vmemmap head page metadata (v2: head->_refcount, head->private, tails' freelist). */
export interface VmemmapEvent {
  type: 'vmemmap';
  seq: number;
  /** mark: mark_vmemmap_pages(); put: a served section went; free: deferred vmemmap_free();
   *  orphan: the memory holding the pages was removed while sections still used them */
  action: 'mark' | 'put' | 'free' | 'orphan';
  headPfn: number;
  /** head->private: number of vmemmap pages. */
  nrPages: number;
  /** head->_refcount: sections still served. */
  refcount: number;
  /** sections served by this altmap (mark: all; put: the one that went). */
  sections: number[];
  node: number;
  /** orphan: the removed range */
  removed?: { start: number; size: number };
}

export interface NodeEvent {
  type: 'node';
  seq: number;
  node: number;
  online: boolean;
  /** at boot: what the node starts with (boot memmap, used memory, fragmentation) */
  boot?: { memmapPages: number; usedPages: number; maxFreeOrder: number };
  /** a node new to the world without boot memory (format version 4): its largest free buddy order, decided when recorded */
  maxFreeOrder?: number;
}

/** What a driver asks of the iomem tree: register_memory_resource(), request_mem_region(). */
export interface ResourceRequest {
  start: number;
  size: number;
  flags: string[];
  name?: string;
  /** IORESOURCE_SYSRAM_DRIVER_MANAGED: add_memory_driver_managed(); no /sys/firmware/memmap entry */
  driverManaged?: boolean;
  container?: boolean;
}

/**
 * An iomem resource requested or released, with what that did to the tree.
 * Without `name` it is "System RAM". A `container` is a driver's parent
 * resource (virtio0, dax0.0) that holds the System RAM child. The outcome
 * (`remove`, `insert`, `firmwareMap`) was decided when the event was recorded
 * (src/kernel/resource.ts): replaying applies it and runs no resource rule, so
 * a log keeps its meaning when a rule is fixed (format version 4).
 */
export interface ResourceEvent extends ResourceRequest {
  type: 'resource';
  seq: number;
  action: 'request' | 'release';
  /** resources taken out of the tree, as they were (merged neighbours, the resource trimmed or split) */
  remove: IomemResource[];
  /** resources put in (the new or merged resource, the pieces left of a trimmed one) */
  insert: IomemResource[];
  /** the /sys/firmware/memmap entry [start, start + size) this added (firmware_map_add_hotplug) or removed (firmware_map_remove) */
  firmwareMap?: 'add' | 'remove';
}

/** memory_group_register_static/dynamic() and memory_group_unregister() (drivers/base/memory.c, 5.15+). */
export interface GroupEvent {
  type: 'group';
  seq: number;
  action: 'register' | 'unregister';
  /** the mgid xa_alloc() handed out */
  id: number;
  nid: number;
  dynamic: boolean;
  /** static: s.max_pages; dynamic: d.unit_pages */
  pages: number;
  /** the device that registered it */
  owner: string;
}

/** A driver's device bound, changed (virtio-mem plugged/requested size) or unbound. */
export interface DeviceEvent {
  type: 'device';
  seq: number;
  action: 'bind' | 'update' | 'unbind';
  name: string;
  /** the device's state after the event (bind/update) */
  device?: DeviceRecord;
}

export type DriverName = 'acpi_memhotplug' | 'virtio_mem' | 'dax_kmem';

/** What the simulated kernel knows of a driver's device. */
export interface DeviceRecord {
  name: string;
  driver: DriverName;
  nid: number;
  /** the device's physical range (virtio-mem: its region) */
  start: number;
  size: number;
  /** memory group id (null before 5.15, or none registered) */
  group: number | null;
  /** dax/kmem: unbound after a failed remove_memory(): the memory stays until reboot */
  stuck: boolean;
  /** virtio-mem: the driver's unit of add/remove (memory block, or big block) and the device's sizes */
  unit?: number;
  requested?: number;
  plugged?: number;
  /** virtio-mem: the device's block size (absent in older logs: `unit`) */
  blockSize?: number;
  /** virtio-mem Sub Block Mode (absent: Big Block Mode): the sub-block size (vm->sbm.sb_size) */
  sbSize?: number;
  /** virtio-mem Sub Block Mode: per memory block id added or plugged, its sub-blocks as '1' (plugged) and '0' (vm->sbm.sb_states) */
  subBlocks?: Record<string, string>;
  /** ACPI: the blocks acpi_bind_memory_blocks() bound when the device was enabled (its physical nodes); absent in older logs: every block of its range */
  bound?: number[];
  /** dax/kmem: the dax device's memmap_on_memory attribute (6.8+) */
  memmapOnMemory?: boolean;
}

/**
 * An oops. `memmap-in-removed-memory`: the kernel read struct pages that
 * lived in removed memory (section/block: whose; removed: that range;
 * access: online, offline, remove, touch). `BUG`: a BUG()/BUG_ON() fired
 * (section/block: where the range starts; removed: the range the function
 * was given; access: the function).
 */
export interface FaultEvent {
  type: 'fault';
  seq: number;
  kind: 'memmap-in-removed-memory' | 'BUG';
  section: number;
  block: number;
  removed: { start: number; size: number };
  access: string;
  message: string;
}

/**
 * Fault injection (notifier-error-inject), a pending signal and the onlining agents' pending
 * reactions (`agent`: key `<agent> <target>`, value true when queued, false when handled;
 * docs/drivers.md "Onlining agents"): knobs outside any machine.
 */
export interface KnobEvent {
  type: 'knob';
  seq: number;
  knob: 'inject' | 'signal' | 'agent';
  key: string;
  value: string | number | boolean;
}

/**
 * A kernel message that changes no memory: a pr_* line (ignored flags, a
 * failed auto-online), or a WARN() — then `site` names the function and
 * `taint` is 'W' (the hotplug system's TAINT transition follows).
 */
export interface WarningEvent {
  type: 'warning';
  seq: number;
  message: string;
  site?: string;
  taint?: 'W';
}

export type MemhpEvent =
  | OpEvent
  | TransitionEvent
  | AccountEvent
  | VmemmapEvent
  | NodeEvent
  | ResourceEvent
  | FaultEvent
  | KnobEvent
  | WarningEvent
  | GroupEvent
  | DeviceEvent;

export type EventType = MemhpEvent['type'];
/** An event before the log gives it a sequence number. */
export type UnsequencedEvent = MemhpEvent extends infer E ? (E extends MemhpEvent ? Omit<E, 'seq'> : never) : never;
