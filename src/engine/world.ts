/**
 * The world: plain immutable data, a pure function of the events applied so far.
 * Large collections are persistent tables (table.ts); small ones are records.
 * Worlds are frozen, except the model checker's (TxOptions `freeze`: it makes
 * millions that it alone reads, and V8's frozen objects are slow to make and
 * to copy); table chunks and the records a draft edits in place never are (table.ts).
 */
import type { MachineState, MemoryBlockContext, SectionContext } from '../../machines/index.ts';
import type { AgentWork } from '../kernel/agents.ts';
import type { Geometry } from '../kernel/geometry.ts';
import type { IomemResource } from '../kernel/resource.ts';
import { geometryOf } from '../kernel/geometry.ts';
import type { MemmapPlacement } from '../kernel/memmap-on-memory.ts';
import type { Params, SystemSpec, ZoneName } from '../kernel/types.ts';
import type { MemoryGroupState, NodeState, ZoneState } from '../kernel/reader.ts';
import type { DeviceRecord, FaultEvent } from './events.ts';
import { emptyTable, type Table } from './table.ts';

/** The states in which a block or section exists (between its ADD and its REMOVE). */
export type BlockStateName = Exclude<MachineState<'memory_block'>, 'absent' | 'removed'>;
export type SectionStateName = Exclude<MachineState<'section'>, 'absent' | 'removed'>;

/** A memory block as the world records it: its machine's context and its state. */
export type BlockState = Readonly<MemoryBlockContext> & { readonly state: BlockStateName };

/** A section as the world records it: its machine's context (with its memmap, which its ADD places) and its state. */
export type SectionState = Readonly<SectionContext> & { readonly state: SectionStateName; readonly memmap: MemmapPlacement };

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
  /** the onlining agents' pending reactions, oldest first (docs/drivers.md "Onlining agents") */
  readonly agentWork: readonly AgentWork[];
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
    agentWork: Object.freeze([]) as readonly AgentWork[],
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
