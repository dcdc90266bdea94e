/**
 * The model checker's replay check compares the world its operation's records
 * fold back into with the one it decided (src/check/mc/same-data.ts): same
 * plain data, whole worlds. A copy is the same; any one
 * change anywhere is not, including fields the fingerprint leaves out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameData } from '../../src/check/mc/same-data.ts';
import { StateSpace } from '../../src/check/mc/space.ts';
import { evolveAll } from '../../src/engine/evolve.ts';
import type { MemhpEvent } from '../../src/engine/events.ts';
import type { World } from '../../src/engine/world.ts';

const json = fc.jsonValue({ maxDepth: 4 });

/** Every path to a value inside `v`. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** A copy of `v` with the value at `path` replaced by a marker no JSON value equals. */
function changedAt(v: unknown, path: (string | number)[]): unknown {
  if (path.length === 0) return { changed: Symbol('x') };
  const [k, ...rest] = path;
  if (Array.isArray(v)) return v.map((x, i) => (i === k ? changedAt(x, rest) : x));
  const o = v as Record<string, unknown>;
  return { ...o, [k!]: changedAt(o[k!], rest) };
}

describe('sameData', () => {
  it('a deep copy is the same data', () => {
    fc.assert(fc.property(json, (v) => sameData(v, structuredClone(v)) && sameData(structuredClone(v), v)));
  });

  it('a change at any one place is not', () => {
    fc.assert(
      fc.property(
        json.chain((v) => fc.tuple(fc.constant(v), fc.constantFrom(...paths(v)))),
        ([v, path]) => !sameData(v, changedAt(v, path)) && !sameData(changedAt(v, path), v),
      ),
    );
  });

  it('tells an absent key from an undefined one, an array from an object, and prototypes apart', () => {
    expect(sameData({ a: 1, b: undefined }, { a: 1 })).toBe(false);
    expect(sameData({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameData([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameData({ 0: 1, 1: 2 }, [1, 2])).toBe(false);
    expect(sameData([1, 2], [1, 2, 3])).toBe(false);
    expect(sameData(new (class A {})(), {})).toBe(false);
    expect(sameData({ a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'x' }] } })).toBe(true);
  });
});

describe('sameData on worlds', () => {
  const space = new StateSpace({ kernel: '6.8', blocks: 2 });
  const root = space.initial();
  const successors = space.successors(root).filter((s) => s.changed);

  it('a world is the same as its operation records folded onto its parent, for every successor of the booted machine', () => {
    expect(successors.length).toBeGreaterThan(3);
    for (const s of successors) {
      const replayed = evolveAll(root, JSON.parse(JSON.stringify(s.events)) as MemhpEvent[]);
      expect(replayed).not.toBe(s.next);
      expect(sameData(replayed, s.next)).toBe(true);
    }
  });

  it('is not the same when any field differs, fingerprinted or not', () => {
    // a world with a hot-added range: resources and blocks to change
    const w = successors.map((s) => s.next).find((x) => x.resources.length > 0 && x.blocks.size > 0)!;
    expect(w).toBeDefined();
    const edits: [string, Partial<World>][] = [
      ['seq', { seq: w.seq + 1 }],
      ['taint', { taint: w.taint | 512 }],
      ['warnedOnce', { warnedOnce: [...w.warnedOnce, 'somewhere'] }],
      ['signalPending', { signalPending: !w.signalPending }],
      ['resources', { resources: w.resources.slice(1) }],
      ['params', { params: { ...w.params, auto_movable_ratio: w.params.auto_movable_ratio + 1 } }],
    ];
    for (const [, edit] of edits) expect(sameData({ ...w, ...edit }, w)).toBe(false);
    // one entry of one table
    const blocks = w.blocks;
    const ci = blocks.chunks.findIndex((c) => c !== undefined);
    const chunk = blocks.chunks[ci]!;
    const j = chunk.findIndex((b) => b !== undefined);
    const moved = { ...chunk[j]!, used_pages: chunk[j]!.used_pages + 1 };
    const table = { ...blocks, chunks: blocks.chunks.map((c, i) => (i === ci ? c!.map((b, k) => (k === j ? moved : b)) : c)) };
    expect(sameData({ ...w, blocks: table }, w)).toBe(false);
    expect(sameData({ ...w }, w)).toBe(true);
  });
});
