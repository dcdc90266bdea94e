/**
 * What an invariant is: a named, documented rule over one state of the
 * simulated kernel, returning every place it is broken with a sentence a
 * kernel developer can act on.
 */
import type { Geometry } from '../kernel/geometry.ts';
import type { MemhpEvent } from '../engine/events.ts';
import type { World } from '../engine/world.ts';

export interface Violation {
  /** The invariant's name (stable, kebab-case). */
  invariant: string;
  /** What is wrong, where, and why it matters. */
  message: string;
}

export interface CheckInput {
  world: World;
  /**
   * Every event from seq 1 to world.seq, when known. Invariants about the
   * log (replay reproduces the world) hold vacuously without it.
   */
  events?: readonly MemhpEvent[];
}

export interface CheckContext extends CheckInput {
  g: Geometry;
}

/** What an operation changed (./invariants/delta.ts): the slots of each table whose entry differs (by reference) from the parent's. */
export interface Delta {
  g: Geometry;
  parent: World;
  world: World;
  blocks: readonly number[];
  /** the slots of `blocks` where a block appeared or vanished */
  blocksMoved: readonly number[];
  sections: readonly number[];
  vmemmap: readonly number[];
  zones: readonly number[];
  nodes: readonly number[];
}

export interface Invariant {
  name: string;
  /** One or two sentences: the rule, and the kernel fact behind it. */
  description: string;
  check(ctx: CheckContext): string[];
  /**
   * For checking successive worlds of one system (./invariants/incremental.ts): a checker for
   * that system's geometry whose `(world)` returns exactly what check() returns, reusing what
   * unchanged table chunks gave (./invariants/chunks.ts). Absent: check() runs on each world.
   * null: the invariant is about the log, not one world, and is not checked step by step.
   */
  incremental?: ((g: Geometry) => (world: World) => string[]) | null;
  /**
   * For the model checker's successors (./invariants/delta.ts): given that the parent held every
   * invariant, true when this one still holds after what the operation changed (the Delta), found
   * from the changed entries alone; false when it may not (then check() runs). It must never say
   * true where check() would report something.
   */
  delta?: (g: Geometry) => (d: Delta) => boolean;
}
