/**
 * What the kernel's rules read (zone choice, valid_zones, free kernel
 * memory: zone-choice.ts, zones.ts): the kernel's records of zones, nodes and
 * memory groups, what they need of a memory block, and the one interface
 * they read them through. The engine's world and an operation's draft both
 * implement it (src/engine/reader.ts), so a rule is written once for both.
 */
import type { Params, ZoneName } from './types.ts';

/** struct zone's page counters and span, one zone of one node. */
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

/**
 * What the rules read of a memory block (struct memory_block). The block's
 * full record is its machine's context (src/engine/world.ts, BlockState).
 */
export interface BlockFacts {
  readonly id: number;
  /** mem->state as sysfs prints it: offline, going-offline, online */
  readonly state: string;
  readonly nid: number;
  readonly zone: ZoneName | null;
  /** mem->group (absent/null: none) */
  readonly group?: number | null;
}

/** Read access to the kernel's state, for a world as for an operation in progress. */
export interface KernelReader {
  readonly params: Params;
  /** memory groups by id, ascending */
  readonly groups: readonly MemoryGroupState[];
  block(id: number): BlockFacts | undefined;
  node(id: number): NodeState | undefined;
  zone(node: number, zone: ZoneName): ZoneState | undefined;
  /** every zone of every node, nodes ascending and each node's zones in zone order */
  zonesOfAll(): Iterable<ZoneState>;
}
