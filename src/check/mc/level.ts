/**
 * One level of the breadth-first search shared by worker threads (the
 * shared-frontier design, docs/explore.md): the visited set, the trail, who
 * found each state and who has claimed it for expansion all live in
 * SharedArrayBuffers; a level is the trail's id range [from, to).
 *
 * Each thread first expands the states it found itself, lowest id first,
 * then takes any state no thread has claimed yet, highest id first; either
 * way it rebuilds the world from the trail (./bfs.ts, Rebuilder). A one-byte
 * compare-and-swap per state decides who expands it. A state is new to exactly
 * one thread (the visited set's compare-and-swap), so every state is found,
 * checked and expanded once. The
 * threads move from level to level together (./workers.ts waits for all of
 * them), so a violation is found at the smallest depth that has one: the
 * counterexample is a shortest one, as with one thread.
 *
 * The visited set starts small and grows (./fpset.ts): a thread that finds it
 * 80% full raises `grow`; every thread finishes the state it is expanding
 * (the 20% left is sized for that) and returns; ./workers.ts moves the set
 * to a table twice the size and sends the level again, which each thread
 * takes up where it was (the claims, and any worlds it kept, stay).
 */
import type { World } from '../../engine/world.ts';
import type { Violation } from '../types.ts';
import { expand, isFound, Rebuilder, worldOf, type Bound, type Tally } from './bfs.ts';
import type { Fp } from './fingerprint.ts';
import { SharedFpSet, type SharedFpBuffers } from './fpset.ts';
import type { StateSpace } from './space.ts';
import { Trail, type TrailBuffers } from './trail.ts';

/** Slots of the control array. */
export const CTRL = {
  /** 0 running; STOP_FOUND, STOP_STATES or STOP_TIME once a thread stopped the search */
  stop: 0,
  /** the state id of the violation, when stop = STOP_FOUND */
  found: 1,
  /** 1 once a thread found a visited set 80% full: every thread pauses for it to grow */
  grow: 2,
} as const;
export const STOP_FOUND = 1;
export const STOP_STATES = 2;
export const STOP_TIME = 3;

export interface SharedBuffers {
  seen: SharedFpBuffers;
  /** with symmetry: the states themselves, to count what symmetry folded */
  plain: SharedFpBuffers | null;
  trail: TrailBuffers;
  /** per state: 1 + the thread that found it (so 0 = nobody) */
  owner: SharedArrayBuffer;
  /** per state: 1 once a thread claimed it for expansion */
  claimed: SharedArrayBuffer;
  ctrl: SharedArrayBuffer;
}

/**
 * States a visited set holds at most: the bound (the trail stops the search
 * there), or twice it for the plain set of a symmetric search (folded states
 * are not in the trail).
 */
export const seenBound = (maxStates: number, plain: boolean) => (plain ? 2 * maxStates : maxStates);

/**
 * The visited set's first size: small, so that even a small search grows it
 * (test/check/explore-workers.test.ts). The 20% of it left at 80% full is
 * room for `headroom` more states (every thread may add a state's worth of
 * successors after the pause is called) with half of it to spare. Never past the bound.
 */
export const firstSeenStates = (bound: number, headroom: number) => Math.min(bound, 8 * headroom);

/** `headroom`: the most states the threads can add between a pause being called and all of them pausing (threads × operations). */
export function sharedBuffers(maxStates: number, symmetry: boolean, headroom: number): SharedBuffers {
  return {
    seen: SharedFpSet.buffers(firstSeenStates(seenBound(maxStates, false), headroom)),
    plain: symmetry ? SharedFpSet.buffers(firstSeenStates(seenBound(maxStates, true), headroom)) : null,
    // these are written in id order, so only the pages the search reaches are ever touched
    trail: Trail.sharedBuffers(maxStates),
    owner: new SharedArrayBuffer(maxStates),
    claimed: new SharedArrayBuffer(maxStates),
    ctrl: new SharedArrayBuffer(4 * 4),
  };
}

export interface LevelResult {
  /** the thread stopped between two states for the visited set to grow; the level is not done */
  paused: boolean;
  /** the thread stopped between two states at the time it was given (`yieldAt`): the level is not done, call again with `resume` */
  yielded?: true;
  transitions: number;
  lookups: number;
  folded: number;
  rebuilt: number;
  expanded: number;
  /** milliseconds this thread spent on its part of the level (the rest of the level's time it waited for the others) */
  busyMs: number;
  violation?: Violation;
}

/** One thread's part of the search, kept from level to level. */
export class LevelRunner {
  seen: SharedFpSet;
  private plain: SharedFpSet | undefined;
  readonly trail: Trail;
  private readonly owner: Uint8Array;
  private readonly claimed: Uint8Array;
  readonly ctrl: Int32Array;
  private kept = new Map<number, World>();
  /** the worlds this thread keeps for the next level, while the level lasts (across pauses) */
  private next = new Map<number, World>();
  private levelDone = true;
  /** where a paused or yielded level goes on: the pass, and the place in it */
  private pass = 0;
  private at = 0;
  private readonly fp: Fp = { hi: 0, lo: 0 };
  private readonly root: World;
  private readonly rebuild: Rebuilder;

  constructor(
    private readonly space: StateSpace,
    b: SharedBuffers,
    private readonly me: number,
    private readonly maxStates: number,
    private readonly frontierStates: number,
  ) {
    this.seen = new SharedFpSet(b.seen);
    this.plain = b.plain ? new SharedFpSet(b.plain) : undefined;
    this.trail = Trail.shared(b.trail);
    this.owner = new Uint8Array(b.owner);
    this.claimed = new Uint8Array(b.claimed);
    this.ctrl = new Int32Array(b.ctrl);
    this.root = space.initial();
    this.rebuild = new Rebuilder(space, this.trail, this.root);
    // thread 0 found the initial state (./workers.ts put it in the set and the trail)
    if (me === 0) this.kept.set(0, this.root);
  }

  private stopped(): boolean {
    return Atomics.load(this.ctrl, CTRL.stop) !== 0;
  }

  private stop(code: number): boolean {
    return Atomics.compareExchange(this.ctrl, CTRL.stop, 0, code) === 0;
  }

  /** Whether a set is 80% full and may still grow (a set as large as its bound never fills: the trail stops the search first). */
  private crowded(set: SharedFpSet, bound: number): boolean {
    return set.capacity < bound && set.size >= set.capacity;
  }

  /** The visited sets after ./workers.ts grew them (no thread runs meanwhile). */
  useSets(b: Pick<SharedBuffers, 'seen' | 'plain'>): void {
    this.seen = new SharedFpSet(b.seen);
    this.plain = b.plain ? new SharedFpSet(b.plain) : undefined;
  }

  /**
   * Expands this thread's part of the level [from, to); `resume`: the same level again after a pause.
   * `deadline`: the absolute time (performance.timeOrigin + now) at which the search stops.
   * `yieldAt` (performance.now() time): return between two states once it has passed, to be called
   * again with `resume` (the calling thread searching beside the workers keeps its event loop turning).
   */
  level(from: number, to: number, resume: boolean, deadline: number, yieldAt = Infinity): LevelResult {
    const t0 = performance.now();
    const tally: Tally = { transitions: 0, lookups: 0, folded: 0, rebuilt: 0 };
    if (!resume) {
      this.next = new Map<number, World>();
      this.levelDone = false;
      this.pass = 0;
      this.at = from;
    }
    if (this.levelDone) return { paused: false, transitions: 0, lookups: 0, folded: 0, rebuilt: 0, expanded: 0, busyMs: performance.now() - t0 };
    const next = this.next;
    const mark = this.me + 1;
    const seenBoundStates = seenBound(this.maxStates, false);
    const plainBoundStates = seenBound(this.maxStates, true);
    let expanded = 0;
    let paused = false;
    let yielded = false;
    let violation: Violation | undefined;
    const afterNew = (): Bound | null => {
      if (this.crowded(this.seen, seenBoundStates) || (this.plain && this.crowded(this.plain, plainBoundStates))) Atomics.store(this.ctrl, CTRL.grow, 1);
      if (this.stopped()) return { kind: 'states', limit: 0, message: '' };
      if (this.trail.size >= this.maxStates) {
        this.stop(STOP_STATES);
        return { kind: 'states', limit: this.maxStates, message: '' };
      }
      if (performance.timeOrigin + performance.now() >= deadline) {
        this.stop(STOP_TIME);
        return { kind: 'time', limit: 0, message: '' };
      }
      return null;
    };
    // pass 0: the states this thread found (consecutive siblings, cheap to rebuild), lowest first; pass 1: whatever is
    // left, highest first, so a thread that ran out takes the other threads' states from the far
    // end of their queues and meets them in the middle, instead of racing them for their next ones
    // a resumed level goes on where it stopped: every id before that place in its pass was claimed already
    outer: for (let pass = this.pass; pass < 2; pass++) {
      for (let i = pass === this.pass ? this.at : from; i < to; i++) {
        const id = pass === 0 ? i : to - 1 - (i - from);
        if (pass === 0 && this.owner[id] !== mark) continue;
        if (Atomics.load(this.ctrl, CTRL.grow) !== 0) paused = true;
        else if (yieldAt !== Infinity && performance.now() >= yieldAt) yielded = true;
        if (paused || yielded) {
          this.pass = pass;
          this.at = i;
          break outer;
        }
        if (Atomics.compareExchange(this.claimed, id, 0, 1) !== 0) continue;
        if (this.stopped()) break outer;
        const world = worldOf(this.rebuild, this.kept, id, tally);
        expanded++;
        const r = expand(
          this.space,
          this.seen,
          this.trail,
          id,
          world,
          next,
          this.frontierStates,
          tally,
          this.fp,
          afterNew,
          (nid) => {
            this.owner[nid] = mark;
          },
          this.plain,
        );
        if (r === null) continue;
        if (isFound(r)) {
          if (this.stop(STOP_FOUND)) {
            Atomics.store(this.ctrl, CTRL.found, r.id);
            violation = r.violation;
          }
        } else this.stop(STOP_STATES); // a bound: set already, unless the trail is full
        break outer;
      }
    }
    if (!paused && !yielded) {
      this.kept = next;
      this.levelDone = true;
    }
    return {
      paused, transitions: tally.transitions, lookups: tally.lookups, folded: tally.folded, rebuilt: tally.rebuilt, expanded,
      busyMs: performance.now() - t0, ...(yielded ? { yielded: true as const } : {}), ...(violation ? { violation } : {}),
    };
  }
}
