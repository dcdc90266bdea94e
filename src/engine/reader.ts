/**
 * One way to read a world: a World (through readerOf) and an operation's
 * draft (WorldDraft, src/engine/evolve.ts) both implement WorldReader. Kernel
 * rules read through its kernel part (src/kernel/reader.ts); the engine also
 * reads blocks, sections and the hotplug system's context through it, and
 * finds an actor's record here, for the gate and for rehydrating live actors.
 */
import type { MachineKind } from '../../machines/index.ts';
import type { KernelReader, NodeState, ZoneState } from '../kernel/reader.ts';
import type { ZoneName } from '../kernel/types.ts';
import type { ActorContext } from './gate.ts';
import { tableGet, tableValues } from './table.ts';
import { zoneKey, type BlockState, type SectionState, type World } from './world.ts';

export interface WorldReader extends KernelReader {
  /** the hotplug system machine's state: absent (before boot), running, tainted */
  readonly hotplug: string;
  readonly oopses: number;
  readonly taint: number;
  readonly warnedOnce: readonly string[];
  block(id: number): BlockState | undefined;
  section(nr: number): SectionState | undefined;
}

/** A world read through the interface (a world never changes, so neither does its reader). */
class FrozenWorldReader implements WorldReader {
  constructor(private readonly w: World) {}
  get params() {
    return this.w.params;
  }
  get groups() {
    return this.w.groups;
  }
  get hotplug() {
    return this.w.hotplug;
  }
  get oopses() {
    return this.w.oopses;
  }
  get taint() {
    return this.w.taint;
  }
  get warnedOnce() {
    return this.w.warnedOnce;
  }
  block(id: number): BlockState | undefined {
    return tableGet(this.w.blocks, id);
  }
  section(nr: number): SectionState | undefined {
    return tableGet(this.w.sections, nr);
  }
  node(id: number): NodeState | undefined {
    return tableGet(this.w.nodes, id);
  }
  zone(node: number, zone: ZoneName): ZoneState | undefined {
    return tableGet(this.w.zones, zoneKey(node, zone));
  }
  zonesOfAll(): Iterable<ZoneState> {
    return tableValues(this.w.zones);
  }
}

/** The reader of a world: one small object, no copy (views build one per entity they render). */
export function readerOf(world: World): WorldReader {
  return new FrozenWorldReader(world);
}

/** Actors whose names are made once and kept: every transition names its actor, and the model checker decides millions. */
const NAMES_KEPT = 4096;
const blockNames: string[] = [];
const sectionNames: string[] = [];

/** The deterministic id of a machine's actor: memory65, section520, hotplug (principle 4). */
export function actorName(machine: MachineKind, id: number | null): string {
  if (machine === 'hotplug') return 'hotplug';
  const block = machine === 'memory_block';
  const names = block ? blockNames : sectionNames;
  const kept = id !== null && Number.isInteger(id) && id >= 0 && id < NAMES_KEPT;
  if (kept && names[id] !== undefined) return names[id];
  const made = block ? `memory${id}` : `section${id}`;
  if (kept) names[id] = made;
  return made;
}

/** memory65 → 65, hotplug → null; undefined when the name is not one of this machine's actors. */
export function actorIdOf(machine: MachineKind, actor: string): number | null | undefined {
  if (machine === 'hotplug') return actor === 'hotplug' ? null : undefined;
  const prefix = machine === 'memory_block' ? 'memory' : 'section';
  if (!actor.startsWith(prefix) || !/^\d+$/.test(actor.slice(prefix.length))) return undefined;
  return Number(actor.slice(prefix.length));
}

export interface ActorRecord {
  state: string;
  context: ActorContext<MachineKind>;
}

/**
 * The world's record of one actor: its state and its machine's context
 * (a block's or section's record is its context plus its state; the hotplug
 * system's is the world's params, oopses and taint); undefined while the actor
 * does not exist. A passivated live actor is rehydrated from this.
 */
export function actorRecord(r: WorldReader, machine: MachineKind, id: number | null): ActorRecord | undefined {
  if (machine === 'hotplug') {
    if (r.hotplug === 'absent') return undefined;
    return { state: r.hotplug, context: { params: r.params, oopses: r.oopses, taint: r.taint, warnedOnce: r.warnedOnce } };
  }
  const rec = machine === 'memory_block' ? r.block(id!) : r.section(id!);
  return rec === undefined ? undefined : { state: rec.state, context: rec };
}
