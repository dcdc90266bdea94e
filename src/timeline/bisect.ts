/**
 * bisect: the first step where a predicate holds, by binary search over
 * checkpointed seeks — O(log n) worlds, each at most one checkpoint
 * interval of events away from a checkpoint.
 *
 * It assumes the predicate is monotone over the searched range: false up to
 * some step and true from there on (a fault, once recorded, stays; a taint
 * stays). For a predicate that flips back and forth it returns *a* step
 * where it becomes true (false at step-1, true at step), not necessarily the
 * first one; use reverseContinue/continue with a `when` breakpoint to visit
 * every such step.
 */
import type { MemhpEvent } from '../engine/events.ts';
import type { Predicate } from './predicate.ts';
import type { Timeline } from './timeline.ts';

export interface BisectResult {
  /** The first step where the predicate holds (0: it holds before any event). */
  step: number;
  /** The event that made it hold (null when step is 0). */
  event: MemhpEvent | null;
  /** Worlds evaluated. */
  probes: number;
}

export function bisect(timeline: Timeline, predicate: Predicate, range: { from?: number; to?: number } = {}): BisectResult | null {
  let lo = range.from ?? 0;
  let hi = range.to ?? timeline.length;
  let probes = 0;
  const holds = (n: number) => {
    probes++;
    return predicate.test(timeline.worldAt(n));
  };
  if (!holds(hi)) return null;
  if (holds(lo)) return { step: lo, event: lo === 0 ? null : timeline.eventAt(lo), probes };
  // Invariant: false at lo, true at hi.
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (holds(mid)) hi = mid;
    else lo = mid;
  }
  return { step: hi, event: timeline.eventAt(hi), probes };
}
