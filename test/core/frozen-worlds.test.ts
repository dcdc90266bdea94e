/**
 * Which worlds are frozen (src/engine/world.ts): those a decision makes by default (`run`,
 * replay, the inspector), all the way down to the lists and records it rebuilt; with
 * TxOptions `freeze: false`, as the model checker decides, none of what it made, and the same
 * data either way. Also: an actor's name is the same string each time it is asked for.
 */
import { describe, expect, it } from 'vitest';
import { decide, type Decision } from '../../src/engine/decide.ts';
import { evolveAll } from '../../src/engine/evolve.ts';
import { TableGate } from '../../src/engine/gate.ts';
import { actorName } from '../../src/engine/reader.ts';
import type { TxOptions } from '../../src/engine/tx.ts';
import { emptyWorld, type World } from '../../src/engine/world.ts';
import type { Op } from '../../src/kernel/ops.ts';
import { GiB, makeSpec } from './spec.ts';

const BLOCK = 128 * 2 ** 20;
// boot, then one hot-added block (block 64, at 8 GiB): a resource, a block, its sections, its zone's and node's accounting
const OPS: Op[] = [{ op: 'boot' }, { op: 'add_memory', node: 0, start: 8 * GiB, size: BLOCK, flags: [] }];

function run(options: TxOptions): { world: World; last: Decision } {
  const gate = new TableGate();
  let world = emptyWorld(makeSpec());
  let last!: Decision;
  for (const op of OPS) {
    last = decide(world, gate, op, options);
    expect(last.ret).toBe(0);
    world = last.world;
  }
  return { world, last };
}

/**
 * What the add made: the world, its tables' wrappers, the rebuilt resource list and its new
 * entry. (Table chunks and the records a draft edits in place, blocks, sections, zones and a
 * node's counters, are never frozen: src/engine/table.ts.)
 */
function made(w: World): unknown[] {
  return [w, w.blocks, w.sections, w.zones, w.nodes, w.resources, w.resources.at(-1)];
}

describe('frozen worlds', () => {
  it('a decision freezes the world it makes, down to the lists and records it rebuilt', () => {
    for (const x of made(run({}).world)) expect(Object.isFrozen(x)).toBe(true);
  });

  it('with freeze: false (the model checker) nothing it made is frozen, and the data is the same', () => {
    const frozen = run({}).world;
    const { world, last } = run({ freeze: false });
    for (const x of made(world)) expect(Object.isFrozen(x)).toBe(false);
    expect(world).toEqual(frozen);
    // its events are not frozen either, and replaying them unfrozen gives the same world again
    expect(Object.isFrozen(last.events[0])).toBe(false);
    const before = decide(emptyWorld(makeSpec()), new TableGate(), OPS[0]!, { freeze: false }).world;
    const replayed = evolveAll(before, last.events, { freeze: false });
    expect(Object.isFrozen(replayed)).toBe(false);
    expect(replayed).toEqual(world);
  });
});

describe('actorName', () => {
  it('gives the same name each time, kept or not, and the kernel-style name for every id', () => {
    expect(actorName('memory_block', 65)).toBe('memory65');
    expect(actorName('section', 520)).toBe('section520');
    expect(actorName('hotplug', null)).toBe('hotplug');
    // past the names kept, still the right name
    expect(actorName('memory_block', 70000)).toBe('memory70000');
    expect(actorName('section', 2 ** 40)).toBe(`section${2 ** 40}`);
    // a block and a section of the same number are never confused by the kept names
    expect(actorName('memory_block', 7)).toBe('memory7');
    expect(actorName('section', 7)).toBe('section7');
    expect(actorName('memory_block', 7)).toBe('memory7');
  });
});
