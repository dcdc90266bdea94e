/**
 * Symmetry reduction (src/check/mc/symmetry.ts): the window's mirror image.
 * It must be a symmetry of the kernel model: on every state reached, the
 * mirror of a successor is the successor of the mirror under the mirrored
 * operation. And the reduced search must agree with the unreduced one on
 * every small configuration: the same verdict, a counterexample of the same
 * length, fewer states, with the saving reported.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../src/engine/world.ts';
import { EXTRA_OPS, explore, type ExploreOptions, type Invariant } from '../../src/check/index.ts';
import type { Fp } from '../../src/check/mc/fingerprint.ts';
import { StateSpace } from '../../src/check/mc/space.ts';
import { Symmetry } from '../../src/check/mc/symmetry.ts';
import { tableToArray } from '../../src/engine/table.ts';

// virtio-mem and `set auto_online_blocks` break the mirror (src/check/mc/symmetry.ts says why)
const SYMMETRIC = EXTRA_OPS.filter((k) => k !== 'virtio_mem' && k !== 'set');
const key = (sp: StateSpace, w: World) => {
  const fp: Fp = { hi: 0, lo: 0 };
  sp.fingerprint(w, fp);
  return `${fp.hi}:${fp.lo}`;
};

/** Breaks once `n` window blocks are online: the shortest way there is the counterexample. */
const online = (n: number): Invariant => ({
  name: `fewer-than-${n}-online`,
  description: 'test probe',
  check: ({ world }) => (tableToArray(world.blocks).filter((b) => !b.early && b.state === 'online').length >= n ? [`${n} blocks online`] : []),
});

describe('the mirror is a symmetry of the model', () => {
  it.each([
    ['6.8', { kernel: '6.8', blocks: 3, extraOps: SYMMETRIC }],
    ['5.13', { kernel: '5.13', blocks: 3, extraOps: SYMMETRIC }],
    ['6.8 two nodes', { kernel: '6.8', blocks: 2, nodes: 2, extraOps: SYMMETRIC }],
  ] as [string, ExploreOptions][])('%s: mirror(step(s, op)) = step(mirror(s), mirror(op)) on every state within 2 operations', (_n, o) => {
    const sp = new StateSpace(o);
    const sym = new Symmetry(sp.machine);
    const opIndex = new Map(sp.ops.map((op, i) => [JSON.stringify(op), i]));
    let frontier = [sp.initial()];
    let checked = 0;
    for (let d = 0; d < 2; d++) {
      const next: World[] = [];
      for (const s of frontier) {
        const ms = sym.mirror(s);
        if (!ms) continue;
        for (let i = 0; i < sp.ops.length; i++) {
          const a = sp.step(s, i);
          const j = opIndex.get(JSON.stringify(sym.mirrorOp(sp.ops[i]!)));
          expect(j, JSON.stringify(sp.ops[i])).toBeDefined();
          const b = sp.step(ms, j!);
          expect(b.ret, JSON.stringify(sp.ops[i])).toBe(a.ret);
          const ma = sym.mirror(a.next);
          if (ma === null) continue;
          expect(key(sp, b.next), JSON.stringify(sp.ops[i])).toBe(key(sp, ma));
          checked++;
          if (a.changed) next.push(a.next);
        }
      }
      frontier = next;
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('reduced and unreduced search agree', () => {
  const configs: [string, ExploreOptions][] = [];
  for (const kernel of ['5.13', '6.6', '6.8'] as const)
    for (const blocks of [2, 3]) {
      configs.push([`${kernel} ${blocks} blocks`, { kernel, blocks, depth: blocks === 2 ? 4 : 3 }]);
      configs.push([`${kernel} ${blocks} blocks, extra kinds`, { kernel, blocks, depth: 3, extraOps: SYMMETRIC }]);
      configs.push([`${kernel} ${blocks} blocks, 2 online breaks it`, { kernel, blocks, depth: 5, invariants: [online(2)] }]);
    }
  configs.push(['6.8 2 blocks on two nodes, 2 online breaks it', { kernel: '6.8', blocks: 2, nodes: 2, depth: 5, extraOps: SYMMETRIC, invariants: [online(2)] }]);

  it.each(configs)('%s', (_n, o) => {
    const plain = explore(o);
    const reduced = explore({ ...o, symmetry: true });
    expect(reduced.symmetry.applied).toBe(true);
    expect(reduced.complete).toBe(plain.complete);
    expect(reduced.counterexample === null).toBe(plain.counterexample === null);
    expect(reduced.counterexample?.ops.length).toBe(plain.counterexample?.ops.length);
    expect(reduced.counterexample?.violation.invariant).toBe(plain.counterexample?.violation.invariant);
    if (plain.complete) {
      expect(reduced.statesExplored).toBeLessThan(plain.statesExplored);
      expect(reduced.symmetry.saved).toBeGreaterThan(0);
    }
  });

  it('is not applied where the mirror is no symmetry, and says why', () => {
    const r = explore({ kernel: '6.8', blocks: 2, depth: 2, extraOps: ['virtio_mem'], symmetry: true });
    expect(r.symmetry).toEqual({ applied: false, problem: 'virtio-mem plugs its lowest blocks first', saved: 0 });
    const v2 = explore({ kernel: 'v2-2019', blocks: 2, depth: 2, symmetry: true });
    expect(v2.symmetry.applied).toBe(false);
    expect(v2.symmetry.problem).toMatch(/MHP_MEMMAP_DEVICE/);
    const auto = explore({ kernel: '6.8', blocks: 2, depth: 2, extraOps: ['set'], symmetry: true });
    expect(auto.symmetry.problem).toMatch(/auto-online brings a range's blocks online lowest first/);
  });
});
