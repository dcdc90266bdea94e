/**
 * `workers`: the search on worker threads over one shared visited set finds
 * the same states and the same verdict as on one thread, and a counterexample
 * of the same (shortest) length, which replays to the same broken invariant.
 */
import { describe, expect, it } from 'vitest';
import { EXTRA_OPS, explore, exploreAsync, type ExploreOptions } from '../../src/check/index.ts';

describe('explore on worker threads', () => {
  it.each([
    ['6.8 with every extra kind', { kernel: '6.8', blocks: 2, depth: 3, extraOps: [...EXTRA_OPS] }],
    ['v2 guarded, two nodes', { kernel: 'v2-2019', blocks: 2, nodes: 2, depth: 4, params: { v2_remove_guard: true } }],
  ] as [string, ExploreOptions][])('%s: the same states and verdict on 2 threads as on 1', async (_name, o) => {
    const one = explore(o);
    const two = await exploreAsync({ ...o, workers: 2 });
    expect(one.complete).toBe(true);
    expect(two.complete).toBe(true);
    expect(two.statesExplored).toBe(one.statesExplored);
    expect(two.transitions).toBe(one.transitions);
    expect(two.counterexample).toBeNull();
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
