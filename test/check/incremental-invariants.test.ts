/**
 * The incremental invariant checker (what the inspector runs per step) says
 * exactly what the full check says — same messages, same order — on every
 * step of the seed log in both directions and by jumps, on every event of
 * random operation sequences, and on deliberately broken worlds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvariants, INVARIANTS, systemSpec } from '../../src/check/index.ts';
import { IncrementalInvariants, INCREMENTAL_NAMES } from '../../src/check/invariants/incremental.ts';
import { evolveAll } from '../../src/engine/evolve.ts';
import { emptyWorld, type World } from '../../src/engine/world.ts';
import { ERAS, HotplugSystem } from '../../src/index.ts';
import { backendFromScenario } from '../../src/inspector/engine-backend.ts';
import { resolveOp, sequenceArb, specFor } from '../core/arbitraries.ts';
import { SEED } from '../inspector/helpers/logs.ts';
import { BLOCK, deviceWorld, edited, FIRST, HOT, ops, run, withEvent, X86 } from './helpers.ts';

const PER_WORLD = INVARIANTS.filter((i) => i.name !== 'replay-reproduces-world');

/** The full check, by invariant name, in INVARIANTS order. */
function full(world: World): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const inv of PER_WORLD) out[inv.name] = checkInvariants({ world }, [inv]).map((v) => v.message);
  return out;
}

const incremental = (c: IncrementalInvariants, world: World) => Object.fromEntries(PER_WORLD.map((inv) => [inv.name, c.check(world).get(inv.name)!]));

describe('incremental invariants = full check', { timeout: 120_000 }, () => {
  it('answers for every per-world invariant', () => {
    expect([...INCREMENTAL_NAMES]).toEqual(PER_WORLD.map((i) => i.name));
  });

  it('on every step of the seed log, forwards, backwards and by jumps', () => {
    const b = backendFromScenario(SEED);
    const last = b.info().lastSeq;
    const c = new IncrementalInvariants();
    const order: number[] = [];
    for (let s = 0; s <= last; s++) order.push(s);
    for (let s = last; s >= 0; s -= 7) order.push(s);
    order.push(0, last, Math.floor(last / 2), 3, last - 1, 1);
    let violations = 0;
    for (const s of order) {
      const w = b.worldState(s);
      const want = full(w);
      violations += Object.values(want).flat().length;
      expect(incremental(c, w), `seq ${s}`).toEqual(want);
    }
    // the seed log ends with the reviewer's hazard: the comparison covered violations, not only empty lists
    expect(violations).toBeGreaterThan(0);
  });

  describe.each([...ERAS])('on every event of random operation sequences, era %s', (kernel) => {
    it('matches', () => {
      const c = new IncrementalInvariants();
      fc.assert(
        fc.property(fc.boolean(), sequenceArb, (movableNode, sequence) => {
          const spec = specFor(kernel, movableNode);
          const s = new HotplugSystem(spec);
          try {
            for (const template of sequence) s.apply(resolveOp(template, s.view()));
            let w = emptyWorld(spec);
            for (const e of s.events) {
              w = evolveAll(w, [e]);
              expect(incremental(c, w), `seq ${w.seq}`).toEqual(full(w));
            }
          } finally {
            s.stop();
          }
        }),
        { numRuns: 15 },
      );
    });
  });

  it('on broken worlds, whether the checker saw the unbroken world first or not', () => {
    const base = deviceWorld().world;
    const removed = run(X86({ kernel: 'v2-2019' }), ops.add(HOT, 4 * BLOCK, ['MHP_MEMMAP_DEVICE']), ops.remove(HOT, BLOCK)).world;
    const broken: World[] = [
      edited(base, (d) => d.blocks.set(FIRST, undefined)),
      edited(base, (d) => d.sections.set(33, { ...d.sections.get(33)!, state: 'present' })),
      edited(base, (d) => d.blocks.set(40, { ...d.blocks.get(FIRST)!, id: FIRST })),
      edited(base, (d) => d.sections.set(40 * 1, { ...d.sections.get(33)! })),
      edited(base, (d) => d.blocks.set(FIRST + 1, { ...d.blocks.get(FIRST + 1)!, nr_vmemmap_pages: 7 })),
      withEvent(base, { type: 'account', node: 0, zone: 'Movable', managedPages: 512, reason: 'bug' }),
      withEvent(base, { type: 'vmemmap', action: 'put', headPfn: HOT / 4096, nrPages: 2048, refcount: 3, sections: [], node: 0 }),
      withEvent(base, { type: 'vmemmap', action: 'free', headPfn: HOT / 4096, nrPages: 2048, refcount: 0, sections: [], node: 0 }),
      // a head filed under another section's slot: out of address order
      edited(base, (d) => {
        const slot = HOT / 4096 / (128 * 256);
        const h = d.vmemmap.get(slot)!;
        d.vmemmap.set(slot, undefined);
        d.vmemmap.set(3, h);
      }),
      removed,
    ];
    let violations = 0;
    for (const [i, w] of broken.entries()) {
      const want = full(w);
      violations += Object.values(want).flat().length;
      expect(incremental(new IncrementalInvariants(), w), `broken world ${i}, fresh`).toEqual(want);
      const warm = new IncrementalInvariants();
      incremental(warm, base);
      expect(incremental(warm, w), `broken world ${i}, after the unbroken one`).toEqual(want);
      expect(incremental(warm, base), `back to the unbroken world after ${i}`).toEqual(full(base));
    }
    expect(violations).toBeGreaterThan(broken.length);
  });

  it('on a system with several sections per block and another with sections sharing vmemmap pages', () => {
    const worlds = [
      run(systemSpec({ kernel: 'v2-2019', arch: 'ppc64-radix', boot: [{ size: '1G' }] }), ops.add('1G', '512M', ['MHP_MEMMAP_DEVICE'])).world,
      run(X86({ kernel: 'v2-2019', machine: { memoryBlockSize: '1G' } }), ops.add(HOT, 2 * 1024 ** 3, ['MHP_MEMMAP_DEVICE'])).world,
    ];
    for (const w of worlds) expect(incremental(new IncrementalInvariants(), w)).toEqual(full(w));
  });

  it('event by event when one vmemmap head serves sections of several table chunks (512 sections of 16 MiB)', () => {
    const sys = run(
      systemSpec({ kernel: 'v2-2019', arch: 'ppc64-radix', boot: [{ size: '1G' }] }),
      ops.add('4G', '8G', ['MHP_MEMMAP_DEVICE']),
      ops.online(17, 'online_movable'),
      ops.remove('4G', '256M'),
    );
    expect(sys.view().vmemmap.some((v) => v.sections.length > 256)).toBe(true);
    const c = new IncrementalInvariants();
    let w = emptyWorld(sys.world.system);
    let violations = 0;
    for (const e of sys.events) {
      w = evolveAll(w, [e]);
      const want = full(w);
      violations += Object.values(want).flat().length;
      expect(incremental(c, w), `seq ${w.seq}`).toEqual(want);
    }
    expect(violations).toBeGreaterThan(0);
  });
});
