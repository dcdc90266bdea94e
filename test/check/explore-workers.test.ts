/**
 * `workers`: the search on worker threads over one shared visited set finds
 * the same states and the same verdict as on one thread, and a counterexample
 * of the same (shortest) length, which replays to the same broken invariant.
 * The visited set starts small, so these searches pause to grow it.
 */
import { describe, expect, it } from 'vitest';
import { EXTRA_OPS, explore, exploreAsync, type ExploreOptions } from '../../src/check/index.ts';
import { limitsOf } from '../../src/check/explore.ts';
import { SharedFpSet } from '../../src/check/mc/fpset.ts';
import { firstSeenStates, seenBound } from '../../src/check/mc/level.ts';

describe('explore on worker threads', () => {
  it.each([
    ['6.8 with every extra kind', { kernel: '6.8', blocks: 2, depth: 3, extraOps: [...EXTRA_OPS] }],
    ['v2 guarded, two nodes', { kernel: 'v2-2019', blocks: 2, nodes: 2, depth: 4, params: { v2_remove_guard: true } }],
    ['6.8 with symmetry', { kernel: '6.8', blocks: 3, depth: 4, symmetry: true }],
  ] as [string, ExploreOptions][])('%s: the same states and verdict on 2 threads as on 1', async (_name, o) => {
    const one = explore(o);
    const two = await exploreAsync({ ...o, workers: 2 });
    expect(one.complete).toBe(true);
    expect(two.complete).toBe(true);
    expect(two.statesExplored).toBe(one.statesExplored);
    expect(two.transitions).toBe(one.transitions);
    // how many states symmetry saved may differ: which of a state and its mirror image a thread
    // stores first decides which images are reached later, and so counted as folded
    expect(two.symmetry.applied).toBe(one.symmetry.applied);
    if (one.symmetry.applied) expect(two.symmetry.saved).toBeGreaterThan(0);
    expect(two.counterexample).toBeNull();
    // the shared set grew on the way (its first size: ./level.ts)
    const first = SharedFpSet.buffers(firstSeenStates(seenBound(limitsOf(o).maxStates, false), 2 * one.operations)).slots.byteLength;
    expect(two.seenBytes).toBeGreaterThan(first);
    // each thread says how much of the search it worked: some, and never more than all of it
    expect(one.threadBusy).toEqual([1]);
    expect(two.threadBusy).toHaveLength(2);
    // the threads' start-up is not in the search's time, as one thread's state space is not
    expect(two.startupMs).toBeGreaterThan(0);
    for (const b of two.threadBusy) {
      expect(b).toBeGreaterThan(0);
      expect(b).toBeLessThanOrEqual(1);
    }
  });

  it('v2 without the guard: a 2-operation counterexample on 2 threads, as on 1', async () => {
    const o: ExploreOptions = { kernel: 'v2-2019', blocks: 3, nodes: 2, depth: 4, extraOps: [...EXTRA_OPS] };
    const one = explore(o);
    const two = await exploreAsync({ ...o, workers: 2 });
    expect(one.counterexample?.ops).toHaveLength(2);
    expect(two.counterexample?.ops).toHaveLength(2);
    expect(two.counterexample?.violation.invariant).toBe(one.counterexample?.violation.invariant);
  });

  it('refuses a worker count that is not a positive whole number', async () => {
    await expect(exploreAsync({ workers: 0 })).rejects.toThrow(/workers must be a positive integer, got 0/);
  });
});
