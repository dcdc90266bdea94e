/**
 * Breadth-first search over a StateSpace, one level at a time: each state
 * of a level is expanded by every operation, each changed successor is
 * fingerprinted, and one whose fingerprint is new gets an id on the trail and
 * has every invariant checked. Breadth-first, so the first violation found
 * is reached by a shortest sequence. One thread runs `bfs`; the worker
 * threads (./workers.ts) run `expand` on their share of each level.
 *
 * The frontier is a range of trail ids (./trail.ts). A state of the next level
 * is kept as its 6 trail bytes and rebuilt when its level comes, by deciding
 * its operations again from the booted machine (Rebuilder: about one decision
 * a state, against the hundred or so its expansion makes). Keeping worlds in
 * memory instead (`frontierStates` of them) is slower: they outlive the young
 * generation of V8's heap (docs/explore.md "The trail and the frontier").
 */
import type { World } from '../../engine/world.ts';
import type { Violation } from '../types.ts';
import type { Fp } from './fingerprint.ts';
import { FpSet } from './fpset.ts';
import type { StateSpace, Successor } from './space.ts';
import { NO_PARENT, Trail } from './trail.ts';

export interface VisitedSet {
  /** true when the fingerprint was not there */
  add(hi: number, lo: number): boolean;
}

export interface SearchLimits {
  depth: number;
  maxStates: number;
  maxMs: number;
  /** Worlds of the next level kept in memory; the rest are rebuilt from the trail. */
  frontierStates: number;
}

export type Bound = { kind: 'states' | 'time'; limit: number; message: string };

export interface Found {
  id: number;
  violation: Violation;
}

/** Counters one thread keeps. */
export interface Tally {
  transitions: number;
  /** changed successors looked up in the visited set (TLC's "states generated") */
  lookups: number;
  /** distinct states not stored because their mirror image was (symmetry) */
  folded: number;
  rebuilt: number;
}

/**
 * Rebuilds states from the trail: the operations from the booted machine to the state,
 * decided again. Ids are given out in breadth-first order, so consecutive states of a level
 * are mostly siblings: the worlds along the last path are kept, and only the operations past
 * the part it shares with the last one are decided again (one, between siblings).
 */
export class Rebuilder {
  private path: number[] = [];
  /** worlds[i]: the world after the first i operations of `path` */
  private worlds: World[];

  constructor(
    private readonly space: StateSpace,
    private readonly trail: Trail,
    root: World,
  ) {
    this.worlds = [root];
  }

  world(id: number): World {
    const path = this.trail.path(id);
    let same = 0;
    while (same < path.length && same < this.path.length && path[same] === this.path[same]) same++;
    this.worlds.length = same + 1;
    for (let i = same; i < path.length; i++) this.worlds.push(this.space.redo(this.worlds[i]!, path[i]!));
    this.path = path;
    return this.worlds[path.length]!;
  }
}

/** The world of state `id`: the kept one, or rebuilt from the trail. */
export function worldOf(rebuild: Rebuilder, kept: Map<number, World>, id: number, tally: Tally): World {
  const w = kept.get(id);
  if (w !== undefined) return w;
  tally.rebuilt++;
  return rebuild.world(id);
}

/**
 * Every operation on one state. New states go on the trail (and into `next`
 * while it has room); after each one `afterNew` may stop the level (a bound).
 * Returns the first violation found, or a bound, or null.
 */
export function expand(
  space: StateSpace,
  seen: VisitedSet,
  trail: Trail,
  id: number,
  world: World,
  next: Map<number, World>,
  keep: number,
  tally: Tally,
  fp: Fp,
  afterNew: () => Bound | null,
  onPush?: (id: number) => void,
  /** with symmetry: the states themselves (not their classes) seen, to count what symmetry folded */
  plain?: VisitedSet,
): Found | Bound | null {
  const n = space.ops.length;
  const s = successor(world);
  for (let oi = 0; oi < n; oi++) {
    space.step(world, oi, s);
    tally.transitions++;
    // a refused operation leaves the state as it was (only its op record and warnings)
    if (!s.changed) continue;
    tally.lookups++;
    space.fingerprint(s.next, fp);
    // the state itself goes in before its class: two threads that reach one state at once then
    // agree that it was folded only when a thread stored its mirror image (the other order
    // counted it folded when the second thread looked before the first had put it in)
    const newPlain = plain !== undefined && plain.add(space.plainFingerprint.hi, space.plainFingerprint.lo);
    if (!seen.add(fp.hi, fp.lo)) {
      if (newPlain) tally.folded++;
      continue;
    }
    const nid = trail.push(id, oi);
    if (nid < 0) return { kind: 'states', limit: trail.parents.length, message: `stopped at the state bound: ${trail.parents.length} states explored` };
    onPush?.(nid);
    const violation = space.check(world, s);
    if (violation) return { id: nid, violation };
    if (next.size < keep) next.set(nid, s.next);
    const b = afterNew();
    if (b) return b;
  }
  return null;
}

/** A Successor to write each operation's outcome into (expand reads one at a time). */
const successor = (world: World): Successor => ({ opIndex: 0, op: { op: 'signal' }, ret: 0, message: undefined, site: undefined, changed: false, next: world, events: [] });

export const isFound = (r: Found | Bound | null): r is Found => r !== null && 'violation' in r;

export interface Progress {
  statesExplored: number;
  depth: number;
  frontier: number;
  elapsedMs: number;
}

export interface SearchOutcome {
  statesExplored: number;
  transitions: number;
  /** successors that changed the state, each looked up in the visited set */
  generated: number;
  /** with symmetry: distinct states reached that were not stored because their mirror image was */
  folded: number;
  depthReached: number;
  exhausted: boolean;
  bound: Bound | null;
  found: Found | null;
  elapsedMs: number;
  trail: Trail;
  /** states rebuilt from the trail because the frontier bound left them out */
  rebuilt: number;
  seenBytes: number;
  /** States the visited set holds (its bytes over these are the bytes a state costs). */
  seenStates: number;
  /** On worker threads: each thread's milliseconds spent expanding states (./level.ts); the rest of elapsedMs it waited. */
  busyMs?: number[];
  /** On worker threads: milliseconds from the call until every thread had loaded and built its state space (not in elapsedMs). */
  startupMs?: number;
}

export function bfs(space: StateSpace, limits: SearchLimits, onProgress?: (p: Progress) => void, progressEvery = 2000): SearchOutcome {
  const t0 = performance.now();
  const seen = new FpSet();
  const trail = Trail.local();
  const fp: Fp = { hi: 0, lo: 0 };
  const tally: Tally = { transitions: 0, lookups: 0, folded: 0, rebuilt: 0 };

  const root = space.initial();
  const plain = space.symmetry ? new FpSet() : undefined;
  space.fingerprint(root, fp);
  seen.add(fp.hi, fp.lo);
  plain?.add(space.plainFingerprint.hi, space.plainFingerprint.lo);
  trail.push(NO_PARENT, 0);
  let found: Found | null = null;
  let bound: Bound | null = null;
  let depthReached = 0;
  let exhausted = false;
  const rootViolation = space.checkInitial();
  if (rootViolation) found = { id: 0, violation: rootViolation };

  let kept = new Map<number, World>([[0, root]]);
  const rebuild = new Rebuilder(space, trail, root);
  let from = 0;
  let to = found ? 0 : 1;
  let d = 0;
  const afterNew = (): Bound | null => {
    const states = seen.size;
    const elapsed = performance.now() - t0;
    if (states % progressEvery === 0) onProgress?.({ statesExplored: states, depth: d, frontier: trail.size - to, elapsedMs: elapsed });
    if (states >= limits.maxStates) return { kind: 'states', limit: limits.maxStates, message: `stopped at the state bound: ${limits.maxStates} states explored, depth ${d} not finished` };
    if (elapsed >= limits.maxMs) return { kind: 'time', limit: limits.maxMs / 1000, message: `stopped at the time bound: ${limits.maxMs / 1000} s, ${states} states explored, depth ${d} not finished` };
    return null;
  };
  search: for (d = 1; d <= limits.depth && to > from; d++) {
    depthReached = d;
    const next = new Map<number, World>();
    for (let id = from; id < to; id++) {
      const world = worldOf(rebuild, kept, id, tally);
      const r = expand(space, seen, trail, id, world, next, limits.frontierStates, tally, fp, afterNew, undefined, plain);
      if (r === null) continue;
      if (isFound(r)) found = r;
      else bound = r;
      break search;
    }
    onProgress?.({ statesExplored: seen.size, depth: d, frontier: trail.size - to, elapsedMs: performance.now() - t0 });
    kept = next;
    from = to;
    to = trail.size;
    if (to === from) exhausted = true;
  }
  return {
    statesExplored: seen.size,
    transitions: tally.transitions,
    generated: tally.lookups + 1,
    folded: tally.folded,
    depthReached,
    exhausted,
    bound,
    found,
    elapsedMs: performance.now() - t0,
    trail,
    rebuilt: tally.rebuilt,
    seenBytes: seen.bytes,
    seenStates: seen.size,
  };
}
