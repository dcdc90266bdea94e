/**
 * A LifecycleGate asks a machine whether a transition is legal and where it
 * leads. The live gate sends the event to the actor itself (real XState
 * actors, one per block and section, each a root actor with a deterministic
 * id so that creating 32,768 of them stays linear). The table gate reads the
 * same machine definitions without actors, for replay verification at speed
 * and for the model checker.
 */
import { createActor, type AnyActorRef, type AnyStateMachine, type InspectionEvent, type Observer } from 'xstate';
import { EMPTY_CONTEXT, MACHINES } from '../../machines/index.ts';
import { transitionTable, type TransitionTable } from '../../machines/transition-table.ts';
import type { MachineKind } from './events.ts';

export interface GateEvent {
  type: string;
  set?: Record<string, unknown>;
}

export class IllegalTransition extends Error {}

export interface LifecycleGate {
  /** Returns the target state; throws IllegalTransition if the machine refuses. */
  send(machine: MachineKind, actor: string, from: string, event: GateEvent): string;
}

const TABLES: Record<MachineKind, TransitionTable> = {
  memory_block: transitionTable(MACHINES.memory_block),
  section: transitionTable(MACHINES.section),
  hotplug: transitionTable(MACHINES.hotplug),
};

export class TableGate implements LifecycleGate {
  send(machine: MachineKind, actor: string, from: string, event: GateEvent): string {
    const to = TABLES[machine].get(from)?.get(event.type);
    if (to === undefined) throw new IllegalTransition(`${actor}: ${machine} machine has no ${event.type} transition from ${from}`);
    return to;
  }
}

export interface LiveGateOptions {
  /** XState inspection observer attached to every actor (e.g. @statelyai/inspect). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

/** Real actors. An actor exists from its ADD to its final `removed` state. */
export class LiveGate implements LifecycleGate {
  readonly actors = new Map<string, AnyActorRef>();
  constructor(private readonly options: LiveGateOptions = {}) {}

  send(machine: MachineKind, actorId: string, from: string, event: GateEvent): string {
    let actor: AnyActorRef | undefined = this.actors.get(actorId);
    if (!actor) {
      if (from !== 'absent') throw new IllegalTransition(`${actorId}: no live actor in state ${from}`);
      const to = TABLES[machine].get(from)?.get(event.type);
      if (to === undefined) throw new IllegalTransition(`${actorId}: ${machine} machine has no ${event.type} transition from ${from}`);
      // The actor is born in the target of its first transition (ADD/BOOT), with
      // that transition's context: resolving the snapshot costs about half of
      // starting in `absent` and sending the event, which matters for 65,536 actors.
      const m = MACHINES[machine] as AnyStateMachine;
      const snapshot = m.resolveState({ value: to, context: { ...EMPTY_CONTEXT[machine], ...event.set } });
      const created: AnyActorRef = createActor(m, { id: actorId, systemId: actorId, inspect: this.options.inspect, snapshot });
      created.start();
      this.actors.set(actorId, created);
      return to;
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
