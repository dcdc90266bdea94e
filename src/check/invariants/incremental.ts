/**
 * The invariants of ./index.ts, checked incrementally from one world to the
 * next (the inspector checks every step of a 32,768-block log).
 *
 * An invariant that declares an `incremental` checker (beside its full check,
 * in its own file; the per-chunk machinery is ./chunks.ts) gets one per system,
 * which reuses what the previous worlds' unchanged table chunks gave; the others
 * run their full check on each world. The combination reproduces the full
 * check's messages in the same order.
 *
 * test/check/incremental-invariants.test.ts compares this with the full check
 * on every step of a seed-sized log and on random operation sequences.
 */
import { geometry, type World } from '../../engine/world.ts';
import type { SystemSpec } from '../../kernel/types.ts';
import { INVARIANTS } from './index.ts';

/** The invariants about one world (all but those about the log, whose `incremental` is null), in INVARIANTS order. */
const PER_WORLD = INVARIANTS.filter((inv) => inv.incremental !== null);

/** The names the incremental checker answers for. */
export const INCREMENTAL_NAMES: readonly string[] = Object.freeze(PER_WORLD.map((inv) => inv.name));

/** Checks the per-step invariants of successive worlds of one system, reusing what the previous worlds' chunks gave. */
export class IncrementalInvariants {
  private system: SystemSpec | null = null;
  private checks: { name: string; check: (world: World) => string[] }[] = [];

  /** Every invariant's messages for this world, by name (the log invariants are absent). */
  check(world: World): Map<string, string[]> {
    if (world.system !== this.system) {
      this.system = world.system;
      const g = geometry(world);
      this.checks = PER_WORLD.map((inv) => ({ name: inv.name, check: inv.incremental ? inv.incremental(g) : (w: World) => inv.check({ world: w, g }) }));
    }
    const out = new Map<string, string[]>();
    for (const c of this.checks) out.set(c.name, c.check(world));
    return out;
  }
}
