/**
 * The world: plain frozen data, a pure function of the events applied so far.
 * Large collections are persistent tables (table.ts); small ones are records.
 */
import type { Geometry } from '../kernel/geometry.ts';
import { geometryOf } from '../kernel/geometry.ts';
import type { OnlineType, Params, SystemSpec, ZoneName } from '../kernel/types.ts';
import type { FaultEvent, MemmapPlacement } from './events.ts';
import { emptyTable, tableGet, type Table } from './table.ts';
import type { MachineKind } from './events.ts';

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

export const ZONE_INDEX: Record<ZoneName, number> = { DMA: 0, DMA32: 1, Normal: 2, Movable: 3 };
export const zoneKey = (node: number, zone: ZoneName) => node * 4 + ZONE_INDEX[zone];

export interface World {
  readonly seq: number;
  readonly system: SystemSpec;
  readonly params: Params;
  /** state of the hotplug system machine: absent (before boot), running, tainted */
  readonly hotplug: string;
  readonly oopses: number;
  readonly blocks: Table<BlockState>;
  readonly sections: Table<SectionState>;
  readonly zones: Table<ZoneState>;
  readonly nodes: Table<NodeState>;
  /** keyed by the head's section number */
  readonly vmemmap: Table<VmemmapState>;
  readonly faults: readonly FaultEvent[];
  readonly injection: { readonly MEM_GOING_ONLINE: number; readonly MEM_GOING_OFFLINE: number };
  readonly signalPending: boolean;
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
    blocks: emptyTable<BlockState>(),
    sections: emptyTable<SectionState>(),
    zones: emptyTable<ZoneState>(),
    nodes: emptyTable<NodeState>(),
    vmemmap: emptyTable<VmemmapState>(),
    faults: Object.freeze([]) as readonly FaultEvent[],
    injection: Object.freeze({ MEM_GOING_ONLINE: 0, MEM_GOING_OFFLINE: 0 }),
    signalPending: false,
  });
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
