/**
 * Queues the onlining agents' reactions (docs/drivers.md "Onlining agents"): a memory block's
 * add uevent, daxctl's bind. Apart from ops/agents.ts (which runs them) so that add_memory()
 * can queue without importing the sysfs store path.
 */
import { reactsToBlockAdd, reactsToDaxBind, type AgentName, type AgentSpec, type BlockOwner } from '../../kernel/agents.ts';
import type { Tx } from '../tx.ts';

const installed = (tx: Tx): readonly AgentSpec[] => tx.system.agents ?? [];

function queue(tx: Tx, agent: AgentName, target: string): void {
  tx.emit({ type: 'knob', knob: 'agent', key: `${agent} ${target}`, value: true });
}

/** The driver whose device holds this block's address (what a rule can match on). */
function ownerOf(tx: Tx, id: number): BlockOwner {
  const addr = id * tx.g.blockSize;
  const d = tx.draft.devices.find((x) => addr >= x.start && addr < x.start + x.size);
  return d ? d.driver : null;
}

/** device_add() of a new memory block sends KOBJ_ADD: every agent that matches it has work. */
export function blockAdded(tx: Tx, id: number): void {
  for (const a of installed(tx)) if (reactsToBlockAdd(a.name, ownerOf(tx, id))) queue(tx, a.name, `memory${id}`);
}

/** daxctl reconfigure-device --mode=system-ram bound the device to kmem: it onlines the memory next. */
export function daxBound(tx: Tx, name: string): void {
  for (const a of installed(tx)) if (reactsToDaxBind(a.name)) queue(tx, a.name, name);
}

