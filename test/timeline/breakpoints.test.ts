/** Breakpoints, watchpoints, lastWrite, actor history and diff over a known story and random logs. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { toView } from '../../src/engine/to-view.ts';
import { tableValues } from '../../src/engine/table.ts';
import type { World } from '../../src/engine/world.ts';
import { breakOnEvent, breakOnInvariant, breakWhen, evaluateInView, parsePath, Timeline, watch, type Breakpoint } from '../../src/timeline/index.ts';
import { logOf, scenarioArb, SPEC_V2, STORY, storyLog } from './helpers/logs.ts';

const story = () => Timeline.fromEvents(SPEC_V2, storyLog(), { checkpointInterval: 32 });

/** An invariant: a vmemmap whose backing memory was removed must serve no section. */
const noOrphanedVmemmapInUse = (w: World) => [...tableValues(w.vmemmap)].filter((v) => v.orphanedBy !== null && v.refcount > 0).map((v) => `vmemmap head ${v.headPfn} orphaned with refcount ${v.refcount}`);

function stopsForward(tl: Timeline, bps: Breakpoint[]): number[] {
  const out: number[] = [];
  tl.seek(0);
  for (;;) {
    const r = tl.continue(bps);
    if (r.hits.length === 0) return out;
    out.push(r.step);
  }
}
function stopsBackward(tl: Timeline, bps: Breakpoint[]): number[] {
  const out: number[] = [];
  tl.seek(tl.length);
  for (;;) {
    const r = tl.reverseContinue(bps);
    if (r.hits.length === 0) return out;
    out.push(r.step);
  }
}

describe('breakpoints on events', () => {
  test('continue stops at each transition of memory65, then runs to the end', () => {
    const tl = story();
    const bps = [breakOnEvent({ actor: 'memory65' })];
    expect(tl.continue(bps)).toMatchObject({ step: STORY.memory65Added, hits: [{ step: STORY.memory65Added }] });
    expect(tl.continue(bps).step).toBe(STORY.memory65Online);
    expect(tl.continue(bps)).toEqual({ step: tl.length, hits: [] });
    expect(tl.cursor).toBe(tl.length);
  });

  test('reverseContinue stops at the same steps in reverse, then runs to step 0', () => {
    const tl = story();
    tl.seek(tl.length);
    const bps = [breakOnEvent({ actor: 'memory65' })];
    expect(tl.reverseContinue(bps).step).toBe(STORY.memory65Online);
    expect(tl.reverseContinue(bps).step).toBe(STORY.memory65Added);
    expect(tl.reverseContinue(bps)).toEqual({ step: 0, hits: [] });
  });

  test('matches on event type, target state and op name', () => {
    const tl = story();
    expect(tl.continue([breakOnEvent({ type: 'fault' })]).step).toBe(STORY.fault);
    tl.seek(0);
    expect(stopsForward(tl, [breakOnEvent({ actor: 'memory64', to: 'offline' })])).toEqual([STORY.memory64Added, STORY.memory64Offline]);
    expect(stopsForward(tl, [breakOnEvent({ op: 'remove_memory' })])).toEqual([STORY.removeOp]);
    expect(stopsForward(tl, [breakOnEvent({ errno: 'EFAULT' })])).toEqual([STORY.touchOp]);
  });
});

describe('world breakpoints', () => {
  test('a predicate stops where it holds, both ways', () => {
    const tl = story();
    tl.seek(STORY.memory64Online);
    expect(tl.continue([breakWhen('faults.length > 0')]).step).toBe(STORY.fault);
    expect(tl.continue([breakWhen('tainted')]).step).toBe(STORY.tainted);
    tl.seek(STORY.vmemmapMarked);
    expect(tl.reverseContinue([breakWhen('blocks[64].state == null')]).step).toBe(STORY.memory64Added - 1);
  });

  test('an injected invariant check stops at the end of the operation that broke it and reports what it said', () => {
    const tl = story();
    const r = tl.continue([breakOnInvariant(noOrphanedVmemmapInUse)]);
    expect(r.step).toBe(STORY.touchOp - 1);
    expect(r.hits[0]!.violations).toEqual(['vmemmap head 2097152 orphaned with refcount 7']);
    tl.seek(0);
    expect(tl.continue([breakOnInvariant(noOrphanedVmemmapInUse, { everyStep: true })]).step).toBe(STORY.orphaned);
    tl.seek(STORY.removeOp);
    expect(tl.reverseContinue([breakOnInvariant(noOrphanedVmemmapInUse)])).toEqual({ step: 0, hits: [] });
  });
});

describe('watchpoints', () => {
  test('a watched block state stops at every change, with before and after', () => {
    const tl = story();
    const w = [watch('blocks[64].state')];
    const forward = stopsForward(tl, w);
    expect(forward).toEqual([STORY.memory64Added, STORY.memory64Online, STORY.memory64GoingOffline, STORY.memory64Offline, STORY.memory64Removed]);
    tl.seek(0);
    expect(tl.continue(w).hits[0]).toMatchObject({ before: undefined, after: 'offline' });
    tl.seek(STORY.memory64Online);
    expect(tl.continue(w).hits[0]).toMatchObject({ step: STORY.memory64GoingOffline, before: 'online', after: 'going-offline' });
    expect(stopsBackward(tl, w)).toEqual([...forward].reverse());
  });

  test('a watched zone counter stops where it changes', () => {
    const tl = story();
    const w = [watch('zones[0].Movable.managedPages')];
    tl.seek(STORY.vmemmapMarked);
    const hit = tl.continue(w).hits[0]!;
    expect(hit.step).toBe(STORY.memory64Online + 2);
    expect(hit.before).toBeUndefined();
    expect(hit.after).toBe(28672);
  });

  test('on random logs, continue and reverseContinue stop at the same steps, and they are where the value changes', () => {
    const paths = ['blocks[64].state', 'blocks[66].validZones', 'zones[0].Movable.managedPages', 'nodes[0].freeKernelPages', 'sections[65].memmapLost', 'tainted', 'faults.length'];
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom(...paths), fc.integer({ min: 1, max: 50 }), ({ spec, ops }, path, interval) => {
        const events = logOf(ops, spec);
        const tl = Timeline.fromEvents(spec, events, { checkpointInterval: interval });
        const w = [watch(path)];
        const forward = stopsForward(tl, w);
        // reverseContinue from the last step stops before it, never at it
        expect(stopsBackward(tl, w)).toEqual(forward.filter((s) => s < events.length).reverse());
        // the reference: evaluate the path on every step's full view
        const p = parsePath(path);
        const changes: number[] = [];
        tl.seek(0);
        let before = evaluateInView(toView(tl.world), p);
        for (let n = 1; n <= events.length; n++) {
          tl.stepForward();
          const now = evaluateInView(toView(tl.world), p);
          if (JSON.stringify(now) !== JSON.stringify(before)) changes.push(n);
          before = now;
        }
        expect(forward).toEqual(changes);
      }),
      { numRuns: 12 },
    );
  }, 60_000);
});

describe('lastWrite and actor history', () => {
  test('lastWrite names the event that last changed a value at or before the cursor', () => {
    const tl = story();
    tl.seek(tl.length);
    expect(tl.lastWrite('blocks[65].state')).toMatchObject({ step: STORY.memory65Online, before: 'offline', after: 'online' });
    expect(tl.lastWrite('blocks[65].state')!.event).toMatchObject({ type: 'transition', actor: 'memory65', event: { type: 'ONLINE' } });
    expect(tl.lastWrite('tainted')).toMatchObject({ step: STORY.tainted, before: false, after: true });
    expect(tl.lastWrite('vmemmap[0x200000].refcount')).toMatchObject({ step: STORY.vmemmapPut, before: 8, after: 7 });
    expect(tl.lastWrite('blocks[65].state', STORY.memory65Online - 1)).toMatchObject({ step: STORY.memory65Added, before: undefined, after: 'offline' });
    expect(tl.lastWrite('blocks[99].state')).toBeNull();
    expect(tl.cursor).toBe(tl.length);
  });

  test('actorHistory lists one actor\'s transitions in order', () => {
    const tl = story();
    expect(tl.actorHistory('memory64').map((e) => [e.seq, e.event.type, e.from, e.to])).toEqual([
      [STORY.memory64Added, 'ADD', 'absent', 'offline'],
      [STORY.memory64Online, 'ONLINE', 'offline', 'online'],
      [STORY.memory64GoingOffline, 'OFFLINE_BEGIN', 'online', 'going-offline'],
      [STORY.memory64Offline, 'OFFLINE_DONE', 'going-offline', 'offline'],
      [STORY.memory64Removed, 'REMOVE', 'offline', 'removed'],
    ]);
    expect(tl.actorHistory('memory99')).toEqual([]);
  });
});

describe('diff', () => {
  test('names what the partial remove changed', () => {
    const tl = story();
    const changes = tl.diff(STORY.removeOp - 1, STORY.removeOp + 5);
    const byPath = new Map(changes.map((c) => [c.path, c]));
    expect(byPath.get('blocks[64]')).toMatchObject({ before: { id: 64, state: 'offline' }, after: undefined });
    expect(byPath.get('sections[64]')).toMatchObject({ after: undefined });
    expect(byPath.get('vmemmap[2097152].refcount')).toEqual({ path: 'vmemmap[2097152].refcount', before: 8, after: 7 });
    expect(byPath.get('vmemmap[2097152].orphaned')).toEqual({ path: 'vmemmap[2097152].orphaned', before: false, after: true });
    expect(byPath.get('sections[65].memmapLost')).toEqual({ path: 'sections[65].memmapLost', before: false, after: true });
    expect(tl.diff(STORY.memory65Online, STORY.memory65Online)).toEqual([]);
  });

  test('on random logs every diff path evaluates to its before and after values, and nothing else differs', () => {
    fc.assert(
      fc.property(scenarioArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), ({ spec, ops }, x, y) => {
        const events = logOf(ops, spec);
        const tl = Timeline.fromEvents(spec, events);
        const a = Math.round(x * events.length);
        const b = Math.round(y * events.length);
        const va = toView(tl.worldAt(a));
        const vb = toView(tl.worldAt(b));
        const changes = tl.diff(a, b);
        for (const c of changes) {
          expect(evaluateInView(va, parsePath(c.path))).toEqual(c.before);
          expect(evaluateInView(vb, parsePath(c.path))).toEqual(c.after);
        }
        const strip = (v: typeof va) => ({ ...v, seq: 0 });
        expect(changes.length === 0).toBe(JSON.stringify(strip(va)) === JSON.stringify(strip(vb)));
      }),
      { numRuns: 40 },
    );
  });
});
