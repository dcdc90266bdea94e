/**
 * The trail: for every state found, the state it was reached from and the
 * operation that led there (TLC keeps the same, to print a trace). 6 bytes a
 * state: an Int32Array of parents and a Uint16Array of operation indexes.
 * State ids are dense and given out in breadth-first order, so one level of
 * the search is a range of ids, and the frontier needs no list of its own.
 *
 * The trail is also how a state the frontier did not keep in memory comes
 * back: its operations replayed from the booted machine (./bfs.ts).
 *
 * `Trail` grows (one thread); a trail over SharedArrayBuffers has a fixed
 * capacity, the state bound, and hands out ids atomically (worker threads).
 */
export const NO_PARENT = -1;

export class Trail {
  parents: Int32Array;
  ops: Uint16Array;
  /** [0] = states in the trail (atomically incremented when shared) */
  readonly count: Int32Array;

  private constructor(
    parents: Int32Array,
    ops: Uint16Array,
    count: Int32Array,
    private readonly shared: boolean,
  ) {
    this.parents = parents;
    this.ops = ops;
    this.count = count;
  }

  static local(initial = 1 << 12): Trail {
    return new Trail(new Int32Array(initial), new Uint16Array(initial), new Int32Array(1), false);
  }

  /** Buffers for a shared trail of at most `capacity` states. */
  static sharedBuffers(capacity: number): TrailBuffers {
    return { parents: new SharedArrayBuffer(capacity * 4), ops: new SharedArrayBuffer(capacity * 2), count: new SharedArrayBuffer(4) };
  }

  static shared(b: TrailBuffers): Trail {
    return new Trail(new Int32Array(b.parents), new Uint16Array(b.ops), new Int32Array(b.count), true);
  }

  get size(): number {
    return this.shared ? Atomics.load(this.count, 0) : this.count[0]!;
  }

  /** A new state's id, or -1 when a shared trail is full. */
  push(parent: number, op: number): number {
    let id: number;
    if (this.shared) {
      id = Atomics.add(this.count, 0, 1);
      if (id >= this.parents.length) return -1;
    } else {
      id = this.count[0]!++;
      if (id >= this.parents.length) this.grow();
    }
    this.parents[id] = parent;
    this.ops[id] = op;
    return id;
  }

  private grow(): void {
    const p = new Int32Array(this.parents.length * 2);
    p.set(this.parents);
    const o = new Uint16Array(this.ops.length * 2);
    o.set(this.ops);
    this.parents = p;
    this.ops = o;
  }

  /** The operation indexes from the initial state to state `id`. */
  path(id: number): number[] {
    const out: number[] = [];
    for (let x = id; this.parents[x] !== NO_PARENT; x = this.parents[x]!) out.push(this.ops[x]!);
    return out.reverse();
  }

  get bytes(): number {
    return this.parents.byteLength + this.ops.byteLength;
  }
}

export interface TrailBuffers {
  parents: SharedArrayBuffer;
  ops: SharedArrayBuffer;
  count: SharedArrayBuffer;
}
