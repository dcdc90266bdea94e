/**
 * The page's map model and altmap index follow patches incrementally (sorted
 * heads patched in place, only touched altmap groups rebuilt); after every
 * patch they must equal what a full build of the same world gives. Real
 * patches from the real seed log, step by step and by far jumps.
 */
import { describe, expect, it } from 'vitest';
import { backendFromScenario } from '../../src/inspector/engine-backend.ts';
import { mapPatch } from '../../src/inspector/server/patch.ts';
import { MapModel, patchSorted, type MapView } from '../../src/inspector/web/model.ts';
import { AltmapIndex, altmapGroups } from '../../src/inspector/web/altmap.ts';
import type { VmemmapView } from '../../src/engine/view.ts';
import { SEED } from './helpers/logs.ts';

/** First present section of block `slot`, as the map indexes it. */
function firstSection(f: MapView, slot: number): number {
  const spb = f.sectionsPerBlock;
  if (slot >= f.cap || !f.blocks.present[slot]) return -1;
  for (let nr = slot * spb; nr < (slot + 1) * spb && nr < f.sections.present.length; nr++) if (f.sections.present[nr]) return nr;
  return -1;
}

function expectSameIndex(a: AltmapIndex, b: AltmapIndex, blocks: number, at: string): void {
  expect(a.groups, at).toEqual(b.groups);
  for (let bi = 0; bi < blocks; bi++) expect(a.groupOf(bi), `${at} block ${bi}`).toEqual(b.groupOf(bi));
}

describe('incremental map model', { timeout: 120_000 }, () => {
  const b = backendFromScenario(SEED);
  const last = b.info().lastSeq;

  it('keeps heads sorted and altmap groups equal to a full rebuild, patch after patch', () => {
    const model = new MapModel();
    model.apply(mapPatch(null, b.worldState(0), null, []));
    let secFirst = Int32Array.from({ length: model.view!.cap }, (_, s) => firstSection(model.view!, s));
    const alt = new AltmapIndex();
    alt.rebuild(model.view!, secFirst);
    let seq = 0;
    let touchedGroups = 0;
    let railed = false;
    let grew = false;
    const go = (y: number) => {
      const change = model.apply(mapPatch(b.worldState(seq), b.worldState(y), seq, []))!;
      expect(change, `${seq} -> ${y}`).not.toBeNull();
      const f = model.view!;
      const at = `${seq} -> ${y}`;
      if (change.full) {
        secFirst = Int32Array.from({ length: f.cap }, (_, s) => firstSection(f, s));
        alt.rebuild(f, secFirst);
      } else {
        // as the map does: columns that grew keep their index, the new blocks come as dirty slots
        if (secFirst.length < f.cap) { const g = new Int32Array(f.cap).fill(-1); g.set(secFirst); secFirst = g; grew = true; }
        alt.grow(secFirst.length);
        for (const s of change.slots) if (s < secFirst.length) secFirst[s] = firstSection(f, s);
        const c = alt.update(f, secFirst, change.slots, change.heads);
        touchedGroups += c.after.length + c.before.length;
      }
      seq = y;
      const fresh = new MapModel();
      fresh.apply(mapPatch(null, b.worldState(y), null, []));
      expect(f.vmemmap, at).toEqual(fresh.view!.vmemmap);
      const F = fresh.view!;
      for (let nr = 0; nr < F.sections.present.length; nr++) {
        if (F.sections.present[nr]) expect(f.sections.memmapLost[nr], `${at} section ${nr}`).toBe(F.sections.memmapLost[nr]);
      }
      expectSameIndex(alt, altmapGroups(f, secFirst), f.cap, at);
      if (alt.groups.some((g) => g.remote.length > 0)) railed = true;
    };
    for (let s = 1; s <= last; s++) go(s);
    for (const y of [0, last, Math.floor(last / 2), Math.floor(last / 3), last - 5, 3, Math.floor((2 * last) / 3), last]) go(y);
    // the walk did exercise what it checks: groups rebuilt by patches, a DEVICE range's rail
    expect(touchedGroups).toBeGreaterThan(0);
    expect(railed).toBe(true);
    expect(grew).toBe(true);
  });

  it('patches a sorted list like sorting the union', () => {
    const v = (headPfn: number, nrPages = 1): VmemmapView => ({ headPfn, nrPages, refcount: 1, sections: [], node: 0, orphaned: false });
    const ref = (xs: VmemmapView[], del: number[], set: VmemmapView[]) => {
      const m = new Map(xs.map((x) => [x.headPfn, x]));
      for (const h of del) m.delete(h);
      for (const h of set) m.set(h.headPfn, h);
      return [...m.values()].sort((x, y) => x.headPfn - y.headPfn);
    };
    // a deterministic walk over small and large patches (splice and merge paths)
    let xs: VmemmapView[] = [];
    let r = 12345;
    const rnd = (n: number) => { r = (r * 1103515245 + 12345) % 2 ** 31; return r % n; };
    for (let round = 0; round < 200; round++) {
      const big = round % 5 === 0;
      const del = Array.from({ length: rnd(big ? 80 : 4) }, () => (rnd(3) ? xs[rnd(Math.max(1, xs.length))]?.headPfn ?? 7 : rnd(1000)));
      const set = Array.from({ length: rnd(big ? 80 : 4) }, () => v(rnd(1000), round));
      const want = ref(xs, del, set);
      xs = patchSorted([...xs], del, set);
      expect(xs, `round ${round}`).toEqual(want);
    }
  });
});
