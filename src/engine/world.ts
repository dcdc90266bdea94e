/**
 * The world: plain frozen data, a pure function of the events applied so far.
 * Large collections are persistent tables (table.ts); small ones are records.
 */
import type { Geometry } from '../kernel/geometry.ts';
import type { IomemResource } from '../kernel/resource.ts';
import { geometryOf } from '../kernel/geometry.ts';
import type { OnlineType, Params, SystemSpec, ZoneName } from '../kernel/types.ts';
import type { DeviceRecord, FaultEvent, MachineKind, MemmapPlacement } from './events.ts';
import { emptyTable, tableGet, type Table } from './table.ts';

export type BlockStateName = 'offline' | 'going-offline' | 'online';
export type SectionStateName = 'present' | 'online';

export interface BlockState {
  readonly id: number;
  readonly state: BlockStateName;
  readonly nid: number;
  readonly zone: ZoneName | null;
  readonly online_type: OnlineType;
  readonly early: boolean;
  readonly pinned: boolean;
  readonly nr_vmemmap_pages: number;
  readonly used_pages: number;
  /** mem->group: the memory group the block belongs to (absent/null: none) */
  readonly group?: number | null;
  /** the kernel's unmovable allocations landed here when it came online (docs/kernel-model.md §8.4); absent: none */
  readonly kernel_allocations?: boolean;
}

export interface SectionState {
  readonly nr: number;
  readonly state: SectionStateName;
  readonly nid: number;
  readonly block: number;
  readonly early: boolean;
  readonly memmap: MemmapPlacement;
}

export interface ZoneState {
  readonly node: number;
  readonly zone: ZoneName;
  readonly presentPages: number;
  readonly managedPages: number;
  readonly presentEarlyPages: number;
  /** zone span [startPfn, endPfn) — null when the zone spans nothing */
  readonly span: { readonly startPfn: number; readonly endPfn: number } | null;
}

export interface NodeState {
  readonly id: number;
  readonly online: boolean;
  /** node has CPUs / boot memory: try_offline_node() keeps it */
  readonly boot: boolean;
  readonly memmapPages: number;
  readonly bootMemmapPages: number;
  readonly usedPages: number;
  readonly maxFreeOrder: number;
}

export interface VmemmapState {
  readonly headPfn: number;
  /** head->private */
  readonly nrPages: number;
  /** head->_refcount */
  readonly refcount: number;
  readonly sections: readonly number[];
  readonly node: number;
  /** set when the memory holding these pages was removed while sections still used them */
  readonly orphanedBy: { readonly start: number; readonly size: number } | null;
}

/** struct memory_group (include/linux/memory.h) */
export interface MemoryGroupState {
  readonly id: number;
  readonly nid: number;
  readonly dynamic: boolean;
  /** static: s.max_pages; dynamic: d.unit_pages */
  readonly pages: number;
  readonly presentKernelPages: number;
  readonly presentMovablePages: number;
  readonly owner: string;
}

/** One iomem resource (a top-level System RAM range, or a driver's container with its child). */
export type ResourceState = IomemResource;

export const ZONE_INDEX: Record<ZoneName, number> = { DMA: 0, DMA32: 1, Normal: 2, Movable: 3 };
export const zoneKey = (node: number, zone: ZoneName) => node * 4 + ZONE_INDEX[zone];

export interface World {
  readonly seq: number;
  readonly system: SystemSpec;
  readonly params: Params;
  /** state of the hotplug system machine: absent (before boot), running, tainted */
  readonly hotplug: string;
  readonly oopses: number;
  /** taint flags set since boot (TAINT_WARN, TAINT_DIE); see taintOf() for logs that predate them */
  readonly taint: number;
  /** WARN_ON_ONCE() sites that already printed */
  readonly warnedOnce: readonly string[];
  readonly blocks: Table<BlockState>;
  readonly sections: Table<SectionState>;
  readonly zones: Table<ZoneState>;
  readonly nodes: Table<NodeState>;
  /** keyed by the head's section number */
  readonly vmemmap: Table<VmemmapState>;
  readonly faults: readonly FaultEvent[];
  readonly injection: { readonly MEM_GOING_ONLINE: number; readonly MEM_GOING_OFFLINE: number };
  readonly signalPending: boolean;
  /** memory groups by id, ascending */
  readonly groups: readonly MemoryGroupState[];
  /** driver devices by name, in bind order */
  readonly devices: readonly DeviceRecord[];
  /** hot-added iomem resources (boot memory's are derived from system.boot), by start */
  readonly resources: readonly ResourceState[];
  /** /sys/firmware/memmap entries added by hot-add (firmware_map_add_hotplug), by start */
  readonly firmwareMap: readonly { readonly start: number; readonly size: number }[];
}

const geometryCache = new WeakMap<SystemSpec, Geometry>();
/** Geometry is derived, never stored: the world stays plain data. */
export function geometry(world: World): Geometry {
  let g = geometryCache.get(world.system);
  if (!g) {
    g = geometryOf(world.system);
    geometryCache.set(world.system, g);
  }
  return g;
}

/** The world before boot: nothing exists yet. */
export function emptyWorld(system: SystemSpec): World {
  return Object.freeze({
    seq: 0,
    system,
    params: system.params,
    hotplug: 'absent',
    oopses: 0,
    taint: 0,
    warnedOnce: Object.freeze([]) as readonly string[],
    blocks: emptyTable<BlockState>(),
    sections: emptyTable<SectionState>(),
    zones: emptyTable<ZoneState>(),
    nodes: emptyTable<NodeState>(),
    vmemmap: emptyTable<VmemmapState>(),
    faults: Object.freeze([]) as readonly FaultEvent[],
    injection: Object.freeze({ MEM_GOING_ONLINE: 0, MEM_GOING_OFFLINE: 0 }),
    signalPending: false,
    groups: Object.freeze([]) as readonly MemoryGroupState[],
    devices: Object.freeze([]) as readonly DeviceRecord[],
    resources: Object.freeze([]) as readonly ResourceState[],
    firmwareMap: Object.freeze([]) as readonly { start: number; size: number }[],
  });
}

/** include/linux/panic.h: the taint flags memhp sets. */
export const TAINT_DIE = 1 << 7;
export const TAINT_WARN = 1 << 9;

/** The taint mask; an oops recorded before taint flags existed still counts as TAINT_DIE. */
export function taintOf(w: Pick<World, 'taint' | 'oopses'>): number {
  return w.taint | (w.oopses > 0 ? TAINT_DIE : 0);
}

/** The letters print_tainted() shows for the flags memhp sets: D (died in an oops), W (warning). */
export function taintLetters(mask: number): string {
  return `${mask & TAINT_DIE ? 'D' : ''}${mask & TAINT_WARN ? 'W' : ''}`;
}

/**
 * The world's record of one actor (memory65, section520, hotplug): its state
 * and the fields its machine's context holds; undefined if it does not exist.
 * A passivated live actor is rehydrated from this.
 */
export function actorRecord(world: World, machine: MachineKind, actor: string): { state: string; record: Readonly<Record<string, unknown>> } | undefined {
  if (machine === 'hotplug') return world.hotplug === 'absent' ? undefined : { state: world.hotplug, record: { params: world.params, oopses: world.oopses } };
  const prefix = machine === 'memory_block' ? 'memory' : 'section';
  if (!actor.startsWith(prefix) || !/^\d+$/.test(actor.slice(prefix.length))) return undefined;
  const id = Number(actor.slice(prefix.length));
  const rec = machine === 'memory_block' ? tableGet(world.blocks, id) : tableGet(world.sections, id);
  return rec === undefined ? undefined : { state: rec.state, record: rec as unknown as Readonly<Record<string, unknown>> };
}
