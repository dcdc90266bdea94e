/**
 * The model checker's fingerprint (src/check/mc/fingerprint.ts) reuses the
 * digests of the table entries a world shares with a base world. It must stay
 * a pure function of the world's content: the same fingerprint whatever the
 * base, and equal fingerprints exactly for equal canonical keys (the states
 * the old explorer told apart), over the states of several small machines.
 */
import { describe, expect, it } from 'vitest';
import { canonicalKey } from '../../src/check/canonical.ts';
import { EXTRA_OPS } from '../../src/check/machine.ts';
import { WorldHasher, type Fp } from '../../src/check/mc/fingerprint.ts';
import { StateSpace, type SpaceOptions } from '../../src/check/mc/space.ts';
import type { World } from '../../src/engine/world.ts';

/** Every state within `depth` operations, each with the state it was first reached from. */
function states(o: SpaceOptions, depth: number): { world: World; parent: World | null }[] {
  const space = new StateSpace(o);
  const seen = new Set<string>();
  const root = space.initial();
  const out = [{ world: root, parent: null as World | null }];
  seen.add(canonicalKey(root));
  let level = [root];
  for (let d = 0; d < depth; d++) {
    const next: World[] = [];
    for (const w of level)
      for (const s of space.successors(w)) {
        if (!s.changed) continue;
        // every changed successor, also the ones already seen: their fingerprints must agree too
        out.push({ world: s.next, parent: w });
        const k = canonicalKey(s.next);
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(s.next);
      }
    level = next;
  }
  return out;
}

const key = (fp: Fp) => `${fp.hi}:${fp.lo}`;

const configs: [string, SpaceOptions, number][] = [
  ['6.8, 3 blocks, every kind', { kernel: '6.8', blocks: 3, extraOps: [...EXTRA_OPS] }, 2],
  ['6.8, 2 blocks, 2 nodes, every kind', { kernel: '6.8', blocks: 2, nodes: 2, extraOps: [...EXTRA_OPS] }, 2],
  ['5.13 with the onlining agents queued', { kernel: '5.13', blocks: 2, agents: ['udev', 'daxctl', 'virtio_mem'], extraOps: [...EXTRA_OPS] }, 2],
  ['v2-2019, 3 blocks', { kernel: 'v2-2019', blocks: 3 }, 3],
];

describe('the fingerprint is a pure function of the world', () => {
  it.each(configs)('%s', (_name, o, depth) => {
    const all = states(o, depth);
    const fresh = (w: World) => key(new WorldHasher().hash(w, { hi: 0, lo: 0 }));
    const withParent = new WorldHasher();
    const withOther = new WorldHasher();
    const byKey = new Map<string, string>();
    const byFp = new Map<string, string>();
    const fp: Fp = { hi: 0, lo: 0 };
    for (const [i, { world, parent }] of all.entries()) {
      const want = fresh(world);
      withParent.base(parent);
      expect(key(withParent.hash(world, fp)), `state ${i}, its parent as the base`).toBe(want);
      // an unrelated base (a state far away in the list), and the same world twice in a row
      withOther.base(all[(i * 7919) % all.length]!.world);
      expect(key(withOther.hash(world, fp)), `state ${i}, another state as the base`).toBe(want);
      expect(key(withOther.hash(world, fp)), `state ${i}, hashed again`).toBe(want);
      const k = canonicalKey(world);
      expect(byKey.get(k) ?? want, `state ${i}: one canonical key, one fingerprint`).toBe(want);
      expect(byFp.get(want) ?? k, `state ${i}: one fingerprint, one canonical key`).toBe(k);
      byKey.set(k, want);
      byFp.set(want, k);
    }
    expect(byKey.size).toBeGreaterThan(20);
  });
});
