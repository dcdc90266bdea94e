/**
 * Bulk operations: an operation that starts more actors than the live gate
 * keeps decides the rest of its transitions through the machines' transition
 * tables and starts no more actors (docs/performance.md, "A 64 TiB run
 * --json"). The decisions are the machines' all the same, and any actor can
 * still be had, started from the world.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HotplugSystem, LiveGate } from '../../src/index.ts';
import { resolveOp, sequenceArb, specFor } from './arbitraries.ts';
import { add, boot, GiB, ok, remove, state } from './helpers.ts';

function liveGate(s: HotplugSystem): LiveGate {
  expect(s.gate).toBeInstanceOf(LiveGate);
  return s.gate as LiveGate;
}

/** Every actor in memory is in the state the world records for it. */
function expectMemoryMatchesWorld(s: HotplugSystem): void {
  const v = s.view();
  for (const [id, actor] of liveGate(s).actors) {
    if (id === 'hotplug') continue;
    const want = id.startsWith('memory') ? v.blocks.find((b) => `memory${b.id}` === id)?.state : v.sections.find((x) => `section${x.nr}` === id)?.state;
    expect(String(actor.getSnapshot().value), id).toBe(want);
  }
}

describe('bulk operations', () => {
  it('past bulkAfter started actors, an operation starts no more: the same events as the tables, every actor to be had from the world', () => {
    const table = boot({}, { actors: 'table' });
    const s = boot({}, { maxLiveActors: 4, bulkAfter: 6 });
    const gate = liveGate(s);
    const ops = [{ op: 'set' as const, param: 'auto_online_blocks' as const, value: 'online_movable' }, add(8 * GiB, 2 * GiB), state(70, 'offline'), remove(9 * GiB, 1 * GiB), add(9 * GiB, 1 * GiB)];
    for (const op of ops) expect(s.apply(op).events).toEqual(table.apply(op).events);
    expect(gate.bulkDecided).toBeGreaterThan(0);
    expect(gate.actors.size).toBeLessThanOrEqual(4 + 1);
    expect(s.view()).toEqual(table.view());
    expectMemoryMatchesWorld(s);
    for (const b of s.view().blocks) expect(gate.actor(`memory${b.id}`)!.getSnapshot().value, `memory${b.id}`).toBe(b.state);
    for (const x of s.view().sections) expect(gate.actor(`section${x.nr}`)!.getSnapshot().value, `section${x.nr}`).toBe(x.state);
  });

  it('a bulk operation still refuses what the machine refuses', () => {
    const s = boot({}, { maxLiveActors: 2, bulkAfter: 2 });
    ok(s, add(8 * GiB, 1 * GiB));
    const gate = liveGate(s);
    // an operation that has started its two actors goes on in bulk
    gate.beginOp();
    gate.actor('memory70');
    gate.actor('memory71');
    expect(gate.actors.has('memory69')).toBe(false);
    const rehydrated = gate.rehydrated;
    expect(() => gate.send('memory_block', 'memory69', 'offline', { type: 'OFFLINE_DONE', set: {} })).toThrow(/refuses OFFLINE_DONE in offline/);
    expect(() => gate.send('memory_block', 'memory69', 'going-nowhere', { type: 'ONLINE', set: {} })).toThrow(/does not have/);
    expect(gate.send('memory_block', 'memory69', 'offline', { type: 'ONLINE', set: {} })).toBe('online');
    expect(gate.rehydrated).toBe(rehydrated);
    expect(gate.actors.has('memory69')).toBe(false);
  });

  it('after any random sequence, a gate that goes bulk after a few actors decides as the tables do, in every era', () => {
    fc.assert(
      fc.property(fc.constantFrom('v2-2019', '5.13', '6.6', '6.8' as const), sequenceArb, (kernel, ops) => {
        const spec = specFor(kernel, false);
        const table = new HotplugSystem(spec, { actors: 'table' });
        const bulk = new HotplugSystem(spec, { maxLiveActors: 3, bulkAfter: 3 });
        try {
          for (const t of ops) {
            const op = resolveOp(t, table.view());
            expect(bulk.apply(op).events).toEqual(table.apply(op).events);
          }
          expect(bulk.view()).toEqual(table.view());
          expectMemoryMatchesWorld(bulk);
        } finally {
          bulk.stop();
        }
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});
