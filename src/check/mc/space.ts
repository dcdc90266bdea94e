/**
 * The state space the model checker searches: the one interface every search
 * (breadth-first ./bfs.ts, the worker threads ./workers.ts, random and swarm
 * walks, coverage) goes through. It is stable; searches build on it.
 *
 *   const space = new StateSpace(options);          // a small machine and its operations
 *   space.ops                                       // Op[]: the operations tried in every state, in a fixed order
 *   space.initial()                                 // World: the booted machine (the one initial state)
 *   space.checkInitial()                            // Violation | null in it
 *   space.successors(state)                         // Successor[]: every operation, in ops order
 *   space.step(state, i)                            // Successor: operation i alone (random walks)
 *   space.redo(state, i)                            // World: operation i again, to rebuild a state (not a decision)
 *   space.check(state, succ)                        // Violation | null: the invariants in succ.next, `state` holding them all
 *   space.fingerprint(state, fp)                    // fp.hi, fp.lo: 64-bit fingerprint
 *
 * A Successor is `{ opIndex, op, ret, message, site, changed, next, events }`:
 * `ret` is 0 or -errno, `site` the kernel function whose check failed (when
 * the engine names it), `changed` false when the operation was refused
 * without changing the state (then `next` is the state itself, not a copy),
 * and `events` the operation's log records (its op record first), from which
 * coverage reads machine transitions, BUG/WARN paths and errors.
 *
 * A state is a World (src/engine/world.ts): the engine's own immutable data,
 * so the kernel rules that decide a transition are the same code `memhp run`
 * uses (src/engine/decide.ts through src/engine/ops), and the machines decide
 * every transition's legality through their transition tables (TableGate, no
 * live actors). What this module adds is speed: no views are built, the
 * fingerprint is hashed from the tables (./fingerprint.ts), refused
 * operations cost no copy, and the replay invariant is checked on the
 * operation's own records instead of the whole log.
 */
import { decide } from '../../engine/decide.ts';
import type { TxOptions } from '../../engine/tx.ts';
import type { MemhpEvent } from '../../engine/events.ts';
import { evolveAll, type DraftOptions } from '../../engine/evolve.ts';
import { TableGate } from '../../engine/gate.ts';
import { emptyWorld, type World } from '../../engine/world.ts';
import type { Op } from '../../kernel/ops.ts';
import { DeltaCheck } from '../invariants/delta.ts';
import { firstViolation, INVARIANTS } from '../invariants/index.ts';
import { operationsOf, smallMachine, type OperationChoice, type SmallMachine, type SmallMachineOptions } from '../machine.ts';
import type { Invariant, Violation } from '../types.ts';
import { WorldHasher, type Fp } from './fingerprint.ts';
import { sameData } from './same-data.ts';
import { mirrorProblem, Symmetry } from './symmetry.ts';

export interface SpaceOptions extends SmallMachineOptions, OperationChoice {
  /** Invariants to check (default: all). */
  invariants?: readonly Invariant[];
  /** Fingerprint a state and its mirror image as one (./symmetry.ts; default false). Ignored where the mirror is no symmetry. */
  symmetry?: boolean;
}

export interface Successor {
  /** Index of the operation in `StateSpace.ops`. */
  opIndex: number;
  op: Op;
  /** 0, or -errno when the kernel refused or failed it. */
  ret: number;
  message: string | undefined;
  /** The kernel function whose check failed, when the engine names it. */
  site: string | undefined;
  /** false: nothing but the op record (and warnings) was written; `next` is the state itself. */
  changed: boolean;
  next: World;
  /** The operation's log records, its op record first. */
  events: readonly MemhpEvent[];
}

const REPLAY = 'replay-reproduces-world';
const BOOT: Op = { op: 'boot' };

/** Events and worlds unfrozen (read here alone), and a refused operation's world is the state itself. */
const STEP: TxOptions = { freeze: false, sameWorldIfUnchanged: true };
/** The replay check's world is compared once and dropped: unfrozen, like the states (STEP). */
const REPLAY_DRAFT: DraftOptions = { freeze: false };

/** True when a JSON round trip gives back exactly this value (plain data, finite numbers, no undefined inside arrays). */
function jsonExact(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (Array.isArray(v)) {
        // indexed loops: this walks every new state's records
        for (let i = 0; i < v.length; i++) {
          const x: unknown = v[i];
          if (x === undefined || !jsonExact(x)) return false;
        }
        return true;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      // an undefined member disappears in the round trip: not exact (the slow path decides)
      for (const k in v as Record<string, unknown>) if (!jsonExact((v as Record<string, unknown>)[k])) return false;
      return true;
    }
    default:
      return false;
  }
}

export class StateSpace {
  readonly machine: SmallMachine;
  readonly ops: readonly Op[];
  readonly invariants: readonly Invariant[];
  private readonly stateInvariants: readonly Invariant[];
  private readonly checkReplay: boolean;
  /** checks a successor from what its operation changed, when the set has every per-world invariant the deltas lean on */
  private readonly delta: DeltaCheck | null;
  private readonly gate = new TableGate();
  private readonly hasher = new WorldHasher();
  private root: World | null = null;
  /** the state step() expanded last: its successors share most of its table entries */
  private expanding: World | null = null;
  /** the plain fingerprint of the world fingerprinted last */
  private readonly worldFp: Fp = { hi: 0, lo: 0 };
  private readonly imageFp: Fp = { hi: 0, lo: 0 };
  /** The mirror, when asked for and a symmetry of this machine; `symmetryProblem` says why not otherwise. */
  readonly symmetry: Symmetry | null;
  readonly symmetryProblem: string | null;

  constructor(readonly options: SpaceOptions = {}) {
    this.machine = smallMachine(options);
    this.ops = operationsOf(this.machine, options);
    this.invariants = options.invariants ?? INVARIANTS;
    // replay is checked on the operation's records (whole-log replay per state would cost O(depth))
    this.stateInvariants = this.invariants.filter((i) => i.name !== REPLAY);
    this.checkReplay = this.stateInvariants.length !== this.invariants.length;
    const perWorld = INVARIANTS.filter((i) => i.name !== REPLAY);
    this.delta = perWorld.every((i) => this.stateInvariants.includes(i)) ? new DeltaCheck(this.stateInvariants) : null;
    this.symmetryProblem = options.symmetry ? mirrorProblem(this.machine, this.ops) : null;
    this.symmetry = options.symmetry && this.symmetryProblem === null ? new Symmetry(this.machine) : null;
  }

  /** The booted machine, made unfrozen like every state (STEP) and once per space. */
  initial(): World {
    return (this.root ??= decide(emptyWorld(this.machine.spec), this.gate, BOOT, STEP).world);
  }

  checkInitial(): Violation | null {
    return firstViolation({ world: this.initial() }, this.stateInvariants);
  }

  /** Operation `opIndex` on `state`; written into `out` when given (a search that reads each successor once and drops it). */
  step(state: World, opIndex: number, out?: Successor): Successor {
    const op = this.ops[opIndex]!;
    if (state !== this.expanding) {
      this.expanding = state;
      this.hasher.base(state);
    }
    const r = decide(state, this.gate, op, STEP);
    const s: Successor = out ?? { opIndex, op, ret: 0, message: undefined, site: undefined, changed: false, next: state, events: r.events };
    s.opIndex = opIndex;
    s.op = op;
    s.ret = r.ret;
    s.message = r.message;
    s.site = r.site;
    s.changed = r.world !== state;
    s.next = r.world;
    s.events = r.events;
    return s;
  }

  /**
   * The world after operation `opIndex`, decided again to rebuild a state from the trail: the
   * search's own bookkeeping, not a decision it made (coverage does not count it).
   */
  redo(state: World, opIndex: number): World {
    return decide(state, this.gate, this.ops[opIndex]!, STEP).world;
  }

  successors(state: World): Successor[] {
    const out: Successor[] = new Array(this.ops.length);
    for (let i = 0; i < this.ops.length; i++) out[i] = this.step(state, i);
    return out;
  }

  /**
   * The first broken invariant in `succ.next`, reached from `state` by `succ`, or null.
   * `state` must hold every invariant: it is the initial state (checkInitial() found
   * nothing), a successor check() passed, or a world equal to one (rebuilt from the trail).
   * Every search walks only such states, since it stops at the first violation; so the
   * successor is checked from what its operation changed (../invariants/delta.ts).
   */
  check(state: World, succ: Successor): Violation | null {
    if (this.checkReplay) {
      const v = this.replayViolation(state, succ);
      if (v) return v;
    }
    if (this.delta === null) return firstViolation({ world: succ.next }, this.stateInvariants);
    return this.delta.firstViolation(state, succ.next);
  }

  /** A record must survive the log's JSON round trip and fold back into the same world. */
  private replayViolation(state: World, succ: Successor): Violation | null {
    const events = jsonExact(succ.events) ? succ.events : (JSON.parse(JSON.stringify(succ.events)) as MemhpEvent[]);
    let replayed: World;
    try {
      replayed = evolveAll(state, events, REPLAY_DRAFT);
    } catch (e) {
      return { invariant: REPLAY, message: `replaying the operation's log records fails: ${(e as Error).message}` };
    }
    // the whole world, not only what the fingerprint covers; and with no collision to allow for
    if (!sameData(replayed, succ.next)) return { invariant: REPLAY, message: "replaying the operation's log records gives a different world than the live one" };
    return null;
  }

  /** The state's 64-bit fingerprint, written into `out`: with symmetry, the smaller of its own and its mirror image's. */
  fingerprint(state: World, out: Fp): Fp {
    const a = this.hasher.hash(state, this.worldFp);
    out.hi = a.hi;
    out.lo = a.lo;
    const image = this.symmetry?.mirror(state);
    if (image) {
      const b = this.hasher.hash(image, this.imageFp);
      if (b.hi < a.hi || (b.hi === a.hi && b.lo < a.lo)) {
        out.hi = b.hi;
        out.lo = b.lo;
      }
    }
    return out;
  }

  /** The fingerprint of the state itself (no symmetry) that fingerprint() saw last. */
  get plainFingerprint(): Readonly<Fp> {
    return this.worldFp;
  }
}
