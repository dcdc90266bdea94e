/**
 * Breakpoints and watchpoints, and what it means for one to hit at a step.
 *
 * Step n is the world after events 1..n; the event "at" step n is event n
 * (the one that led there). A breakpoint hits at step n when:
 * - event:     event n matches every given field (match.ts);
 * - when:      the predicate holds in world n;
 * - invariant: the injected check reports violations in world n, where n is
 *              an operation boundary (every effect of one operation applied:
 *              the next event is an op, or n is the last step). Inside an
 *              operation the kernel's counters are legitimately half-updated;
 *              `everyStep: true` checks those steps too. Step 0 (before
 *              boot) is never checked;
 * - watch:     the value at the path differs between worlds n-1 and n.
 * continue() stops at the first hit after the cursor, reverseContinue() at
 * the last hit before it, so both directions stop at the same steps.
 */
import { isDeepStrictEqual } from 'node:util';
import type { MemhpEvent } from '../engine/events.ts';
import type { World } from '../engine/world.ts';
import { eventMatches, type EventMatch } from './match.ts';
import { parsePath, type ParsedPath } from './path.ts';
import { parsePredicate, type Predicate } from './predicate.ts';
import { evaluate } from './resolve.ts';

/** Reports broken invariants in a world (e.g. src/check's checkInvariants); empty = all hold. */
export type InvariantCheck = (world: World) => readonly unknown[];

export type Breakpoint =
  | { kind: 'event'; match: EventMatch }
  | { kind: 'when'; predicate: Predicate }
  | { kind: 'invariant'; check: InvariantCheck; everyStep?: boolean }
  | { kind: 'watch'; path: ParsedPath };

export interface Hit {
  step: number;
  breakpoint: Breakpoint;
  /** The event that led to the step (null at step 0). */
  event: MemhpEvent | null;
  /** watch: the value before and after the event */
  before?: unknown;
  after?: unknown;
  /** invariant: what the check reported */
  violations?: readonly unknown[];
}

export { eventMatches, type EventMatch };

export const breakOnEvent = (match: EventMatch): Breakpoint => ({ kind: 'event', match });
export const breakWhen = (predicate: string | Predicate): Breakpoint => ({ kind: 'when', predicate: typeof predicate === 'string' ? parsePredicate(predicate) : predicate });
export const breakOnInvariant = (check: InvariantCheck, opts: { everyStep?: boolean } = {}): Breakpoint => ({ kind: 'invariant', check, ...opts });
export const watch = (path: string | ParsedPath): Breakpoint => ({ kind: 'watch', path: typeof path === 'string' ? parsePath(path) : path });

/** Text of a breakpoint as the stepper lists it. */
export function describeBreakpoint(b: Breakpoint): string {
  switch (b.kind) {
    case 'event':
      return `break ${Object.entries(b.match).map(([k, v]) => `${k}=${v}`).join(' ') || '(every event)'}`;
    case 'when':
      return `break when ${b.predicate.source}`;
    case 'invariant':
      return 'break invariant';
    case 'watch':
      return `watch ${b.path.text}`;
  }
}

/**
 * Checks the breakpoints at one step. `world` is world n, `boundary` says
 * whether n is an operation boundary, `prev` lazily
 * gives world n-1 (only watchpoints need it); values of watched paths are
 * memoised per world by the caller through `valueAt`.
 */
export function hitsAt(
  step: number,
  event: MemhpEvent | null,
  world: World,
  boundary: boolean,
  prev: (() => World) | null,
  breakpoints: readonly Breakpoint[],
  valueAt: (w: World, p: ParsedPath) => unknown = evaluate,
): Hit[] {
  const hits: Hit[] = [];
  for (const b of breakpoints) {
    switch (b.kind) {
      case 'event':
        if (event && eventMatches(event, b.match)) hits.push({ step, breakpoint: b, event });
        break;
      case 'when':
        if (b.predicate.test(world)) hits.push({ step, breakpoint: b, event });
        break;
      case 'invariant': {
        // Before boot nothing exists for an invariant to be about.
        if ((!boundary && !b.everyStep) || world.hotplug === 'absent') break;
        const violations = b.check(world);
        if (violations.length > 0) hits.push({ step, breakpoint: b, event, violations });
        break;
      }
      case 'watch': {
        if (!prev) break;
        const before = valueAt(prev(), b.path);
        const after = valueAt(world, b.path);
        if (!isDeepStrictEqual(before, after)) hits.push({ step, breakpoint: b, event, before, after });
        break;
      }
    }
  }
  return hits;
}

export const needsWorld = (bps: readonly Breakpoint[]) => bps.some((b) => b.kind !== 'event');
