/**
 * memoryN is named by phys_index = start_section_nr / sections_per_block, so
 * a block's id fixes its physical range; no two blocks may claim the same
 * memory and no section may be listed twice.
 */
import type { Geometry } from '../../kernel/geometry.ts';
import type { BlockState, SectionState, World } from '../../engine/world.ts';
import type { Invariant } from '../types.ts';
import { CHUNK, concat, PerChunk } from './chunks.ts';
import { entries, memRange } from '../walk.ts';
import { tableGet } from '../../engine/table.ts';

export const blockLayout: Invariant = {
  name: 'blocks-do-not-overlap',
  description: "No two blocks overlap, and every block's id is its phys_index (its start section / sections_per_block).",
  check({ world, g }) {
    const out: string[] = [];
    const ranges: { id: number; start: number; end: number }[] = [];
    let sorted = true;
    for (const [slot, b] of entries(world.blocks)) {
      if (b.id !== slot) out.push(`the block stored as memory${slot} says it is memory${b.id}: its id is not its phys_index`);
      const start = b.id * g.blockSize;
      if (ranges.length && start < ranges[ranges.length - 1]!.start) sorted = false;
      ranges.push({ id: b.id, start, end: start + g.blockSize });
    }
    // stored by id, so already in address order unless an id is wrong
    if (!sorted) ranges.sort((a, b) => a.start - b.start);
    for (let i = 1; i < ranges.length; i++) {
      const a = ranges[i - 1]!;
      const b = ranges[i]!;
      if (b.start < a.end)
        out.push(`memory${a.id} ${memRange(a.start, a.end - a.start)} and memory${b.id} ${memRange(b.start, b.end - b.start)} overlap`);
    }
    for (const [slot, s] of entries(world.sections)) if (s.nr !== slot) out.push(`the section stored as section ${slot} says it is section ${s.nr}`);
    return out;
  },
  incremental: (g) => incrementalBlockLayout(g),
  // blocks of one block size, each in the slot of its own id, cannot overlap: only the changed slots can break it
  delta: () => (d) => {
    for (const slot of d.blocks) {
      const b = tableGet(d.world.blocks, slot);
      if (b && b.id !== slot) return false;
    }
    for (const slot of d.sections) {
      const s = tableGet(d.world.sections, slot);
      if (s && s.nr !== slot) return false;
    }
    return true;
  },
};

/**
 * Per chunk (./chunks.ts): a block stored in its own slot cannot overlap another, so only the
 * slots are checked; when a block is filed in another block's slot, the full check sorts and compares.
 */
function incrementalBlockLayout(g: Geometry): (world: World) => string[] {
  const blockSlots = new PerChunk<BlockState, { messages: string[]; clean: boolean }>('blocks', (chunk, ci) => {
    const messages: string[] = [];
    if (chunk) chunk.forEach((b, j) => {
      const slot = ci * CHUNK + j;
      if (b !== undefined && b.id !== slot) messages.push(`the block stored as memory${slot} says it is memory${b.id}: its id is not its phys_index`);
    });
    return { messages, clean: messages.length === 0 };
  });
  const sectionSlots = new PerChunk<SectionState, string[]>('sections', (chunk, ci) => {
    const out: string[] = [];
    if (chunk) chunk.forEach((s, j) => {
      const slot = ci * CHUNK + j;
      if (s !== undefined && s.nr !== slot) out.push(`the section stored as section ${slot} says it is section ${s.nr}`);
    });
    return out;
  });
  return (world) => (blockSlots.run(world).every((p) => p.clean) ? concat(sectionSlots.run(world)) : blockLayout.check({ world, g }));
}
