/**
 * The new search (src/check/mc) against the explorer it replaced
 * (scripts/bench/explore-baseline.ts: canonical string keys, SHA-1, a list of
 * worlds) on every small configuration: every era, 1 and 2 blocks, 1 and 2
 * nodes, the default and the full operation set, the v2 guard on and off.
 * Breadth-first in the same order, so the two must agree exactly: the same
 * number of states and transitions, the same verdict, the same counterexample.
 */
import { describe, expect, it } from 'vitest';
import { EXTRA_OPS, explore, type ExploreOptions } from '../../src/check/index.ts';
import { ERAS } from '../../src/kernel/types.ts';
import { exploreBaseline } from '../../scripts/bench/explore-baseline.ts';

const configs: [string, ExploreOptions][] = [];
for (const kernel of ERAS)
  for (const blocks of [1, 2])
    for (const nodes of [1, 2])
      for (const all of [false, true]) {
        const o: ExploreOptions = { kernel, blocks, nodes, depth: all ? 2 : 3, ...(all ? { extraOps: [...EXTRA_OPS] } : {}) };
        configs.push([`${kernel} ${blocks} block(s) ${nodes} node(s)${all ? ' every kind' : ''}`, o]);
        if (kernel === 'v2-2019') configs.push([`${kernel} ${blocks} block(s) ${nodes} node(s)${all ? ' every kind' : ''} guarded`, { ...o, params: { v2_remove_guard: true } }]);
      }

describe('the new search finds what the old explorer found', () => {
  it.each(configs)('%s', (_name, o) => {
    const old = exploreBaseline(o);
    const now = explore(o);
    expect(now.statesExplored).toBe(old.statesExplored);
    expect(now.transitions).toBe(old.transitions);
    expect(now.complete).toBe(old.complete);
    expect(now.exhausted).toBe(old.exhausted);
    expect(now.depthReached).toBe(old.depthReached);
    expect(now.counterexample?.ops).toEqual(old.counterexample?.ops);
    expect(now.counterexample?.violation).toEqual(old.counterexample?.violation);
  });

  it('the v2 hazard at its shortest length on 3 blocks, as before', () => {
    const o: ExploreOptions = { kernel: 'v2-2019', blocks: 3, depth: 4 };
    const old = exploreBaseline(o);
    const now = explore(o);
    expect(old.counterexample?.ops).toHaveLength(2);
    expect(now.counterexample?.ops).toEqual(old.counterexample?.ops);
    expect(now.statesExplored).toBe(old.statesExplored);
  });
});
