/**
 * Everything a run could reach, from declarations (never from what a run
 * happened to see), so that "never reached" means something: the operations of
 * src/kernel/ops.ts, the errnos of src/kernel/errno.ts, the kernel paths of
 * ./kernel-paths.ts, every (state, event) pair of each machine's definition in
 * machines/, and the invariants checked.
 */
import { MACHINES } from '../../../machines/index.ts';
import { transitionTable } from '../../../machines/transition-table.ts';
import { ERRNO } from '../../kernel/errno.ts';
import { OPS } from '../../kernel/ops.ts';
import type { Invariant } from '../types.ts';
import { KERNEL_PATHS, kernelPathKey } from './kernel-paths.ts';

export interface Universe {
  operations: string[];
  errnos: string[];
  kernelPaths: string[];
  transitions: string[];
  invariants: string[];
}

/** A machine transition's name in the report: `memory_block: offline --ONLINE-->`. */
export const transitionKey = (machine: string, from: string, event: string) => `${machine}: ${from} --${event}-->`;

/** Every (source state, event type) pair a machine accepts, per machine, in definition order. */
export function machineTransitions(): string[] {
  const out: string[] = [];
  for (const [kind, machine] of Object.entries(MACHINES))
    for (const [state, on] of transitionTable(machine)) for (const event of on.keys()) out.push(transitionKey(kind, state, event));
  return out;
}

export function universe(invariants: readonly Invariant[]): Universe {
  return {
    // boot is not written by anyone (the engine records it first); every other operation is
    operations: Object.entries(OPS).flatMap(([name, d]) => (d.written ? [name] : [])),
    errnos: Object.keys(ERRNO),
    kernelPaths: KERNEL_PATHS.map(kernelPathKey),
    transitions: machineTransitions(),
    invariants: invariants.map((i) => i.name),
  };
}
