/**
 * The visited sets: a fingerprint is new exactly once, in the growing
 * one-thread set and in the fixed shared one, whose 0 halves are stored as 1
 * (a slot is claimed by its low word), and which keeps every fingerprint
 * when it grows. Many threads at once are exercised by
 * explore-workers.test.ts (the same states on 2 threads as on 1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FpSet, SharedFpSet } from '../../src/check/mc/fpset.ts';

const half = fc.oneof(fc.constantFrom(0, 1, 2, 0xffffffff, 0x80000000), fc.integer({ min: 0, max: 0xffffffff }));
const fps = fc.array(fc.tuple(half, half).filter(([h, l]) => h !== 0 || l !== 0), { maxLength: 300 });
// the shared set stores a 0 half as 1: these are one fingerprint there
const sharedKey = ([h, l]: [number, number]) => `${h || 1}:${l || 1}`;

describe('visited sets', () => {
  it('FpSet: new exactly once, however it grows', () => {
    fc.assert(
      fc.property(fps, (xs) => {
        const set = new FpSet(4);
        const seen = new Set<string>();
        for (const [h, l] of [...xs, ...xs]) {
          const k = `${h}:${l}`;
          expect(set.add(h, l)).toBe(!seen.has(k));
          seen.add(k);
          expect(set.has(h, l)).toBe(true);
        }
        expect(set.size).toBe(seen.size);
      }),
    );
  });

  it('SharedFpSet: new exactly once, with 0 halves, until it is full', () => {
    fc.assert(
      fc.property(fps, (xs) => {
        const set = new SharedFpSet(SharedFpSet.buffers(xs.length + 1));
        const seen = new Set<string>();
        for (const fp of [...xs, ...xs]) {
          const k = sharedKey(fp);
          expect(set.add(fp[0], fp[1])).toBe(!seen.has(k));
          seen.add(k);
        }
        expect(set.size).toBe(seen.size);
      }),
    );
    const tiny = new SharedFpSet({ slots: new SharedArrayBuffer(2 * 8), count: new SharedArrayBuffer(4) });
    expect(tiny.add(5, 5)).toBe(true);
    expect(tiny.add(7, 7)).toBe(true);
    expect(() => tiny.add(9, 9)).toThrow(/full/);
  });

  it('SharedFpSet: a grown set holds every fingerprint the small one did, and only those', () => {
    fc.assert(
      fc.property(fps, fps, (before, after) => {
        let set = new SharedFpSet(SharedFpSet.buffers(before.length + 1));
        const seen = new Set<string>();
        for (const fp of before) {
          set.add(fp[0], fp[1]);
          seen.add(sharedKey(fp));
        }
        set = set.grown(2 * (before.length + after.length) + 1);
        expect(set.size).toBe(seen.size);
        for (const fp of [...before, ...after]) {
          const k = sharedKey(fp);
          expect(set.add(fp[0], fp[1])).toBe(!seen.has(k));
          seen.add(k);
        }
        expect(set.size).toBe(seen.size);
      }),
    );
  });
});
