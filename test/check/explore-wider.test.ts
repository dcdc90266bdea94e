/**
 * The wider search: a second NUMA node and the opt-in operation kinds (pin,
 * unpin, inject, signal, set auto_online_blocks). The default run is
 * unchanged, the safe configurations still hold, the v2 DEVICE finding still
 * comes first, and the new state is part of the canonical key.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/engine/decide.ts';
import { TableGate } from '../../src/engine/gate.ts';
import { tableToArray } from '../../src/engine/table.ts';
import type { World } from '../../src/engine/world.ts';
import {
  bootedWorld,
  canonicalKey,
  DRIVER_OPS,
  EXTRA_OPS,
  explore,
  operationsOf,
  smallMachine,
  type ExtraOp,
  type Invariant,
} from '../../src/check/index.ts';
import type { Op } from '../../src/index.ts';

const BS = 128 * 1024 ** 2;
const HOT = 1024 ** 3; // the window starts right after 1 GiB of boot memory
// the kinds before the drivers; the driver kinds have their own tests in explore-drivers.test.ts
const ALL: ExtraOp[] = EXTRA_OPS.filter((k) => !(DRIVER_OPS as readonly string[]).includes(k));

/** An invariant that breaks as soon as `bad` holds: the shortest way there is the counterexample. */
const probe = (name: string, bad: (w: World) => string | null): Invariant => ({
  name,
  description: `test probe: ${name}`,
  check: ({ world }) => {
    const m = bad(world);
    return m ? [m] : [];
  },
});

describe('operations of the wider machine', () => {
  it('leaves the default operation set as it was', () => {
    const m = smallMachine({ kernel: '6.8', blocks: 2 });
    const ops = operationsOf(m);
    expect(m.nodes).toEqual([0]);
    expect(m.spec.machine.possibleNodes).toBe(1);
    expect(new Set(ops.map((o) => o.op))).toEqual(new Set(['add_memory', 'state', 'remove_memory', 'offline_and_remove_memory', 'touch']));
    expect(ops.filter((o) => o.op === 'add_memory').every((o) => o.op === 'add_memory' && o.node === 0)).toBe(true);
    expect(operationsOf(m, { extraOps: [] })).toEqual(ops);
  });

  it('tries every add on either node with --nodes 2, boot memory on node 0 only', () => {
    const m = smallMachine({ kernel: '6.8', blocks: 2, nodes: 2 });
    expect(m.spec.machine.possibleNodes).toBe(2);
    expect(m.spec.boot.map((b) => b.node)).toEqual([0]);
    const adds = operationsOf(m).filter((o) => o.op === 'add_memory');
    // 3 sub-ranges × 2 flag sets × 2 nodes
    expect(adds).toHaveLength(12);
    expect(adds.filter((o) => o.op === 'add_memory' && o.node === 1)).toHaveLength(6);
    expect(() => smallMachine({ nodes: 3 })).toThrow(/nodes must be 1 or 2, got 3/);
  });

  it('appends the extra kinds after the default set', () => {
    const m = smallMachine({ kernel: '6.8', blocks: 2 });
    const base = operationsOf(m);
    const ops = operationsOf(m, { extraOps: ALL });
    expect(ops.slice(0, base.length)).toEqual(base);
    expect(ops.slice(base.length)).toEqual([
      { op: 'pin', block: 8 },
      { op: 'pin', block: 9 },
      { op: 'unpin', block: 8 },
      { op: 'unpin', block: 9 },
      { op: 'inject', action: 'MEM_GOING_ONLINE', error: -12 },
      { op: 'inject', action: 'MEM_GOING_ONLINE', error: 0 },
      { op: 'inject', action: 'MEM_GOING_OFFLINE', error: -12 },
      { op: 'inject', action: 'MEM_GOING_OFFLINE', error: 0 },
      { op: 'signal' },
      { op: 'set', param: 'auto_online_blocks', value: 'online' },
      { op: 'set', param: 'auto_online_blocks', value: 'online_movable' },
      { op: 'set', param: 'auto_online_blocks', value: 'offline' },
    ]);
    // offline_and_remove_memory and touch can be turned back on where a caller turned them off
    const off = operationsOf(m, { offlineAndRemove: false, touch: false });
    expect(off.some((o) => o.op === 'touch' || o.op === 'offline_and_remove_memory')).toBe(false);
    const back = operationsOf(m, { offlineAndRemove: false, touch: false, extraOps: ['touch', 'offline_and_remove_memory'] });
    expect(back.filter((o) => o.op === 'offline_and_remove_memory')).toHaveLength(3);
    expect(back.filter((o) => o.op === 'touch')).toHaveLength(2);
  });
});

describe('canonical key', () => {
  const gate = new TableGate();
  const m = smallMachine({ kernel: '6.8', blocks: 1 });
  const step = (w: World, op: Op) => {
    const r = decide(w, gate, op);
    expect(r.ret, JSON.stringify(op)).toBe(0);
    return r.world;
  };
  const added = step(bootedWorld(m.spec), { op: 'add_memory', node: 0, start: HOT, size: BS, flags: [] });

  it.each<[string, Op, Op]>([
    ['a pinned block', { op: 'pin', block: 8 }, { op: 'unpin', block: 8 }],
    ['an armed notifier', { op: 'inject', action: 'MEM_GOING_ONLINE', error: -12 }, { op: 'inject', action: 'MEM_GOING_ONLINE', error: 0 }],
    ['an armed offline notifier', { op: 'inject', action: 'MEM_GOING_OFFLINE', error: -12 }, { op: 'inject', action: 'MEM_GOING_OFFLINE', error: 0 }],
    ['auto_online_blocks', { op: 'set', param: 'auto_online_blocks', value: 'online' }, { op: 'set', param: 'auto_online_blocks', value: 'offline' }],
  ])('tells %s apart, and undoing it gives the same key again', (_what, doIt, undo) => {
    const done = step(added, doIt);
    expect(canonicalKey(done)).not.toBe(canonicalKey(added));
    expect(canonicalKey(step(done, undo))).toBe(canonicalKey(added));
  });

  it('tells a pending signal apart, and an offline consumes it', () => {
    const online = step(added, { op: 'state', block: 8, value: 'online_movable' });
    const signalled = step(online, { op: 'signal' });
    expect(canonicalKey(signalled)).not.toBe(canonicalKey(online));
    const r = decide(signalled, gate, { op: 'state', block: 8, value: 'offline' });
    expect(r.world.signalPending).toBe(false);
    expect(canonicalKey(r.world)).not.toBe(canonicalKey(signalled));
  });

  it('tells apart which node a block belongs to', () => {
    const two = smallMachine({ kernel: '6.8', blocks: 1, nodes: 2 });
    const root = bootedWorld(two.spec);
    const on0 = step(root, { op: 'add_memory', node: 0, start: HOT, size: BS, flags: [] });
    const on1 = step(root, { op: 'add_memory', node: 1, start: HOT, size: BS, flags: [] });
    expect(canonicalKey(on0)).not.toBe(canonicalKey(on1));
  });
});

describe('explore with the new operations', { timeout: 180_000 }, () => {
  it('explores more states with the extra kinds than without, and 6.8 with memmap_on_memory still holds', () => {
    const plain = explore({ kernel: '6.8', blocks: 2, depth: 4 });
    const wide = explore({ kernel: '6.8', blocks: 2, depth: 4, extraOps: ALL });
    expect(plain.counterexample).toBeNull();
    expect(wide.counterexample).toBeNull();
    expect(wide.complete).toBe(true);
    expect(wide.operations).toBe(plain.operations + 12);
    expect(wide.statesExplored).toBeGreaterThan(plain.statesExplored * 5);
  });

  it('v2 with the guard still holds with the extra kinds', () => {
    const r = explore({ kernel: 'v2-2019', blocks: 2, depth: 4, params: { v2_remove_guard: true }, extraOps: ALL });
    expect(r.counterexample).toBeNull();
    expect(r.complete).toBe(true);
  });

  it.each([
    ['6.8', {}],
    ['6.8', { movable_node: true }],
    ['v2-2019', { v2_remove_guard: true }],
  ] as const)('%s %j on two nodes, one block, every extra kind: holds to depth 5', (kernel, params) => {
    const r = explore({ kernel, blocks: 1, nodes: 2, depth: 5, params, extraOps: ALL });
    expect(r.counterexample).toBeNull();
    expect(r.complete).toBe(true);
  });

  it('v2 without the guard still finds the 2-step DEVICE counterexample first, with two nodes and every extra kind', () => {
    const r = explore({ kernel: 'v2-2019', blocks: 3, nodes: 2, depth: 4, extraOps: ALL });
    expect(r.counterexample?.ops).toEqual([
      { op: 'add_memory', node: 0, start: HOT, size: 2 * BS, flags: ['MHP_MEMMAP_DEVICE'] },
      { op: 'remove_memory', start: HOT, size: BS },
    ]);
    expect(r.counterexample?.violation.invariant).toBe('memmap-in-present-memory');
  });

  it('a removal spanning two nodes may leave the first node online and memoryless, as the kernel does (try_offline_node of the last nid only): no counterexample', () => {
    const r = explore({ kernel: '6.8', blocks: 2, nodes: 2, depth: 3 });
    expect(r.counterexample).toBeNull();
    expect(r.complete).toBe(true);
  });
});

describe('what the wider search reaches (shortest paths to probe states)', { timeout: 120_000 }, () => {
  const reach = (opts: Parameters<typeof explore>[0], inv: Invariant) => explore({ depth: 3, ...opts, invariants: [inv] }).counterexample?.ops;

  it('node 1 comes online with its memmap on node 0 (remote) when added without an altmap', () => {
    const remote = probe('no-remote-memmap', (w) =>
      tableToArray(w.sections).some((s) => s.memmap.kind === 'node' && s.memmap.node !== s.nid) ? 'remote memmap' : null,
    );
    expect(reach({ kernel: '6.8', blocks: 1, nodes: 2 }, remote)).toEqual([{ op: 'add_memory', node: 1, start: HOT, size: BS, flags: [] }]);
    expect(reach({ kernel: '6.8', blocks: 1, nodes: 1 }, remote)).toBeUndefined();
  });

  it('node 1 goes offline again when its last block is removed', () => {
    let sawOnline = false;
    const offlineAgain = probe('node-1-stays', (w) => {
      const n1 = tableToArray(w.nodes).find((n) => n.id === 1);
      if (n1?.online) sawOnline = true;
      return n1 && !n1.online ? 'node 1 offline again' : null;
    });
    const ops = reach({ kernel: '6.8', blocks: 1, nodes: 2 }, offlineAgain);
    expect(sawOnline).toBe(true);
    expect(ops).toEqual([
      { op: 'add_memory', node: 1, start: HOT, size: BS, flags: [] },
      { op: 'remove_memory', start: HOT, size: BS },
    ]);
  });

  it('movable_node=true sends a plain online to ZONE_MOVABLE', () => {
    const movable = probe('no-movable', (w) => (tableToArray(w.blocks).some((b) => b.zone === 'Movable') ? 'movable' : null));
    const opts = { kernel: '6.8' as const, blocks: 1, nodes: 2, onlineKinds: ['online' as const], depth: 2 };
    expect(reach({ ...opts, params: { movable_node: true } }, movable)).toEqual([
      { op: 'add_memory', node: 0, start: HOT, size: BS, flags: [] },
      { op: 'state', block: 8, value: 'online' },
    ]);
    expect(reach(opts, movable)).toBeUndefined();
  });
});
