/**
 * `opEvents: 'ends'` (what `memhp run --json` with no log asks for): each operation hands back
 * only its op event and its last event, and decides exactly as with every event kept.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HotplugSystem } from '../../src/engine/system.ts';
import { toView } from '../../src/engine/to-view.ts';
import { parseScenario } from '../../src/scenario/index.ts';

const file = join(__dirname, '..', '..', 'scenarios', 'seed-reviewer-6.8.json');

describe("opEvents: 'ends'", () => {
  it('returns each op event and its last event, and reaches the same world', () => {
    const { ops, ...spec } = parseScenario(readFileSync(file, 'utf8'), file);
    const all = new HotplugSystem(spec, { actors: 'table', retainEvents: false });
    const ends = new HotplugSystem(spec, { actors: 'table', retainEvents: false, opEvents: 'ends' });
    for (const op of ops) {
      const a = all.apply(op);
      const e = ends.apply(op);
      expect(e.events).toEqual(a.events.length === 1 ? a.events : [a.events[0], a.events.at(-1)]);
      expect([e.ret, e.errno, e.message]).toEqual([a.ret, a.errno, a.message]);
    }
    expect(toView(ends.world)).toEqual(toView(all.world));
  });

  it('cannot be asked of a system that retains its events', () => {
    const { ops: _ops, ...spec } = parseScenario(readFileSync(file, 'utf8'), file);
    expect(() => new HotplugSystem(spec, { opEvents: 'ends' })).toThrow(/retainEvents: false/);
  });
});
