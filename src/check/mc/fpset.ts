/**
 * The visited set: 64-bit fingerprints in an open-addressing table of typed
 * arrays, linear probing, no per-state object. A slot is 8 bytes (two 32-bit
 * halves, 0/0 = empty; ./fingerprint.ts never produces 0/0).
 *
 * `FpSet` (one thread) grows by 1.5× when 80% full, so the table is always
 * between 53% and 80% full and costs 10 to 15 bytes per state.
 * `SharedFpSet` (worker threads) is a table in a SharedArrayBuffer whose
 * slots are claimed with a 32-bit compare-and-swap, so two threads never both
 * see a state as new; its owner grows it while the threads are paused.
 */
const MAX_LOAD = 0.8;
const GROWTH = 1.5;

/** The home slot of a fingerprint in a table of `cap` slots (a multiply instead of a modulo; any cap). */
const home = (hi: number, cap: number) => Math.min(cap - 1, Math.floor(hi * (cap / 4294967296)));

export class FpSet {
  private slots: Uint32Array;
  private cap: number;
  size = 0;

  constructor(initial = 64) {
    this.cap = initial;
    this.slots = new Uint32Array(initial * 2);
  }

  /** Adds the fingerprint; true when it was not there. */
  add(hi: number, lo: number): boolean {
    if (this.size + 1 > this.cap * MAX_LOAD) this.grow();
    const s = this.slots;
    const cap = this.cap;
    let i = home(hi, cap);
    for (;;) {
      const a = s[2 * i]!;
      const b = s[2 * i + 1]!;
      if (a === 0 && b === 0) {
        s[2 * i] = hi;
        s[2 * i + 1] = lo;
        this.size++;
        return true;
      }
      if (a === hi && b === lo) return false;
      if (++i === cap) i = 0;
    }
  }

  has(hi: number, lo: number): boolean {
    const s = this.slots;
    let i = home(hi, this.cap);
    for (;;) {
      const a = s[2 * i]!;
      const b = s[2 * i + 1]!;
      if (a === 0 && b === 0) return false;
      if (a === hi && b === lo) return true;
      if (++i === this.cap) i = 0;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.cap = Math.ceil(this.cap * GROWTH);
    this.slots = new Uint32Array(this.cap * 2);
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0 || old[i + 1] !== 0) this.add(old[i]!, old[i + 1]!);
  }

  /** Bytes the table holds now. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** States it holds before it is full (it is sized for the state bound, not grown). */
  get capacity(): number {
    return Math.floor(this.cap * MAX_LOAD);
  }
}

/** A shared set's memory: the table, and the count of fingerprints in it. */
export interface SharedFpBuffers {
  slots: SharedArrayBuffer;
  count: SharedArrayBuffer;
}

/**
 * A table shared by worker threads. A slot is two 32-bit words, claimed
 * without a 64-bit compare-and-swap (which costs a BigInt a look-up, 5% of a
 * thread's time): a thread claims a slot by a compare-and-swap of its `lo`
 * word from 0, then stores `hi`; a thread that finds `lo` taken by its own
 * value waits the few instructions until `hi` is there and compares it. So
 * neither half may be 0 here: a 0 half is stored as 1. That merges two
 * fingerprints only when one half is 0 in one and 1 in the other and the other
 * halves agree, about 2⁻⁹⁵ a pair: nothing against the 2⁻⁶⁴ the collision
 * estimate counts.
 *
 * It does not grow by itself: threads cannot move a table others are
 * probing. Its owner grows it while no thread runs (`grown()`, between the
 * pauses of ./level.ts). A table sized for the state bound at the start was a
 * fifth of a thread's time: a look-up in 500 MB misses the cache and the TLB
 * every time, and every page it touches is a fault (docs/explore.md "Worker
 * threads").
 */
export class SharedFpSet {
  readonly slots: Int32Array;
  readonly cap: number;
  private readonly count: Int32Array;

  /** A table for `states` fingerprints at most 80% full. */
  static buffers(states: number): SharedFpBuffers {
    return { slots: new SharedArrayBuffer(Math.ceil(states / MAX_LOAD + 1) * 8), count: new SharedArrayBuffer(4) };
  }

  constructor(readonly buffers: SharedFpBuffers) {
    this.slots = new Int32Array(buffers.slots);
    this.cap = this.slots.length >> 1;
    this.count = new Int32Array(buffers.count);
  }

  /** Adds the fingerprint; true when this call put it there. */
  add(hi: number, lo: number): boolean {
    const h = hi | 0 || 1;
    const l = lo | 0 || 1;
    const s = this.slots;
    let i = home(hi >>> 0, this.cap);
    for (let probes = 0; probes < this.cap; probes++) {
      const cur = Atomics.compareExchange(s, 2 * i + 1, 0, l);
      if (cur === 0) {
        Atomics.store(s, 2 * i, h);
        Atomics.add(this.count, 0, 1);
        return true;
      }
      if (cur === l) {
        let other = Atomics.load(s, 2 * i);
        // claimed by another thread a moment ago: its hi is on its way
        while (other === 0) other = Atomics.load(s, 2 * i);
        if (other === h) return false;
      }
      if (++i === this.cap) i = 0;
    }
    throw new Error('the shared visited set is full');
  }

  /** Fingerprints in the table. */
  get size(): number {
    return Atomics.load(this.count, 0);
  }

  /**
   * A table for `states` holding every fingerprint of this one. No thread may
   * add to this one meanwhile. (A stored half that was 0 is 1 already, and
   * stays so.)
   */
  grown(states: number): SharedFpSet {
    const next = new SharedFpSet(SharedFpSet.buffers(states));
    const s = this.slots;
    for (let i = 0; i < s.length; i += 2) if (s[i + 1] !== 0) next.add(s[i]!, s[i + 1]!);
    return next;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  /** States it holds before it is 80% full. */
  get capacity(): number {
    return Math.floor(this.cap * MAX_LOAD);
  }
}

/**
 * TLC's estimate of the probability that two distinct states shared a
 * fingerprint somewhere in the run, so a state was wrongly taken as seen:
 * with n distinct states among m generated, each of the m - n duplicate
 * look-ups could have hit any of the n stored fingerprints, so about
 * n · (m − n) / 2^64 (TLC's "calculated (optimistic)" value).
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** 64;
}
