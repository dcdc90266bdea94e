/**
 * Checking the invariants of a successor from what its operation changed
 * (the model checker, src/check/mc/space.ts: every new state is one
 * operation away from a state that held every invariant).
 *
 * A successor shares every table entry its operation did not write with the
 * state it came from, by reference (src/engine/table.ts), so the entries
 * that differ are found by comparing references: a Delta lists their slots.
 * An invariant that declares `delta` (beside its full check, in its own
 * file) says from those alone whether it still holds; where it cannot tell
 * cheaply it says no, and its full check runs and gives its messages. So the
 * first violation reported, its invariant and its message, are the full
 * check's (test/check/delta-invariants.test.ts compares the two over every
 * state of several small machines and over broken worlds).
 */
import { TABLE_CHUNK, type Table } from '../../engine/table.ts';
import { geometry, type World } from '../../engine/world.ts';
import type { Geometry } from '../../kernel/geometry.ts';
import type { Delta, Invariant, Violation } from '../types.ts';



/** The slots whose entries differ between two versions of a table, in key order (`moved`: where one is absent). */
export function changedSlots<T>(a: Table<T>, b: Table<T>, out: number[], moved?: number[]): number[] {
  out.length = 0;
  if (moved) moved.length = 0;
  if (a === b) return out;
  const n = Math.max(a.chunks.length, b.chunks.length);
  // a chunk has 256 slots and the small machine's keys are all below 16: one chunk each stops past both tables' last entries
  const one = n === 1;
  for (let ci = 0; ci < n; ci++) {
    const x = a.chunks[ci];
    const y = b.chunks[ci];
    if (x === y) continue;
    let left = a.size + b.size;
    const len = Math.max(x ? x.length : 0, y ? y.length : 0);
    for (let j = 0; j < len && !(one && left === 0); j++) {
      const u = x ? x[j] : undefined;
      const v = y ? y[j] : undefined;
      if (u !== undefined) left--;
      if (v !== undefined) left--;
      if (u === v) continue;
      const slot = ci * TABLE_CHUNK + j;
      out.push(slot);
      if (moved && (u === undefined) !== (v === undefined)) moved.push(slot);
    }
  }
  return out;
}

export class DeltaCheck {
  private readonly d = { g: null as unknown as Geometry, parent: null as unknown as World, world: null as unknown as World, blocks: [] as number[], blocksMoved: [] as number[], sections: [] as number[], vmemmap: [] as number[], zones: [] as number[], nodes: [] as number[] };
  private g: Geometry | null = null;
  private checks: { inv: Invariant; delta: ((d: Delta) => boolean) | null }[] = [];

  constructor(private readonly invariants: readonly Invariant[]) {}

  firstViolation(parent: World, world: World): Violation | null {
    const g = geometry(world);
    if (g !== this.g) {
      this.g = g;
      this.checks = this.invariants.map((inv) => ({ inv, delta: inv.delta ? inv.delta(g) : null }));
    }
    const d = this.d;
    d.g = g;
    d.parent = parent;
    d.world = world;
    changedSlots(world.blocks, parent.blocks, d.blocks, d.blocksMoved);
    changedSlots(world.sections, parent.sections, d.sections);
    changedSlots(world.vmemmap, parent.vmemmap, d.vmemmap);
    changedSlots(world.zones, parent.zones, d.zones);
    changedSlots(world.nodes, parent.nodes, d.nodes);
    let ctx: { world: World; g: Geometry } | null = null;
    for (const c of this.checks) {
      if (c.delta !== null && c.delta(d)) continue;
      ctx ??= { world, g };
      const messages = c.inv.check(ctx);
      if (messages.length > 0) return { invariant: c.inv.name, message: messages[0]! };
    }
    return null;
  }
}

/** Whether a block vanished (not one that appeared). */
export function vanished(d: Delta): boolean {
  for (const id of d.blocksMoved) if (d.world.blocks.chunks[Math.floor(id / TABLE_CHUNK)]?.[id % TABLE_CHUNK] === undefined) return true;
  return false;
}
