/**
 * `--json` writes the world view as a stream (src/engine/view-json.ts): the bytes must be
 * those JSON.stringify(value, null, 2) gives for the whole view, for any nesting and for
 * every shipped scenario's world.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HotplugSystem } from '../../src/engine/system.ts';
import { toView } from '../../src/engine/to-view.ts';
import { LazyJsonObject, worldViewJson, writeJson } from '../../src/engine/view-json.ts';
import { parseScenario } from '../../src/scenario/index.ts';

function written(value: unknown): string {
  let out = '';
  writeJson(value, (s) => (out += s));
  return out;
}

function* each<T>(items: T[]): Generator<T> {
  yield* items;
}

describe('writeJson', () => {
  it('writes what JSON.stringify(value, null, 2) writes', () => {
    const cases: unknown[] = [1, 'x', null, [], {}, [1, [2, [3, {}]], { a: [] }], { a: 1, b: undefined, c: () => 1, d: [undefined, () => 1, { e: 'f\ng' }] }];
    for (const c of cases) expect(written(c)).toBe(JSON.stringify(c, null, 2));
  });

  it('streams lazy objects and sequences at any depth, in batches and across them', () => {
    const big = Array.from({ length: 1300 }, (_, i) => ({ i, s: [i, { k: 'v' }], u: undefined }));
    for (const wrap of [(x: unknown) => x, (x: unknown) => ({ a: { b: x } }), (x: unknown) => [[x]]]) {
      const lazy = new LazyJsonObject({ z: () => each(big), y: () => undefined, w: () => each([]), n: () => each([new LazyJsonObject({ q: () => 1 }), 2]) });
      expect(written(wrap(lazy))).toBe(JSON.stringify(wrap({ z: big, w: [], n: [{ q: 1 }, 2] }), null, 2));
    }
  });
});

describe('the streamed world view is the world view', () => {
  const dir = join(__dirname, '..', '..', 'scenarios');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(file, () => {
      const { ops, ...spec } = parseScenario(readFileSync(join(dir, file), 'utf8'), file);
      const sys = new HotplugSystem(spec, { actors: 'table' });
      for (const op of ops) sys.apply(op);
      const world = sys.world;
      sys.stop();
      expect(written({ ops: [], world: worldViewJson(world) })).toBe(JSON.stringify({ ops: [], world: toView(world) }, null, 2));
    });
  }
});
