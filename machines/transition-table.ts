/**
 * The legal transitions of a machine, read from its definition. Fast replay
 * and the model checker decide through this table instead of live actors
 * (a pure `transition()` call builds a throw-away actor: ≈25k events/s),
 * so the machines stay the one place where legality is written down.
 */
import type { AnyStateMachine } from 'xstate';

/** state → event type → target state (same state for targetless transitions) */
export type TransitionTable = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function transitionTable(machine: AnyStateMachine): TransitionTable {
  const table = new Map<string, Map<string, string>>();
  for (const [key, node] of Object.entries(machine.root.states)) {
    const on = new Map<string, string>();
    for (const [eventType, transitions] of node.transitions) {
      const first = transitions[0];
      const target = first?.target?.[0]?.key ?? key;
      on.set(eventType, target);
    }
    table.set(key, on);
  }
  return table;
}
