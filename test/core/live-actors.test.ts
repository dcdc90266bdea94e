/**
 * With the default live gate every existing block and section is a running
 * XState actor with a deterministic id whose state is the world's; removed
 * ones are stopped (docs/README.md, principle 2: machines own the lifecycle).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HotplugSystem, LiveGate } from '../../src/index.ts';
import { tableGet } from '../../src/engine/table.ts';
import { resolveOp, sequenceArb, specFor } from './arbitraries.ts';
import { add, boot, GiB, MiB, ok, remove, state } from './helpers.ts';

function liveGate(s: HotplugSystem): LiveGate {
  expect(s.gate).toBeInstanceOf(LiveGate);
  return s.gate as LiveGate;
}

/** Every block and section of the world has its actor, in the same state, and there are no others. */
function expectActorsMatchWorld(s: HotplugSystem): void {
  const gate = liveGate(s);
  const v = s.view();
  const want = new Map<string, string>();
  for (const b of v.blocks) want.set(`memory${b.id}`, b.state);
  for (const sec of v.sections) want.set(`section${sec.nr}`, sec.state);
  expect(gate.actors.has('hotplug')).toBe(true);
  const have = new Map<string, string>();
  for (const [id, actor] of gate.actors) {
    if (id === 'hotplug') {
      expect(actor.getSnapshot().value).toBe(v.tainted ? 'tainted' : 'running');
      continue;
    }
    const snap = actor.getSnapshot();
    expect(snap.status, id).toBe('active');
    expect(actor.id, id).toBe(id);
    have.set(id, String(snap.value));
  }
  expect(have).toEqual(want);
}

describe('live actors', () => {
  it('boot creates one actor per block and section, ids memoryN / sectionN', () => {
    const s = boot();
    expectActorsMatchWorld(s);
    const gate = liveGate(s);
    expect(gate.actors.get('memory0')?.getSnapshot().value).toBe('online');
    expect(gate.actors.get('section63')?.getSnapshot().value).toBe('online');
  });

  it('follow add, online, going-offline cancel, offline and remove; removed actors are stopped', () => {
    const s = boot();
    ok(s, add(8 * GiB + 128 * MiB, 256 * MiB));
    const gate = liveGate(s);
    const m65 = gate.actors.get('memory65')!;
    const s65 = gate.actors.get('section65')!;
    expect(m65.getSnapshot().value).toBe('offline');
    expect(s65.getSnapshot().value).toBe('present');
    expect(m65.getSnapshot().context).toMatchObject({ id: 65, nid: 0, early: false });
    ok(s, state(65, 'online_movable'));
    expect(m65.getSnapshot().value).toBe('online');
    expect(m65.getSnapshot().context.zone).toBe('Movable');
    expect(s65.getSnapshot().value).toBe('online');
    ok(s, { op: 'inject', action: 'MEM_GOING_OFFLINE', error: -16 });
    expect(s.apply(state(65, 'offline')).errno).toBe('EBUSY');
    expect(m65.getSnapshot().value).toBe('online');
    ok(s, { op: 'inject', action: 'MEM_GOING_OFFLINE', error: 0 }, state(65, 'offline'));
    expect(m65.getSnapshot().value).toBe('offline');
    expectActorsMatchWorld(s);
    ok(s, remove(8 * GiB + 128 * MiB, 128 * MiB));
    expect(gate.actors.has('memory65')).toBe(false);
    expect(gate.actors.has('section65')).toBe(false);
    // the actors reached their final `removed` state (status done: XState stops them)
    for (const a of [m65, s65]) {
      expect(a.getSnapshot().status).toBe('done');
      expect(a.getSnapshot().value).toBe('removed');
    }
    expect(gate.actors.get('memory66')?.getSnapshot().value).toBe('offline');
    expectActorsMatchWorld(s);
  });

  it('an actor re-created after removal is a new actor with the same id', () => {
    const s = boot();
    ok(s, add(8 * GiB, 128 * MiB));
    const first = liveGate(s).actors.get('memory64');
    ok(s, remove(8 * GiB, 128 * MiB), add(8 * GiB, 128 * MiB));
    const second = liveGate(s).actors.get('memory64');
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(second!.getSnapshot().value).toBe('offline');
  });

  it('stop() stops every actor', () => {
    const s = boot();
    const actors = [...liveGate(s).actors.values()];
    s.stop();
    expect(actors.every((a) => a.getSnapshot().status === 'stopped')).toBe(true);
    expect(liveGate(s).actors.size).toBe(0);
  });

  it('after any random sequence the live actors match the world, in every era', () => {
    fc.assert(
      fc.property(fc.constantFrom('v2-2019', '5.13', '6.6', '6.8' as const), sequenceArb, (kernel, ops) => {
        const s = new HotplugSystem(specFor(kernel, false));
        try {
          for (const t of ops) s.apply(resolveOp(t, s.view()));
          expectActorsMatchWorld(s);
        } finally {
          s.stop();
        }
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('a system continued from recorded history rebuilds its actors from the log', () => {
    fc.assert(
      fc.property(fc.constantFrom('v2-2019', '6.8' as const), sequenceArb, (kernel, ops) => {
        const spec = specFor(kernel, false);
        const first = new HotplugSystem(spec, { actors: 'table' });
        for (const t of ops) first.apply(resolveOp(t, first.view()));
        const continued = new HotplugSystem(spec, { history: first.events });
        try {
          expect(continued.view()).toEqual(first.view());
          expectActorsMatchWorld(continued);
          // and it keeps deciding like the original would
          const next = add(14 * 128 * MiB, 128 * MiB);
          expect(continued.apply(next).events).toEqual(first.apply(next).events);
          expectActorsMatchWorld(continued);
        } finally {
          continued.stop();
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it('with few actors allowed in memory, idle ones are passivated and rehydrated from the world: the same decisions, every transition through a real actor', () => {
    fc.assert(
      fc.property(fc.constantFrom('v2-2019', '6.6', '6.8' as const), sequenceArb, (kernel, ops) => {
        const spec = specFor(kernel, false);
        const table = new HotplugSystem(spec, { actors: 'table' });
        const small = new HotplugSystem(spec, { maxLiveActors: 3 });
        try {
          const gate = liveGate(small);
          for (const t of ops) {
            const op = resolveOp(t, table.view());
            expect(small.apply(op).events).toEqual(table.apply(op).events);
            expect(gate.actors.size).toBeLessThanOrEqual(3 + 1); // + the hotplug actor, never passivated
          }
          expect(small.view()).toEqual(table.view());
          // every block and section of the world can be had as a real actor in its world state
          for (const b of small.view().blocks) {
            const a = gate.actor(`memory${b.id}`)!;
            expect(a.getSnapshot().value).toBe(b.state);
            const { state: _state, ...fields } = tableGet(small.world.blocks, b.id)!;
            // a block outside any memory group has no `group` in the world; the machine's context defaults it to null
            expect(a.getSnapshot().context).toEqual({ group: null, ...fields });
          }
          expect(gate.actor('memory100000')).toBeUndefined();
        } finally {
          small.stop();
        }
      }),
      { numRuns: 30 },
    );
  }, 60_000);

  it('a rehydrated actor still refuses what its machine refuses', () => {
    const s = boot({}, { maxLiveActors: 1 });
    ok(s, add(8 * GiB, 256 * MiB)); // memory64, memory65 and their sections: only the last stays in memory
    const gate = liveGate(s);
    expect(gate.actors.has('memory64')).toBe(false);
    expect(gate.passivated).toBeGreaterThan(0);
    const before = gate.rehydrated;
    expect(() => gate.send('memory_block', 'memory64', 'offline', { type: 'OFFLINE_DONE', set: {} }, tableGet(s.world.blocks, 64) as never)).toThrow(/refuses OFFLINE_DONE in offline/);
    expect(gate.rehydrated).toBe(before + 1);
    ok(s, state(64, 'online_movable'));
    expect(gate.actor('memory64')!.getSnapshot().value).toBe('online');
    expect(s.view().blocks.find((b) => b.id === 64)!.zone).toBe('Movable');
  });

  it('the table gate creates no actors', () => {
    const s = boot({}, { actors: 'table' });
    ok(s, add(8 * GiB, 128 * MiB));
    expect(s.gate).not.toBeInstanceOf(LiveGate);
  });
});
