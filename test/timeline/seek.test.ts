/**
 * Seeking and stepping land on exactly the world a fresh replay of the
 * first n events gives, whatever the walk and the checkpoint interval.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { replay } from '../../src/engine/replay.ts';
import { toView } from '../../src/engine/to-view.ts';
import { Timeline } from '../../src/timeline/index.ts';
import { logOf, scenarioArb } from './helpers/logs.ts';

type Move = { kind: 'seek'; to: number } | { kind: 'forward'; count: number } | { kind: 'back'; count: number } | { kind: 'peek'; at: number };

const moveArb: fc.Arbitrary<Move> = fc.oneof(
  fc.record({ kind: fc.constant('seek' as const), to: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('forward' as const), count: fc.integer({ min: 1, max: 70 }) }),
  fc.record({ kind: fc.constant('back' as const), count: fc.integer({ min: 1, max: 70 }) }),
  fc.record({ kind: fc.constant('back' as const), count: fc.constant(1) }),
  fc.record({ kind: fc.constant('peek' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

describe('seek, stepForward, stepBack', () => {
  test('the world at the cursor deep-equals a fresh replay after any walk', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 64 }), fc.array(moveArb, { minLength: 1, maxLength: 25 }), ({ spec, ops }, interval, moves) => {
        const events = logOf(ops, spec);
        const tl = Timeline.fromEvents(spec, events, { checkpointInterval: interval });
        const n = events.length;
        for (const m of moves) {
          let expected = tl.cursor;
          if (m.kind === 'seek') {
            expected = Math.round(m.to * n);
            tl.seek(expected);
          } else if (m.kind === 'forward') {
            const moved = tl.cursor < n;
            expected = Math.min(n, tl.cursor + m.count);
            expect(tl.stepForward(m.count)).toBe(moved);
          } else if (m.kind === 'back') {
            const moved = tl.cursor > 0;
            expected = Math.max(0, tl.cursor - m.count);
            expect(tl.stepBack(m.count)).toBe(moved);
          } else {
            const at = Math.round(m.at * n);
            expect(tl.worldAt(at)).toEqual(replay(spec, events, at));
            continue;
          }
          expect(tl.cursor).toBe(expected);
          const fresh = replay(spec, events, expected);
          expect(tl.world).toEqual(fresh);
          expect(tl.world.seq).toBe(expected);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('stepping back one event at a time from the end visits every step of a fresh replay', () => {
    const { spec, ops } = fc.sample(scenarioArb, { seed: 7, numRuns: 1 })[0]!;
    const events = logOf(ops, spec);
    const tl = Timeline.fromEvents(spec, events, { checkpointInterval: 16 });
    tl.seek(events.length);
    for (let n = events.length; n > 0; n--) {
      expect(tl.stepBack()).toBe(true);
      expect(toView(tl.world)).toEqual(toView(replay(spec, events, n - 1)));
    }
    expect(tl.stepBack()).toBe(false);
    expect(tl.cursor).toBe(0);
  });

  test('steps outside the log are refused with the valid range', () => {
    const { spec, ops } = fc.sample(scenarioArb, { seed: 3, numRuns: 1 })[0]!;
    const events = logOf(ops, spec);
    const tl = Timeline.fromEvents(spec, events);
    expect(() => tl.seek(events.length + 1)).toThrow(`step ${events.length + 1} is out of range 0..${events.length}`);
    expect(() => tl.seek(-1)).toThrow('out of range');
    expect(() => tl.seek(1.5)).toThrow('out of range');
    tl.seek(events.length);
    expect(tl.stepForward()).toBe(false);
  });

  test('a log whose sequence numbers skip is refused, naming the position', () => {
    const { spec, ops } = fc.sample(scenarioArb, { seed: 3, numRuns: 1 })[0]!;
    const events = logOf(ops, spec);
    const broken = [...events.slice(0, 10), ...events.slice(11)];
    expect(() => Timeline.fromEvents(spec, broken)).toThrow('event at position 11 has seq 12, expected 11');
  });

  test('append extends the timeline and stepping back over the old end still matches replay', () => {
    const { spec, ops } = fc.sample(scenarioArb, { seed: 11, numRuns: 1 })[0]!;
    const events = logOf(ops, spec);
    const half = Math.floor(events.length / 2) + 3;
    const tl = Timeline.fromEvents(spec, events.slice(0, half), { checkpointInterval: 8 });
    tl.seek(half);
    tl.stepBack(); // caches the partial last segment
    tl.append(events.slice(half));
    expect(tl.length).toBe(events.length);
    tl.seek(events.length);
    for (let n = events.length - 1; n >= half - 12; n--) {
      tl.stepBack();
      expect(tl.world).toEqual(replay(spec, events, n));
    }
  });
});
