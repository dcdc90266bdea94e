/**
 * A memory block is the sysfs face of sections_per_block sections; the two
 * must agree. online_pages() sets SECTION_IS_ONLINE on every section of the
 * block and offline_pages() clears it; remove_memory() removes the block
 * device and deactivates every one of its sections.
 */
import { phys_index, type Geometry } from '../../kernel/geometry.ts';
import type { BlockState, SectionState, World } from '../../engine/world.ts';
import { concat, PerChunk } from './chunks.ts';
import { tableGet, tableToArray } from '../../engine/table.ts';
import type { Invariant } from '../types.ts';

export const blockSections: Invariant = {
  name: 'block-sections-agree',
  description:
    'A block is online only if all its sections are present, populated (have a memmap) and online; an offline block has no online section; a removed block has no sections left.',
  check({ world, g }) {
    const out: string[] = [];
    const section = (nr: number) => tableGet(world.sections, nr);
    for (const b of tableToArray(world.blocks)) blockAgainstSections(b, g, section, out);
    for (const s of tableToArray(world.sections)) sectionAgainstBlock(s, g, (id) => tableGet(world.blocks, id) !== undefined, out);
    return out;
  },
  incremental: (g) => incrementalBlockSections(g),
  // a block reads its own sections, a section its block's presence: recheck the changed ones and what reads them
  // (the parent's blocks and sections sat in their own slots: blocks-do-not-overlap held)
  delta: (g) => {
    let w: World;
    const out: string[] = [];
    const section = (nr: number) => tableGet(w.sections, nr);
    const blockExists = (id: number) => tableGet(w.blocks, id) !== undefined;
    const block = (id: number) => {
      const b = tableGet(w.blocks, id);
      if (b) blockAgainstSections(b, g, section, out);
    };
    return (d) => {
      w = d.world;
      out.length = 0;
      for (const id of d.blocks) block(id);
      for (const nr of d.sections) {
        block(phys_index(g, nr));
        const s = section(nr);
        if (s) sectionAgainstBlock(s, g, blockExists, out);
      }
      for (const id of d.blocksMoved)
        for (let nr = id * g.sectionsPerBlock; nr < (id + 1) * g.sectionsPerBlock; nr++) {
          const s = section(nr);
          if (s) sectionAgainstBlock(s, g, blockExists, out);
        }
      return out.length === 0;
    };
  },
};

/** One block against its sections (also used per table chunk by the incremental checker). */
export function blockAgainstSections(b: BlockState, g: Geometry, section: (nr: number) => SectionState | undefined, out: string[]): void {
  const wantOnline = b.state !== 'offline';
  for (let nr = b.id * g.sectionsPerBlock; nr < (b.id + 1) * g.sectionsPerBlock; nr++) {
    const s = section(nr);
    if (!s) {
      out.push(`memory${b.id} is ${b.state} but its section ${nr} is not present`);
      continue;
    }
    if (!s.memmap) out.push(`memory${b.id} is ${b.state} but its section ${nr} has no memmap (not populated)`);
    if (wantOnline && s.state !== 'online') out.push(`memory${b.id} is ${b.state} but its section ${nr} is ${s.state}, not online`);
    if (!wantOnline && s.state === 'online') out.push(`memory${b.id} is offline but its section ${nr} is still online`);
    if (s.nid !== b.nid) out.push(`section ${nr} is on node ${s.nid} but its block memory${b.id} is on node ${b.nid}`);
    if (s.early !== b.early) out.push(`section ${nr} is ${s.early ? '' : 'not '}early but memory${b.id} is ${b.early ? '' : 'not '}boot memory`);
  }
}

/** One section against the block its phys_index names. */
export function sectionAgainstBlock(s: SectionState, g: Geometry, blockExists: (id: number) => boolean, out: string[]): void {
  const id = phys_index(g, s.nr);
  if (s.block !== id) out.push(`section ${s.nr} claims block memory${s.block}, but its phys_index is ${id}`);
  if (!blockExists(id)) out.push(`section ${s.nr} is ${s.state} but its block memory${id} has been removed`);
}

/** Per block chunk and per section chunk (./chunks.ts), blocks first as in the full check. */
function incrementalBlockSections(g: Geometry): (world: World) => string[] {
  const blockSide = new PerChunk<BlockState, string[]>('blocks', (chunk, _ci, r) => {
    const out: string[] = [];
    if (chunk) for (const b of chunk) if (b !== undefined) blockAgainstSections(b, g, (nr) => r.get<SectionState>('sections', nr), out);
    return out;
  });
  const sectionSide = new PerChunk<SectionState, string[]>('sections', (chunk, _ci, r) => {
    const out: string[] = [];
    if (chunk) for (const s of chunk) if (s !== undefined) sectionAgainstBlock(s, g, (id) => r.get('blocks', id) !== undefined, out);
    return out;
  });
  return (world) => [...concat(blockSide.run(world)), ...concat(sectionSide.run(world))];
}
