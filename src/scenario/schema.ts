/**
 * The zod schema of a scenario document. Its output is a Scenario with every
 * default filled in except machine.possibleNodes (depends on the boot nodes
 * and the operations) and boot[].maxFreeOrder (depends on the arch), which
 * parse.ts settles (see defaults.ts).
 * Field-level validation lives here; rules across fields live in checks.ts.
 */
import { z } from 'zod';
import { ARCH_NAMES, ZONE_NAMES } from '../kernel/types.ts';
import { AGENT_NAMES, AGENT_REACT } from '../kernel/agents.ts';
import type { Params } from '../kernel/types.ts';
import {
  DEFAULT_ARCH,
  DEFAULT_BOOT_NODE,
  DEFAULT_HYPERVISOR,
  DEFAULT_KERNEL,
  DEFAULT_PARAMS,
  LARGEST_MAX_PAGE_ORDER,
} from './defaults.ts';
import { opSchema } from './ops-schema.ts';
import { boolish, integer, oneLine, oneOf, positiveSize, size, text } from '../input/values.ts';
import { nodeNumber } from '../kernel/ops.ts';
import { blockSize, era, nodeCount, PARAM_PARSERS } from './values.ts';
import { optional, required, strictObject, withDefault } from './zod-fields.ts';

/** Kernel build options (src/kernel/config.ts); absent ones take the arch's distribution default in parse.ts. */
const config = strictObject({
  ARCH_MEMORY_PROBE: optional(boolish),
  MEMORY_HOTREMOVE: optional(boolish),
  MHP_MEMMAP_ON_MEMORY: optional(boolish),
  MEMORY_HOTPLUG_DEFAULT_ONLINE: optional(boolish),
  SPARSEMEM_VMEMMAP: optional(boolish),
});

const machine = strictObject({
  hypervisor: withDefault(boolish, DEFAULT_HYPERVISOR),
  memoryBlockSize: optional(blockSize),
  // absent: follows config.SPARSEMEM_VMEMMAP when that is given, else vmemmap (parse.ts)
  sparsemem: optional(oneOf(['vmemmap', 'classic'] as const, 'a sparsemem model')),
  possibleNodes: optional(nodeCount),
  config: config.prefault({}),
});

/** A range of boot memory at an address (src/kernel/boot-layout.ts): how `memhp import` writes a real machine. */
const bootRange = strictObject({
  start: required(size),
  size: required(positiveSize),
  // absent: the zones by address; only for a range online at boot
  zone: optional(oneOf(ZONE_NAMES, 'a zone')),
  online: withDefault(boolish, true),
});

const bootNode = strictObject({
  node: required(nodeNumber),
  // required unless `ranges` is given, then their sum (checks.ts, parse.ts)
  size: optional(positiveSize),
  used: withDefault(size, 0),
  // Absent: the arch's MAX_PAGE_ORDER (parse.ts); above it: checks.ts.
  maxFreeOrder: optional(integer('a page order', 0, LARGEST_MAX_PAGE_ORDER)),
  ranges: z.array(bootRange).min(1, { error: 'needs at least one range (or leave ranges out)' }).optional(),
});

const param = <K extends keyof Params>(key: K) => withDefault(PARAM_PARSERS[key], DEFAULT_PARAMS[key]);

const params = strictObject({
  memmap_on_memory: param('memmap_on_memory'),
  // absent: CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE decides (parse.ts)
  auto_online_blocks: optional(PARAM_PARSERS.auto_online_blocks),
  online_policy: param('online_policy'),
  auto_movable_ratio: param('auto_movable_ratio'),
  auto_movable_numa_aware: param('auto_movable_numa_aware'),
  movable_node: param('movable_node'),
  v2_remove_guard: param('v2_remove_guard'),
  vmemmap_hotplug: param('vmemmap_hotplug'),
});

/** An installed onlining agent (docs/drivers.md "Onlining agents"); `online` defaults per agent. */
const agent = strictObject({
  name: required(oneOf(AGENT_NAMES, 'an onlining agent')),
  online: optional(oneOf(['online', 'online_kernel', 'online_movable'] as const, 'an online type')),
  react: optional(oneOf(AGENT_REACT, 'when the agent reacts (at-once, queued)')),
});

export const scenarioSchema = strictObject({
  name: optional(text('a scenario name')),
  description: optional(oneLine),
  kernel: withDefault(era, DEFAULT_KERNEL),
  arch: withDefault(oneOf(ARCH_NAMES, 'an architecture'), DEFAULT_ARCH),
  machine: machine.prefault({}),
  boot: z
    .array(bootNode)
    .min(1, { error: 'needs at least one boot node' })
    .prefault([{ node: DEFAULT_BOOT_NODE.node, size: DEFAULT_BOOT_NODE.size }]),
  params: params.prefault({}),
  agents: z.array(agent).optional(),
  ops: z.array(opSchema).prefault([]),
});

export type ParsedScenarioDocument = z.output<typeof scenarioSchema>;
