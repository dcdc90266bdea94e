/**
 * A state space that records coverage as a search goes through it: every
 * operation decided (step, so successors and the walks' single steps) and
 * every state whose invariants are checked. Any search over a StateSpace
 * (breadth-first ../mc/bfs.ts, the swarm walks ../swarm.ts) gets coverage by
 * being handed this one instead; the search itself does not change.
 *
 * A state that the breadth-first search rebuilds from its trail (past the
 * frontier bound) is decided again and counted again: the counts are
 * decisions made, the reached/never sets are exact.
 */
import type { World } from '../../engine/world.ts';
import type { Violation } from '../types.ts';
import { StateSpace, type SpaceOptions, type Successor } from '../mc/space.ts';
import type { Coverage } from './collect.ts';

export class CoveredSpace extends StateSpace {
  constructor(
    options: SpaceOptions,
    readonly coverage: Coverage,
  ) {
    super(options);
    coverage.boot(this.machine.spec);
  }

  override checkInitial(): Violation | null {
    this.coverage.state(this.initial(), null);
    return super.checkInitial();
  }

  override step(state: World, opIndex: number, out?: Successor): Successor {
    const s = super.step(state, opIndex, out);
    this.coverage.decision(s.op, s);
    return s;
  }

  override check(state: World, succ: Successor): Violation | null {
    this.coverage.state(succ.next, state);
    return super.check(state, succ);
  }
}
