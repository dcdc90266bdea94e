/**
 * Swarm mode: random depth-first walks find the v2 hazard without a bound on
 * breadth, and ddmin shrinks what they find to the breadth-first search's
 * shortest length; a seed gives the same run every time.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/check/explore.ts';
import { StateSpace } from '../../src/check/mc/space.ts';
import { replayOps, shrinkOps } from '../../src/check/shrink.ts';
import { memberOps, swarm } from '../../src/check/swarm.ts';
import { prng } from '../../src/input/prng.ts';

describe('swarm', { timeout: 120_000 }, () => {
  it('finds the v2 DEVICE hazard and shrinks it to the shortest length BFS finds, breaking the same invariant', () => {
    const bfs = explore({ kernel: 'v2-2019', blocks: 3, depth: 4 });
    expect(bfs.counterexample).not.toBeNull();
    for (const seed of [1, 2, 3]) {
      const r = swarm({ kernel: 'v2-2019', blocks: 3, depth: 12, walks: 300, seed });
      const c = r.counterexample;
      expect(c, `seed ${seed}`).not.toBeNull();
      expect(c!.ops.length).toBe(bfs.counterexample!.ops.length);
      expect(c!.violation.invariant).toBe(bfs.counterexample!.violation.invariant);
      expect(c!.foundLength).toBeGreaterThanOrEqual(c!.ops.length);
      // the shrunk sequence is the hazard: a DEVICE add, then a remove of its first block
      expect(c!.ops[0]).toMatchObject({ op: 'add_memory', flags: ['MHP_MEMMAP_DEVICE'] });
      expect(c!.steps[1]).toMatch(/removes the first block of the \d-block DEVICE range added in step 1/);
    }
  });

  it('makes the same walks for the same seed, and different ones for another', () => {
    const a = swarm({ kernel: '6.8', blocks: 2, depth: 10, walks: 20, seed: 7 });
    const b = swarm({ kernel: '6.8', blocks: 2, depth: 10, walks: 20, seed: 7 });
    const c = swarm({ kernel: '6.8', blocks: 2, depth: 10, walks: 20, seed: 8 });
    expect(a.counterexample).toBeNull();
    expect({ ...a, elapsedMs: 0 }).toEqual({ ...b, elapsedMs: 0 });
    expect(a.transitions).not.toBe(c.transitions);
  });

  it('walks deeper than breadth-first search reaches, and finds nothing where the guard holds', () => {
    const r = swarm({ kernel: 'v2-2019', blocks: 3, depth: 40, walks: 30, seed: 1, params: { v2_remove_guard: true } });
    expect(r.counterexample).toBeNull();
    expect(r.walks).toBe(30);
    expect(r.deepest).toBeGreaterThan(10);
    expect(r.statesChecked).toBeGreaterThanOrEqual(r.distinctStates);
  });

  it('diversifies the swarm members: each keeps a way to add memory, walk 0 keeps every kind', () => {
    const space = new StateSpace({ kernel: '6.8', blocks: 2, extraOps: ['pin', 'inject', 'acpi_dimm'] });
    const kinds = (ix: number[]) => new Set(ix.map((i) => space.ops[i]!.op));
    expect(kinds(memberOps(space.ops, 0, prng(1)))).toEqual(new Set(space.ops.map((o) => o.op)));
    for (let w = 1; w < 30; w++) {
      const k = kinds(memberOps(space.ops, w, prng(w)));
      expect([...k].some((x) => x === 'add_memory' || x === 'acpi_dimm_add'), `walk ${w}`).toBe(true);
    }
  });

  it('shrinks a padded counterexample to a 1-minimal one (every operation left out loses the violation)', () => {
    const space = new StateSpace({ kernel: 'v2-2019', blocks: 3 });
    const find = (pred: (o: (typeof space.ops)[number]) => boolean) => space.ops.findIndex(pred);
    const bs = space.machine.blockSize;
    const start = space.machine.windowStart;
    const add = find((o) => o.op === 'add_memory' && o.size === 2 * bs && o.start === start && o.flags[0] === 'MHP_MEMMAP_DEVICE');
    const online = find((o) => o.op === 'state' && o.block === space.machine.firstBlock + 1 && o.value === 'online');
    const offline = find((o) => o.op === 'state' && o.block === space.machine.firstBlock + 1 && o.value === 'offline');
    const other = find((o) => o.op === 'add_memory' && o.start === start + 2 * bs && o.size === bs && o.flags.length === 0);
    const touch = find((o) => o.op === 'touch' && o.block === space.machine.firstBlock + 2);
    const remove = find((o) => o.op === 'remove_memory' && o.start === start && o.size === bs);
    const padded = [other, online, add, touch, online, offline, remove, touch];
    const r = shrinkOps(space, padded, 'memmap-in-present-memory');
    expect(r.ops).toEqual([add, remove]);
    for (let i = 0; i < r.ops.length; i++) expect(replayOps(space, r.ops.filter((_, j) => j !== i)).violation).toBeNull();
    expect(() => shrinkOps(space, [add], 'memmap-in-present-memory')).toThrow(/does not break/);
  });
});
