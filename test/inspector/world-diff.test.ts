/** The table diff says what the full-view diff says, on every step of the real seed log. */
import { describe, expect, it } from 'vitest';
import { backendFromScenario } from '../../src/inspector/engine-backend.ts';
import { diffViews, diffWorlds } from '../../src/timeline/diff.ts';
import { mapPatch } from '../../src/inspector/server/patch.ts';
import { toView } from '../../src/engine/to-view.ts';
import { SEED } from './helpers/logs.ts';

describe('diffWorlds', { timeout: 60_000 }, () => {
  const b = backendFromScenario(SEED);
  const last = b.info().lastSeq;
  const ops = b.search({ type: 'op' });

  it('names the same changes as comparing whole views, step by step and operation by operation', () => {
    const pairs: Array<[number, number]> = [];
    for (let s = 1; s <= last; s++) pairs.push([s - 1, s]);
    for (let i = 0; i < ops.length; i++) pairs.push([ops[i]! - 1, i + 1 < ops.length ? ops[i + 1]! - 1 : last]);
    pairs.push([0, last], [last, 0], [ops[1]! - 1, last]);
    for (const [x, y] of pairs) {
      const want = diffViews(toView(b.worldState(x)), toView(b.worldState(y)));
      expect(diffWorlds(b.worldState(x), b.worldState(y)), `${x} -> ${y}`).toEqual(want);
    }
  });

  it('patches a map from any step to any other into the full map of the target', () => {
    const full = (s: number) => mapPatch(null, b.worldState(s), null, []);
    // apply a patch to a keyed copy of a full map, as the page does
    const apply = (m: Map<string, unknown>, p: ReturnType<typeof full>) => {
      for (const id of p.blocks.del) m.delete(`b${id}`);
      p.blocks.id.forEach((id, i) => m.set(`b${id}`, [p.blocks.state[i], p.blocks.zone[i], p.blocks.node[i], p.blocks.vmemmapPages[i], p.blocks.flags[i]]));
      for (const nr of p.sections.del) m.delete(`s${nr}`);
      p.sections.nr.forEach((nr, i) => m.set(`s${nr}`, [p.sections.block[i], p.sections.state[i], p.sections.memmapKind[i], p.sections.memmapNode[i], p.sections.memmapHead[i]]));
      for (const h of p.vmemmap.del) m.delete(`v${h}`);
      for (const v of p.vmemmap.set) m.set(`v${v.headPfn}`, v);
      return m;
    };
    const keyed = (s: number) => apply(new Map(), full(s));
    const bootEnd = ops[1]! - 1;
    for (const [x, y] of [[bootEnd, last], [last, bootEnd], [last - 3, last - 2], [0, last], [290, 301], [301, 290]] as const) {
      const p = mapPatch(b.worldState(x), b.worldState(y), x, []);
      expect(p.geometry).toBeUndefined();
      expect(apply(keyed(x), p), `${x} -> ${y}`).toEqual(keyed(y));
    }
    // one step is a few entries, not the map
    const step = mapPatch(b.worldState(last - 1), b.worldState(last), last - 1, []);
    expect(step.blocks.id.length + step.sections.nr.length + step.vmemmap.set.length).toBeLessThan(10);
  });
});
