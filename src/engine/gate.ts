/**
 * A LifecycleGate asks a machine whether a transition is legal and where it
 * leads. The live gate sends the event to the actor itself (real XState
 * actors, one per block and section, each a root actor with a deterministic
 * id so that creating 32,768 of them stays linear). The table gate reads the
 * same machine definitions without actors, for replay verification at speed
 * and for the model checker.
 */
import { createActor, type AnyActorRef, type AnyStateMachine, type InspectionEvent, type Observer } from 'xstate';
import { EMPTY_CONTEXT, MACHINES, type MachineContext, type MachineEvent, type MachineKind } from '../../machines/index.ts';
import { transitionTable, type TransitionTable } from '../../machines/transition-table.ts';

export class IllegalTransition extends Error {}

/**
 * What the world records of an actor's context (a BlockState or SectionState,
 * or the hotplug system's params, oopses and taint). A field a log written
 * before it existed lacks comes from the machine's empty context. A live gate
 * that has passivated an actor rehydrates it from this; the table gate does
 * not need it.
 */
export type ActorContext<K extends MachineKind> = Readonly<Partial<MachineContext<K>>>;

export interface LifecycleGate {
  /**
   * Returns the target state; throws IllegalTransition if the machine refuses.
   * `context` is the world's record of the actor in state `from` (absent: none).
   */
  send<K extends MachineKind>(machine: K, actor: string, from: string, event: MachineEvent<K>, context?: ActorContext<MachineKind>): string;
  /** One operation begins (a transaction, or a recorded history replayed as one): see LiveGate's bulk operations. */
  beginOp?(): void;
}

const TABLES: Record<MachineKind, TransitionTable> = {
  memory_block: transitionTable(MACHINES.memory_block),
  section: transitionTable(MACHINES.section),
  hotplug: transitionTable(MACHINES.hotplug),
};

export class TableGate implements LifecycleGate {
  send<K extends MachineKind>(machine: K, actor: string, from: string, event: MachineEvent<K>): string {
    const to = TABLES[machine].get(from)?.get(event.type);
    if (to === undefined) throw new IllegalTransition(`${actor}: ${machine} machine has no ${event.type} transition from ${from}`);
    return to;
  }
}

export interface LiveGateOptions {
  /** XState inspection observer attached to every actor (e.g. @statelyai/inspect). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /**
   * How many block and section actors stay in memory (default
   * DEFAULT_MAX_LIVE_ACTORS). Beyond it the least recently used ones are
   * passivated: stopped and dropped, since the world records their state and
   * context; the next transition (or actor()) rehydrates one from the world.
   */
  maxLiveActors?: number;
  /**
   * How many actors one operation may start (create or rehydrate) before it
   * becomes a bulk operation (default: maxLiveActors, at least
   * DEFAULT_MAX_LIVE_ACTORS). See LiveGate.
   */
  bulkAfter?: number;
}

/**
 * 4,096 actors ≈ 16 MB of heap (an actor ≈ 4 KB): a 64 GiB add with its
 * auto-online (512 blocks and 512 sections, each touched twice) runs on hot
 * actors, while a 64 TiB machine (a million actors) stays small.
 */
export const DEFAULT_MAX_LIVE_ACTORS = 4096;

/** Reads the world's record of an actor (undefined: it does not exist). */
export type ActorReader = (machine: MachineKind, actor: string) => { state: string; context: ActorContext<MachineKind> } | undefined;

const machineOf = (actor: string): MachineKind => (actor === 'hotplug' ? 'hotplug' : actor.startsWith('memory') ? 'memory_block' : 'section');

/**
 * Real actors. An actor exists from its ADD to its final `removed` state;
 * while it exists it is either in memory (in `actors`, most recently used
 * last) or passivated (only the world holds it). A transition is sent to a
 * real actor in memory: a passivated one is first rehydrated, i.e. started in
 * the state and with the context the world records for it.
 *
 * Bulk operations. One operation that starts more actors than the gate keeps
 * (a 64 TiB add_memory with auto-online: a million actors, each born with its
 * ADD and needed again for its ONLINE) would start every actor, passivate it
 * long before the operation ends and start it again: the actors are garbage
 * that costs most of the operation's time and peak memory
 * (docs/performance.md, "A 64 TiB run --json"). So once an operation has
 * started `bulkAfter` actors, its remaining transitions of actors that are not
 * in memory are decided by the machine's transition table (read from the same
 * machine definition, src/engine/gate.ts TableGate: the machines still decide
 * every transition's legality) and no actor is started for them; the world
 * records where they went, as it does for a passivated actor, and actor()
 * starts one when someone asks. Actors in memory still get their events.
 */
export class LiveGate implements LifecycleGate {
  /** The actors in memory now (the hotplug actor is never passivated). */
  readonly actors = new Map<string, AnyActorRef>();
  readonly maxLiveActors: number;
  private reader: ActorReader | null = null;
  /** Actors rehydrated from the world so far (the passivated ones that were needed again). */
  rehydrated = 0;
  /** Actors passivated so far. */
  passivated = 0;
  /** Transitions decided by the machines' tables in bulk operations, with no actor started. */
  bulkDecided = 0;
  readonly bulkAfter: number;
  /** actors started (created or rehydrated) in the current operation */
  private startedInOp = 0;

  constructor(private readonly options: LiveGateOptions = {}) {
    const max = options.maxLiveActors ?? DEFAULT_MAX_LIVE_ACTORS;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxLiveActors must be a positive integer, got ${max}`);
    this.maxLiveActors = max;
    const bulk = options.bulkAfter ?? Math.max(max, DEFAULT_MAX_LIVE_ACTORS);
    if (!Number.isSafeInteger(bulk) || bulk < 1) throw new RangeError(`bulkAfter must be a positive integer, got ${bulk}`);
    this.bulkAfter = bulk;
  }

  beginOp(): void {
    this.startedInOp = 0;
  }

  /** Where actor() finds the world's record of a passivated actor (HotplugSystem attaches its world). */
  attach(reader: ActorReader): void {
    this.reader = reader;
  }

  /**
   * The actor with this id, rehydrated from the world if it was passivated;
   * undefined if the world has no such actor. (For an inspector: the actor
   * may be passivated again once others are used.)
   */
  actor(actorId: string): AnyActorRef | undefined {
    const hot = this.touch(actorId);
    if (hot) return hot;
    const machine = machineOf(actorId);
    const found = this.reader?.(machine, actorId);
    return found ? this.rehydrate(machine, actorId, found.state, found.context) : undefined;
  }

  /** The actor in memory, marked most recently used. */
  private touch(actorId: string): AnyActorRef | undefined {
    const actor = this.actors.get(actorId);
    if (actor !== undefined && actorId !== 'hotplug') {
      this.actors.delete(actorId);
      this.actors.set(actorId, actor);
    }
    return actor;
  }

  private start(machine: MachineKind, actorId: string, state: string, context: ActorContext<MachineKind>): AnyActorRef {
    const m = MACHINES[machine] as AnyStateMachine;
    const snapshot = m.resolveState({ value: state, context: { ...EMPTY_CONTEXT[machine], ...context } });
    const created: AnyActorRef = createActor(m, { id: actorId, systemId: actorId, inspect: this.options.inspect, snapshot });
    created.start();
    this.startedInOp++;
    this.actors.set(actorId, created);
    if (this.actors.size > this.maxLiveActors + 1) this.passivateOldest();
    return created;
  }

  /** Stops and drops the least recently used actor: the world already records its state and context. */
  private passivateOldest(): void {
    for (const [id, a] of this.actors) {
      if (id === 'hotplug') continue;
      this.actors.delete(id);
      a.stop();
      this.passivated++;
      return;
    }
  }

  private rehydrate(machine: MachineKind, actorId: string, state: string, record: ActorContext<MachineKind>): AnyActorRef {
    if (!(TABLES[machine].has(state))) throw new IllegalTransition(`${actorId}: the world records state ${state}, which its ${machine} machine does not have`);
    // a block's or section's record carries its state beside its context
    const { state: _state, ...context } = record as ActorContext<MachineKind> & { state?: string };
    this.rehydrated++;
    return this.start(machine, actorId, state, context);
  }

  send<K extends MachineKind>(machine: K, actorId: string, from: string, event: MachineEvent<K>, record?: ActorContext<MachineKind>): string {
    let actor: AnyActorRef | undefined = this.touch(actorId);
    if (!actor && this.startedInOp >= this.bulkAfter) {
      // a bulk operation: the actor is not in memory and would not stay there (see the class comment)
      if (from !== 'absent' && !TABLES[machine].has(from)) throw new IllegalTransition(`${actorId}: the world records state ${from}, which its ${machine} machine does not have`);
      const to = TABLES[machine].get(from)?.get(event.type);
      if (to === undefined) throw new IllegalTransition(`${actorId}: ${machine} machine refuses ${event.type} in ${from}`);
      this.bulkDecided++;
      return to;
    }
    if (!actor) {
      if (from !== 'absent') {
        if (record === undefined) throw new IllegalTransition(`${actorId}: no live actor in state ${from}`);
        actor = this.rehydrate(machine, actorId, from, record);
      } else {
        const to = TABLES[machine].get(from)?.get(event.type);
        if (to === undefined) throw new IllegalTransition(`${actorId}: ${machine} machine has no ${event.type} transition from ${from}`);
        // The actor is born in the target of its first transition (ADD/BOOT), with
        // that transition's context: resolving the snapshot costs about half of
        // starting in `absent` and sending the event, which matters for 65,536 actors.
        this.start(machine, actorId, to, event.set ?? {});
        return to;
      }
    }
    const before = actor.getSnapshot();
    if (before.value !== from) throw new IllegalTransition(`${actorId}: live actor is in ${String(before.value)}, the world says ${from}`);
    // XState ignores events a state does not handle; the machine's own table says
    // what should have happened (cheaper than snapshot.can(), which resolves the transition twice)
    const expected = TABLES[machine].get(from)?.get(event.type);
    if (expected === undefined) throw new IllegalTransition(`${actorId}: ${machine} machine refuses ${event.type} in ${from}`);
    actor.send(event as never);
    const after = actor.getSnapshot();
    const to = String(after.value);
    if (to !== expected) throw new IllegalTransition(`${actorId}: live actor went to ${to} on ${event.type}, its machine definition says ${expected}`);
    if (after.status === 'done') {
      actor.stop();
      this.actors.delete(actorId);
    }
    return to;
  }

  stopAll(): void {
    for (const a of this.actors.values()) a.stop();
    this.actors.clear();
  }
}
