/**
 * The user-space onlining agents (docs/drivers.md "Onlining agents", src/kernel/agents.ts):
 * the kernel's add uevent of a memory block, or daxctl's bind of a dax device, queues a
 * reaction for each installed agent that reacts to it; the `agent` operation runs one queued
 * reaction. Queued and handled reactions are `knob` events (`agent`), so explore can
 * interleave them with everything else and a log replays them as a plain fold.
 */
import type { AgentName, AgentSpec } from '../../kernel/agents.ts';
import { fail, KernelError, orThrow } from '../../kernel/errno.ts';
import { Oops } from '../tx.ts';
import { formatSize } from '../../input/size.ts';
import type { Tx } from '../tx.ts';
import { block, blocksIn } from './common.ts';
import { stateStore } from './store.ts';

const installed = (tx: Tx): readonly AgentSpec[] => tx.system.agents ?? [];

/** The `agent` operation: the agent handles `target`'s reaction, or its oldest one. */
export function runAgent(tx: Tx, agent: AgentName, target: string | undefined): void {
  const spec = installed(tx).find((a) => a.name === agent);
  if (!spec) fail('ENOENT', `agent ${agent} is not installed (the scenario's "agents")`);
  const work = tx.draft.agentWork.find((w) => w.agent === agent && (target === undefined || w.target === target));
  if (!work) fail('ENOENT', `${agent} has no pending reaction${target ? ` for ${target}` : ''}`);
  tx.emit({ type: 'knob', knob: 'agent', key: `${agent} ${work.target}`, value: false });
  if (agent === 'daxctl') return daxctlOnline(tx, work.target, spec.online);
  const id = Number(/^memory(\d+)$/.exec(work.target)?.[1] ?? NaN);
  const b = block(tx, id);
  // the rule reads ATTR{state} first: a block gone (removed before udev ran) or not offline does not match
  if (!b) fail('ENOENT', `${agent}: ${work.target} is gone: the rule finds no state file`);
  if (b.state !== 'offline') {
    tx.warn(`${agent}: ${work.target} is ${b.state}${b.zone ? ` (${b.zone})` : ''}: the rule (ATTR{state}=="offline") does not match`);
    return;
  }
  orThrow(stateStore(tx, id, spec.online));
}

/**
 * daxctl's online step (daxctl_memory_online*): every offline block of the device in address
 * order with the chosen type; a block another agent already onlined in a different zone is
 * left as it is and daxctl warns of the race.
 */
function daxctlOnline(tx: Tx, name: string, online: AgentSpec['online']): void {
  const d = tx.draft.devices.find((x) => x.name === name && x.driver === 'dax_kmem' && !x.stuck);
  if (!d) fail('ENODEV', `daxctl: ${name} is not in system-ram mode (not bound to kmem)`);
  const raced: string[] = [];
  for (const b of blocksIn(tx, d.start, d.size)) {
    if (b.state === 'offline') {
      orThrow(stateStore(tx, b.id, online));
      continue;
    }
    const wrong = online === 'online_movable' ? b.zone !== 'Movable' : online === 'online_kernel' ? b.zone === 'Movable' : false;
    if (wrong) raced.push(`memory${b.id} (${b.zone})`);
  }
  if (raced.length > 0)
    tx.warn(
      `daxctl: ${name}: WARNING: detected a race while onlining memory: ${raced.join(', ')} ${raced.length === 1 ? 'was' : 'were'} onlined by another agent, not ${online} (${formatSize(raced.length * tx.g.blockSize)} may not be in the expected zone); disable other onlining mechanisms or use --no-online`,
    );
}

/**
 * The reactions of `at-once` agents, run at the end of an operation in the order they were
 * queued (an operation that failed may have sent uevents too: a virtio-mem request that added
 * some blocks). A reaction that fails is the agent's problem, not the operation's: a warning.
 */
export function reactAtOnce(tx: Tx): void {
  // every operation ends here; most leave no agent work
  if (tx.draft.agentWork.length === 0) return;
  const atOnce = (agent: AgentName) => installed(tx).find((a) => a.name === agent)?.react === 'at-once';
  for (;;) {
    const w = tx.draft.agentWork.find((x) => atOnce(x.agent));
    if (!w) return;
    try {
      runAgent(tx, w.agent, w.target);
    } catch (e) {
      if (!(e instanceof KernelError) || e instanceof Oops) throw e;
      tx.warn(`${w.agent}: handling ${w.target} failed: -${e.errno} (${e.message})`);
    }
  }
}
