/**
 * The testing API: build a system from a scenario or from code, apply
 * operations, read the world, and say Given/When/Then. Assertions throw
 * node's AssertionError, so they work under any test runner; the vitest
 * matchers (matchers.ts) say the same things in expect() form.
 */
import { AssertionError } from 'node:assert';
import type { MemhpEvent } from '../engine/events.ts';
import { HotplugSystem, type OpResult } from '../engine/system.ts';
import { toView } from '../engine/to-view.ts';
import type { BlockView, WorldView } from '../engine/view.ts';
import type { World } from '../engine/world.ts';
import type { ArchName, BootNode, Era, MachineSpec, MhpFlag, OnlineType, Params, RuntimeParam, SystemSpec } from '../kernel/types.ts';
import type { Op, Scenario } from '../kernel/ops.ts';
import { DEFAULT_BOOT_NODE, DEFAULT_PARAMS, loadScenarioFile, parseSize } from '../scenario/index.ts';
import { checkInvariants } from './invariants/index.ts';
import type { Invariant, Violation } from './types.ts';

type Size = number | string;
const bytes = (s: Size) => (typeof s === 'number' ? s : parseSize(s));

export interface MachineInput {
  name?: string;
  kernel?: Era;
  arch?: ArchName;
  machine?: Partial<Omit<MachineSpec, 'memoryBlockSize'>> & { memoryBlockSize?: Size };
  /** Boot nodes in address order; sizes accept '4G', '128M' or bytes. Default: one 4 GiB node. */
  boot?: (Partial<Omit<BootNode, 'size' | 'used'>> & { size?: Size; used?: Size })[];
  params?: Partial<Params>;
}

/** A system description from code, with the scenario defaults for everything left out. */
export function systemSpec(input: MachineInput = {}): SystemSpec {
  const boot = (input.boot ?? [{}]).map((n, i) => ({
    node: n.node ?? i,
    size: bytes(n.size ?? DEFAULT_BOOT_NODE.size),
    used: bytes(n.used ?? 0),
    maxFreeOrder: n.maxFreeOrder ?? DEFAULT_BOOT_NODE.maxFreeOrder,
  }));
  const { memoryBlockSize, ...machine } = input.machine ?? {};
  return {
    name: input.name ?? 'test',
    kernel: input.kernel ?? '6.8',
    arch: input.arch ?? 'x86_64',
    machine: {
      hypervisor: true,
      sparsemem: 'vmemmap',
      possibleNodes: Math.max(boot.length, ...boot.map((n) => n.node + 1)),
      ...machine,
      ...(memoryBlockSize !== undefined ? { memoryBlockSize: bytes(memoryBlockSize) } : {}),
    },
    boot,
    params: { ...DEFAULT_PARAMS, ...input.params },
  };
}

export type SystemSource = SystemSpec | Scenario | MachineInput | string;

function isSpec(s: object): s is SystemSpec {
  return 'boot' in s && 'params' in s && 'machine' in s && Array.isArray((s as SystemSpec).boot) && typeof (s as SystemSpec).boot[0]?.size === 'number';
}

/**
 * A booted system from a scenario file (its operations applied), a Scenario,
 * a SystemSpec or a MachineInput. Decides through the machines' tables by
 * default (fast); pass actors: 'live' for real XState actors.
 */
export function buildSystem(source: SystemSource = {}, opts: { actors?: 'live' | 'table' } = {}): HotplugSystem {
  const scenario: Partial<Scenario> & SystemSpec =
    typeof source === 'string' ? loadScenarioFile(source) : isSpec(source) ? source : systemSpec(source as MachineInput);
  const { ops = [], ...spec } = scenario as Scenario;
  const sys = new HotplugSystem(spec, { actors: opts.actors ?? 'table' });
  for (const op of ops) sys.apply(op);
  return sys;
}

/** Applies operations in order; throws naming the operation if one returns an error. */
export function applyAll(sys: HotplugSystem, ...ops: Op[]): OpResult[] {
  return ops.map((op, i) => {
    const r = sys.apply(op);
    if (r.ret !== 0) throw new AssertionError({ message: `operation ${i + 1} ${JSON.stringify(op)} returned -${r.errno}: ${r.message ?? ''}` });
    return r;
  });
}

/** Operation builders with sizes as '8G' / '128M' / bytes. */
export const ops = {
  add: (start: Size, size: Size, flags: MhpFlag[] = [], node = 0): Op => ({ op: 'add_memory', node, start: bytes(start), size: bytes(size), flags }),
  probe: (addr: Size): Op => ({ op: 'probe', addr: bytes(addr) }),
  online: (block: number, value: Exclude<OnlineType, 'offline'> = 'online'): Op => ({ op: 'state', block, value }),
  offline: (block: number): Op => ({ op: 'state', block, value: 'offline' }),
  remove: (start: Size, size: Size): Op => ({ op: 'remove_memory', start: bytes(start), size: bytes(size) }),
  offlineAndRemove: (start: Size, size: Size): Op => ({ op: 'offline_and_remove_memory', start: bytes(start), size: bytes(size) }),
  set: (param: RuntimeParam, value: string | number | boolean): Op => ({ op: 'set', param, value }),
  touch: (block: number): Op => ({ op: 'touch', block }),
  pin: (block: number): Op => ({ op: 'pin', block }),
  unpin: (block: number): Op => ({ op: 'unpin', block }),
};

/** Is `actual` a superset of `expected` (objects: every expected key matches; arrays: same length, element-wise)? */
export function matchesPartial(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return Object.is(actual, expected);
  if (actual === null || typeof actual !== 'object') return false;
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matchesPartial(actual[i], e));
  return Object.entries(expected).every(([k, v]) => matchesPartial((actual as Record<string, unknown>)[k], v));
}

export type EventPattern = Partial<Record<string, unknown>> & { type?: MemhpEvent['type'] };

const fail = (message: string): never => {
  throw new AssertionError({ message });
};

/** What happened when the operation under test ran: the result, its events and the world after. */
export class Outcome {
  constructor(
    readonly system: HotplugSystem,
    readonly op: Op,
    readonly result: OpResult,
  ) {}
  get events(): readonly MemhpEvent[] {
    return this.result.events;
  }
  get world(): World {
    return this.system.world;
  }
  get view(): WorldView {
    return toView(this.system.world);
  }

  /** Then the operation returns this errno ('EINVAL', …) or succeeds (null / 0). */
  thenErrno(errno: string | null | 0): this {
    const want = errno === 0 ? null : errno;
    if (this.result.errno !== want)
      fail(`expected ${JSON.stringify(this.op)} to ${want ? `fail with -${want}` : 'succeed'}, but it ${this.result.errno ? `failed with -${this.result.errno}: ${this.result.message ?? ''}` : 'succeeded'}`);
    return this;
  }

  /** Then the operation's events contain these patterns, in this order (other events may come between). */
  thenEvents(...patterns: EventPattern[]): this {
    let i = 0;
    for (const p of patterns) {
      while (i < this.events.length && !matchesPartial(this.events[i], p)) i++;
      if (i === this.events.length)
        fail(`expected the events of ${JSON.stringify(this.op)} to contain ${JSON.stringify(p)} (in order); they were:\n${this.events.map((e) => JSON.stringify(e)).join('\n')}`);
      i++;
    }
    return this;
  }

  /** Then the world (as the JSON view) looks like this: a partial view to match, or a function that throws or returns false. */
  thenWorld(expect: ((view: WorldView) => boolean | void) | Partial<Record<keyof WorldView, unknown>>): this {
    const view = this.view;
    if (typeof expect === 'function') {
      if (expect(view) === false) fail(`the world after ${JSON.stringify(this.op)} does not satisfy ${expect.toString()}`);
    } else if (!matchesPartial(view, expect)) fail(`the world after ${JSON.stringify(this.op)} does not match ${JSON.stringify(expect)}`);
    return this;
  }

  /** Then memoryN exists and is in this state ('online', 'offline', …), or is gone (null). */
  thenBlock(id: number, state: BlockView['state'] | null): this {
    const b = this.view.blocks.find((x) => x.id === id);
    if (state === null && b) fail(`expected memory${id} to be removed, but it is ${b.state}`);
    if (state !== null && b?.state !== state) fail(`expected memory${id} to be ${state}, but it is ${b ? b.state : 'removed'}`);
    return this;
  }

  /** Then every invariant holds (or only the given ones). */
  thenInvariantsHold(invariants?: readonly Invariant[]): this {
    const v = checkInvariants({ world: this.system.world, events: this.system.events }, invariants);
    if (v.length) fail(`after ${JSON.stringify(this.op)}, ${v.length} invariant violation(s):\n${v.map((x) => `${x.invariant}: ${x.message}`).join('\n')}`);
    return this;
  }

  /** Then this invariant is broken (a hazard the test expects to see). */
  thenViolates(invariant: string): Violation[] {
    const v = checkInvariants({ world: this.system.world, events: this.system.events }).filter((x) => x.invariant === invariant);
    if (v.length === 0) fail(`expected invariant ${invariant} to be broken after ${JSON.stringify(this.op)}, but it holds`);
    return v;
  }
}

export class Given {
  constructor(readonly system: HotplugSystem) {}
  /** When this operation runs (after the given ones). */
  when(op: Op): Outcome {
    return new Outcome(this.system, op, this.system.apply(op));
  }
}

/** Given a system and these operations (each must succeed), … */
export function given(source: SystemSource, ...setup: Op[]): Given {
  const sys = buildSystem(source);
  applyAll(sys, ...setup);
  return new Given(sys);
}

/** Runs operations from boot, checking invariants after each: the first violation, or null. */
export function firstViolationOf(spec: SystemSpec, sequence: readonly Op[], invariants?: readonly Invariant[]): { step: number; op: Op; violation: Violation } | null {
  const sys = new HotplugSystem(spec, { actors: 'table' });
  const state = invariants?.filter((i) => i.name !== 'replay-reproduces-world');
  for (let i = 0; i < sequence.length; i++) {
    sys.apply(sequence[i]!);
    const v = checkInvariants({ world: sys.world }, state);
    if (v.length) return { step: i + 1, op: sequence[i]!, violation: v[0]! };
  }
  const v = checkInvariants({ world: sys.world, events: sys.events }, invariants);
  return v.length ? { step: sequence.length, op: sequence[sequence.length - 1] ?? { op: 'boot' }, violation: v[0]! } : null;
}
