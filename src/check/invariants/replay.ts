/**
 * The log is the truth (docs/README.md, principle 1): folding the recorded events
 * from an empty world must give exactly the world the live system holds.
 */
import { isDeepStrictEqual } from 'node:util';
import { replay as replayLog } from '../../engine/replay.ts';
import { toView } from '../../engine/to-view.ts';
import { canonicalKey } from '../canonical.ts';
import type { Invariant } from '../types.ts';

export const replayReproduces: Invariant = {
  name: 'replay-reproduces-world',
  description: 'Replaying the log (every event from the first) reproduces the live world exactly.',
  // about the log, not one world
  incremental: null,
  check({ world, events }) {
    if (!events) return [];
    if (events.length !== world.seq) return [`the log holds ${events.length} events but the world is at step ${world.seq}`];
    let replayed;
    try {
      replayed = replayLog(world.system, events);
    } catch (e) {
      return [`replaying the log fails: ${(e as Error).message}`];
    }
    if (canonicalKey(replayed) === canonicalKey(world) && isDeepStrictEqual(toView(replayed), toView(world))) return [];
    const a = toView(replayed);
    const b = toView(world);
    const parts = (['blocks', 'sections', 'zones', 'nodes', 'vmemmap', 'faults', 'params'] as const).filter((k) => !isDeepStrictEqual(a[k], b[k]));
    return [`replaying the log gives a different world than the live one (differs in: ${parts.join(', ') || 'internal state'})`];
  },
};
