/**
 * Worlds for the invariant tests: real ones from the engine, and broken ones
 * made by editing a real world the way a buggy engine would (an extra
 * account event, a section left behind, a refcount dropped).
 */
import { evolve, WorldDraft } from '../../src/engine/evolve.ts';
import type { UnsequencedEvent } from '../../src/engine/events.ts';
import type { World } from '../../src/engine/world.ts';
import { applyAll, buildSystem, ops, systemSpec, type MachineInput } from '../../src/check/index.ts';
import type { Op } from '../../src/index.ts';

/** x86_64, one 4 GiB boot node: the first hot-pluggable block is memory32 at 4 GiB. */
export const X86 = (input: MachineInput = {}) => systemSpec({ boot: [{ size: '4G', used: '512M' }], machine: { memoryBlockSize: '128M' }, ...input });
export const HOT = 4 * 1024 ** 3;
export const BLOCK = 128 * 1024 ** 2;
export const FIRST = 32;

export function run(spec: ReturnType<typeof X86>, ...sequence: Op[]) {
  const sys = buildSystem(spec);
  applyAll(sys, ...sequence);
  return sys;
}

/** A v2 world with a 4-block DEVICE add, all online: every invariant holds here. */
export function deviceWorld() {
  return run(X86({ kernel: 'v2-2019' }), ops.add(HOT, 4 * BLOCK, ['MHP_MEMMAP_DEVICE']), ...[0, 1, 2, 3].map((i) => ops.online(FIRST + i, 'online_movable')));
}

/** The world after one more (hand-made) event, numbered after the last. */
export function withEvent(world: World, e: UnsequencedEvent): World {
  return evolve(world, { ...e, seq: world.seq + 1 } as never);
}

/** The world with its tables edited directly (what no operation would do). */
export function edited(world: World, edit: (d: WorldDraft) => void): World {
  const d = new WorldDraft(world);
  edit(d);
  return d.finish();
}

export { ops };
