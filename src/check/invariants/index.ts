/**
 * The named set of invariants memhp checks (`memhp check`, `memhp explore`,
 * the vitest matcher toSatisfyInvariants). Each one is documented in its own
 * file; their order here is the order violations are reported in.
 */
import { geometry } from '../../engine/world.ts';
import type { CheckInput, Invariant, Violation } from '../types.ts';
import { accounting } from './accounting.ts';
import { blockLayout } from './block-layout.ts';
import { blockSections } from './block-sections.ts';
import { memmapAlive } from './memmap-alive.ts';
import { memoryGroups } from './memory-groups.ts';
import { noLeak } from './no-leak.ts';
import { replayReproduces } from './replay.ts';
import { vmemmapHeads } from './vmemmap-heads.ts';

export { accounting, blockLayout, blockSections, memmapAlive, memoryGroups, noLeak, replayReproduces, vmemmapHeads };
export { bootedWorld } from './no-leak.ts';

export const INVARIANTS: readonly Invariant[] = Object.freeze([memmapAlive, blockSections, accounting, vmemmapHeads, blockLayout, memoryGroups, noLeak, replayReproduces]);

export function invariantByName(name: string): Invariant | undefined {
  return INVARIANTS.find((i) => i.name === name);
}

/** Every violation of the given invariants (all of them by default) in this state. */
export function checkInvariants(input: CheckInput, invariants: readonly Invariant[] = INVARIANTS): Violation[] {
  const ctx = { ...input, g: geometry(input.world) };
  const out: Violation[] = [];
  for (const inv of invariants) for (const message of inv.check(ctx)) out.push({ invariant: inv.name, message });
  return out;
}

/** The first violation, or null when every invariant holds (stops at the first invariant that breaks). */
export function firstViolation(input: CheckInput, invariants: readonly Invariant[] = INVARIANTS): Violation | null {
  const ctx = { ...input, g: geometry(input.world) };
  for (const inv of invariants) {
    const messages = inv.check(ctx);
    if (messages.length > 0) return { invariant: inv.name, message: messages[0]! };
  }
  return null;
}
