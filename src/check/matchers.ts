/**
 * vitest / jest matchers for memhp, as plain functions: no runtime import of
 * a test runner, so the library can export them. Install them with
 * `expect.extend(memhpMatchers)` or import 'src/check/vitest.ts'.
 */
import type { MemhpEvent } from '../engine/events.ts';
import { HotplugSystem, type OpResult } from '../engine/system.ts';
import { toView } from '../engine/to-view.ts';
import type { BlockView, WorldView } from '../engine/view.ts';
import type { World } from '../engine/world.ts';
import { checkInvariants } from './invariants/index.ts';
import { matchesPartial, type EventPattern } from './testing.ts';
import type { CheckInput, Invariant } from './types.ts';

interface MatcherContext {
  isNot: boolean;
}
interface MatcherResult {
  pass: boolean;
  message: () => string;
}

const isWorld = (x: unknown): x is World => typeof x === 'object' && x !== null && 'blocks' in x && 'system' in x && 'hotplug' in x;

function checkInputOf(received: unknown): CheckInput {
  if (received instanceof HotplugSystem) return { world: received.world, events: received.events };
  if (isWorld(received)) return { world: received };
  if (typeof received === 'object' && received !== null && 'world' in received && isWorld((received as CheckInput).world)) return received as CheckInput;
  throw new TypeError('toSatisfyInvariants expects a HotplugSystem, a World or { world, events }');
}

function viewOf(received: unknown): WorldView {
  if (received instanceof HotplugSystem) return received.view();
  if (isWorld(received)) return toView(received);
  if (typeof received === 'object' && received !== null && 'blocks' in received && 'version' in received) return received as WorldView;
  throw new TypeError('expected a HotplugSystem, a World or a WorldView');
}

function eventsOf(received: unknown): readonly MemhpEvent[] {
  if (received instanceof HotplugSystem) return received.events;
  if (Array.isArray(received)) return received as MemhpEvent[];
  if (typeof received === 'object' && received !== null && 'events' in received) return (received as OpResult).events;
  throw new TypeError('toHaveEvent expects an OpResult, a HotplugSystem or an array of events');
}

export const memhpMatchers = {
  /** expect(system | world | { world, events }).toSatisfyInvariants([invariants]) */
  toSatisfyInvariants(this: MatcherContext, received: unknown, invariants?: readonly Invariant[]): MatcherResult {
    const v = checkInvariants(checkInputOf(received), invariants);
    return {
      pass: v.length === 0,
      message: () =>
        v.length === 0
          ? 'expected an invariant to be broken, but every invariant holds'
          : `expected every invariant to hold, but ${v.length} violation(s):\n${v.map((x) => `  ${x.invariant}: ${x.message}`).join('\n')}`,
    };
  },
  /** expect(system | world | view).toHaveBlock(65, 'online') — or toHaveBlock(65) for "exists" */
  toHaveBlock(this: MatcherContext, received: unknown, id: number, state?: BlockView['state']): MatcherResult {
    const b = viewOf(received).blocks.find((x) => x.id === id);
    const pass = !!b && (state === undefined || b.state === state);
    const want = state ? `memory${id} ${state}` : `memory${id}`;
    return {
      pass,
      message: () => (this.isNot ? `expected no ${want}, but it is ${b?.state}` : `expected ${want}, but ${b ? `it is ${b.state}` : 'there is no such block'}`),
    };
  },
  /** expect(opResult).toHaveErrno('EBUSY') — or null for success */
  toHaveErrno(this: MatcherContext, received: OpResult, errno: string | null): MatcherResult {
    const pass = received.errno === errno;
    return {
      pass,
      message: () =>
        this.isNot
          ? `expected the operation not to return ${errno ? `-${errno}` : 'success'}`
          : `expected ${errno ? `-${errno}` : 'success'}, got ${received.errno ? `-${received.errno}: ${received.message ?? ''}` : 'success'}`,
    };
  },
  /** expect(opResult | system | events).toHaveEvent({ type: 'vmemmap', action: 'orphan' }) */
  toHaveEvent(this: MatcherContext, received: unknown, pattern: EventPattern): MatcherResult {
    const events = eventsOf(received);
    const hit = events.find((e) => matchesPartial(e, pattern));
    return {
      pass: !!hit,
      message: () =>
        hit
          ? `expected no event matching ${JSON.stringify(pattern)}, found ${JSON.stringify(hit)}`
          : `expected an event matching ${JSON.stringify(pattern)} among ${events.length} events`,
    };
  },
};

/** The matcher signatures as a test author calls them (for declaration merging with a runner's Assertion type). */
export interface MemhpMatchers<R = unknown> {
  toSatisfyInvariants(invariants?: readonly Invariant[]): R;
  toHaveBlock(id: number, state?: BlockView['state']): R;
  toHaveErrno(errno: string | null): R;
  toHaveEvent(pattern: EventPattern): R;
}
