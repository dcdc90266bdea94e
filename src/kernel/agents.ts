/**
 * The user-space agents that online hot-added memory besides the kernel's auto_online_blocks
 * (docs/drivers.md "Onlining agents"): what each reacts to and what it writes. Pure: the
 * reactions run in src/engine/ops/agents.ts.
 *
 * - `udev`: the rule distributions ship, `SUBSYSTEM=="memory", ACTION=="add",
 *   ATTR{state}=="offline", ATTR{state}="online"`, run for every memory block's add uevent;
 *   it ignores auto_online_blocks and writes `online` (the kernel's default zone) unless the
 *   scenario gives another online type.
 * - `daxctl`: `daxctl reconfigure-device --mode=system-ram daxX.Y` binds the dax device to
 *   kmem (the `dax_kmem_add` op) and then onlines the device's offline blocks
 *   `online_movable` (`online` with `--no-movable`); a block another agent onlined first in
 *   another zone makes it warn "detected a race while onlining memory".
 * - `virtio_mem`: the onlining policy a virtio-mem guest is set up with (a rule or guest agent
 *   that matches only the blocks of virtio-mem devices), `online_movable` unless given.
 */
export const AGENT_NAMES = ['udev', 'daxctl', 'virtio_mem'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/** The online types an agent writes to memoryN/state (OnlineType without offline; spelled out so types.ts can import this file). */
export type AgentOnline = 'online' | 'online_kernel' | 'online_movable';

/**
 * When an agent's reactions run: `at-once`, at the end of the operation that queued them (as
 * its own recorded events, after the uevent; udev on an idle machine), or `queued`, each when an
 * `agent` operation asks for it, so a scenario or `memhp explore` decides the interleaving.
 */
export const AGENT_REACT = ['at-once', 'queued'] as const;
export type AgentReact = (typeof AGENT_REACT)[number];

/** One installed agent, the online type it writes and when it reacts. */
export interface AgentSpec {
  name: AgentName;
  online: AgentOnline;
  react: AgentReact;
}

export const DEFAULT_AGENT_ONLINE: Record<AgentName, AgentOnline> = { udev: 'online', daxctl: 'online_movable', virtio_mem: 'online_movable' };

/** The driver whose device a block belongs to, as an agent matches it (null: none). */
export type BlockOwner = 'acpi_memhotplug' | 'virtio_mem' | 'dax_kmem' | null;

/** Whether an agent reacts to the add uevent of a memory block (udev: every block; virtio_mem: its devices' blocks). */
export function reactsToBlockAdd(agent: AgentName, owner: BlockOwner): boolean {
  if (agent === 'udev') return true;
  if (agent === 'virtio_mem') return owner === 'virtio_mem';
  return false;
}

/** Whether an agent has work after a dax device is bound to kmem (daxctl's own reconfigure-device). */
export const reactsToDaxBind = (agent: AgentName): boolean => agent === 'daxctl';

/**
 * A pending reaction: `target` is what it acts on (`memory40` for a block's uevent, `dax0.0`
 * for daxctl's device), in the order the kernel and daxctl produced them.
 */
export interface AgentWork {
  agent: AgentName;
  target: string;
}

/** The knob key of a pending reaction in the log (a `knob` event `agent`, docs/log-format.md). */
export const agentWorkKey = (w: AgentWork): string => `${w.agent} ${w.target}`;

export function parseAgentWorkKey(key: string): AgentWork | null {
  const m = /^(udev|daxctl|virtio_mem) (\S+)$/.exec(key);
  return m ? { agent: m[1] as AgentName, target: m[2]! } : null;
}
