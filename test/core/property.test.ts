/**
 * Property tests: random operation sequences on a small machine in every era.
 * (a) replaying the log gives the live world; (b) re-deciding the log through
 * live actors reproduces it event for event; (c) a failed operation changes
 * no memory state (only an oops records a fault and taints).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERAS, HotplugSystem, replay, toView, verifyReplay, type Op, type SystemSpec } from '../../src/index.ts';
import { opArb, resolveOp, sequenceArb, specFor } from './arbitraries.ts';
import { GiB, memoryParts } from './helpers.ts';

const EFAULT = -14;

/** The block a `state` write (typed, or raw through the sysfs path) goes to, else null. */
function stateWriteBlock(op: Op): number | null {
  if (op.op === 'state') return op.block;
  const m = op.op === 'write' ? /memory(\d+)\/state$/.exec(op.path) : null;
  return m ? Number(m[1]) : null;
}

/** The block an `online` write (typed, or raw through the sysfs path) goes to, else null. */
function onlineWriteBlock(op: Op): number | null {
  if (op.op === 'online') return op.block;
  const m = op.op === 'write' ? /memory(\d+)\/online$/.exec(op.path) : null;
  return m ? Number(m[1]) : null;
}

/** Runs ops, checking property (c) after each; returns the system. */
function runChecked(spec: SystemSpec, ops: Op[]): HotplugSystem {
  const s = new HotplugSystem(spec);
  try {
    for (const template of ops) {
      const before = s.view();
      const op = resolveOp(template, before);
      const r = s.apply(op);
      const after = s.view();
      const where = `${JSON.stringify(op)} → ${r.errno}: ${r.message}`;
      // page counters stay possible whatever happened
      for (const z of after.zones) expect(0 <= z.managedPages && z.managedPages <= z.presentPages, `${where}: ${JSON.stringify(z)}`).toBe(true);
      for (const n of after.nodes) expect(n.freeKernelPages >= 0, `${where}: ${JSON.stringify(n)}`).toBe(true);
      if (r.ret === 0) continue;
      const reonlineFailed = r.events.some((e) => e.type === 'warning' && /failed to re-online/.test(e.message));
      if (op.op === 'offline_and_remove_memory' && r.ret === EFAULT) {
        // an oops kills the task mid-way: blocks it already offlined stay offline (no rollback)
        const offlined = new Set(r.events.flatMap((e) => (e.type === 'transition' && e.machine === 'memory_block' && e.to === 'offline' ? [e.actor] : [])));
        for (const b of after.blocks) if (!offlined.has(`memory${b.id}`)) expect(b.state, where).toBe(before.blocks.find((x) => x.id === b.id)!.state);
      } else if (op.op === 'add_memory' && r.ret === EFAULT) {
        // an oops in the auto-online kills the task after the memory was added (a block re-added over
        // an orphaned vmemmap, docs/kernel-model.md §7.5): the blocks it added stay, the others keep their state
        for (const b of before.blocks) expect(after.blocks.find((x) => x.id === b.id)?.state, where).toBe(b.state);
      } else if (reonlineFailed) {
        // the kernel only warns when the rollback cannot re-online a block (try_reonline_memory_block):
        // such a block stays offline
        expect(op.op, where).toBe('offline_and_remove_memory');
      } else if (op.op === 'offline_and_remove_memory' || op.op === 'acpi_dimm_eject') {
        // The rollback re-onlines what the call offlined and the kernel zone is chosen afresh:
        // offline_and_remove_memory() with MMOP_ONLINE_KERNEL/MOVABLE (a boot block whose DMA32
        // span vanished while offline comes back in Normal), the ACPI eject with each block's
        // mem->online_type (MMOP_ONLINE unless a refused `state` write left one), so its blocks may
        // change zone; a re-online is an online like any other for the kernel's allocations
        // (docs/kernel-model.md §4.4, §5.6, §8.3, §8.4). Everything else is restored, except what
        // follows from the zones' spans, which a block re-onlined elsewhere moves: the zones, and
        // the valid_zones of every offline block (default_zone_for_pfn() reads the spans).
        const rezoned = new Set(r.events.flatMap((e) => (e.type === 'transition' && e.machine === 'memory_block' && e.from === 'offline' && e.to === 'online' ? [e.actor] : [])));
        const loose = (v: typeof before) => ({
          ...memoryParts(v),
          blocks: v.blocks.map((b) =>
            rezoned.has(`memory${b.id}`) ? { ...b, zone: b.zone === null ? null : 'kernel-or-same', validZones: '', kernelAllocations: null, onlineType: null } : rezoned.size > 0 && b.state === 'offline' ? { ...b, validZones: '' } : b,
          ),
          zones: undefined,
        });
        expect(loose(after), where).toEqual(loose(before));
        if (op.op === 'offline_and_remove_memory') for (const b of after.blocks) if (rezoned.has(`memory${b.id}`)) expect(b.zone === 'Movable', where).toBe(before.blocks.find((x) => x.id === b.id)!.zone === 'Movable');
      } else if (stateWriteBlock(op) !== null) {
        // state_store() stores the requested online type even when the block is already online
        // (docs/kernel-model.md §4.4): that, and nothing else, may change
        const id = stateWriteBlock(op);
        const typeless = (v: typeof before) => ({ ...memoryParts(v), blocks: memoryParts(v).blocks.map((b) => (b.id === id ? { ...b, onlineType: null } : b)) });
        expect(typeless(after), where).toEqual(typeless(before));
      } else if (onlineWriteBlock(op) !== null) {
        // memory_subsys_online() sets mem->online_type back to MMOP_OFFLINE after the attempt,
        // failed or not (drivers/base/memory.c): a type a refused `state` write left is gone; that,
        // and nothing else, changes
        const id = onlineWriteBlock(op);
        const typeless = (v: typeof before) => ({ ...memoryParts(v), blocks: memoryParts(v).blocks.map((b) => (b.id === id ? { ...b, onlineType: null } : b)) });
        expect(typeless(after), where).toEqual(typeless(before));
        const b = after.blocks.find((x) => x.id === id);
        if (b) expect([before.blocks.find((x) => x.id === id)!.onlineType, 'offline'], where).toContain(b.onlineType);
      } else expect(memoryParts(after), where).toEqual(memoryParts(before));
      expect(after.params, where).toEqual(before.params);
      expect(after.injection, where).toEqual(before.injection);
      // a pending signal may be delivered by the failing write, never raised by it
      if (!before.signalPending) expect(after.signalPending, where).toBe(false);
      if (r.ret !== EFAULT) {
        expect(after.faults, where).toEqual(before.faults);
        // a WARN on the failing path (memory_blocks_have_altmaps()) taints with TAINT_WARN, nothing else
        const warned = r.events.some((e) => e.type === 'warning' && e.taint === 'W');
        expect(after.taint, where).toBe(warned ? before.taint | 512 : before.taint);
      } else {
        expect(after.faults.length, where).toBe(before.faults.length + 1);
        expect(after.tainted, where).toBe(true);
      }
    }
  } catch (e) {
    s.stop();
    throw e;
  }
  return s;
}

describe.each([...ERAS])('random operation sequences, era %s', (kernel) => {
  it('(a) replay = live view, (b) verifyReplay with live actors passes, (c) failures change nothing', () => {
    fc.assert(
      fc.property(fc.boolean(), sequenceArb, (movableNode, ops) => {
        const spec = specFor(kernel, movableNode);
        const s = runChecked(spec, ops);
        try {
          const live = s.view();
          expect(toView(replay(spec, s.events))).toEqual(live);
          const verified = verifyReplay(spec, s.events);
          expect(verified.divergence?.message ?? null).toBeNull();
          expect(verified.ok).toBe(true);
          expect(verified.checkedOps).toBe(ops.length + 1); // + boot
          expect(toView(verified.world)).toEqual(live);
        } finally {
          s.stop();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

describe('replay to an operation boundary', () => {
  it('equals the live view after that many operations', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 2, maxLength: 20 }), fc.nat(), (ops, cut) => {
        const spec = specFor('6.8', false);
        const k = cut % ops.length;
        const prefix = runChecked(spec, ops.slice(0, k));
        const full = runChecked(spec, ops);
        try {
          expect(toView(replay(spec, full.events, prefix.events.length))).toEqual(prefix.view());
        } finally {
          prefix.stop();
          full.stop();
        }
      }),
      { numRuns: 30 },
    );
  });
});

it('1 GiB boot nodes are what the property machine boots (sanity of the fixture)', () => {
  const s = new HotplugSystem(specFor('6.8', false), { actors: 'table' });
  expect(s.view().blocks.map((b) => b.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(s.view().blockSizeBytes * 8).toBe(1 * GiB);
});
