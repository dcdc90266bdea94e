/**
 * The seed reviewer's hazard: a section whose struct pages were carved out of
 * hot-added memory (an altmap) must not outlive that memory. In the v2 series
 * an MHP_MEMMAP_DEVICE add keeps the memmap of every block in the first
 * block; removing that block alone leaves the others with a memmap in memory
 * the kernel no longer owns, and the next access to their struct pages faults.
 */
import { tableGet } from '../../engine/table.ts';
import type { Geometry } from '../../kernel/geometry.ts';
import type { SectionState, VmemmapState, World } from '../../engine/world.ts';
import { concat, PerChunk } from './chunks.ts';
import { vanished } from './delta.ts';
import type { Invariant } from '../types.ts';
import { hex, memRange } from '../walk.ts';

/** The world the full check reads, for the two lookups below (made once, not per check). */
let lookIn: World;
const headIn = (i: number) => tableGet(lookIn.vmemmap, i);
const blockExistsIn = (id: number) => tableGet(lookIn.blocks, id) !== undefined;

export const memmapAlive: Invariant = {
  name: 'memmap-in-present-memory',
  description:
    "No section's memmap lives in memory that is removed: every page of the vmemmap serving a section lies inside a memory block that still exists.",
  check({ world, g }) {
    const out: string[] = [];
    // the model checker runs this full check whenever a head changed or a block went: the chunks are walked in place
    lookIn = world;
    for (const c of world.sections.chunks)
      if (c)
        for (const s of c) {
          if (s === undefined) continue;
          const m = memmapInRemovedMemory(s, g, headIn, blockExistsIn);
          if (m) out.push(m);
        }
    return out;
  },
  incremental: (g) => incrementalMemmapAlive(g),
  delta: (g) => {
    let w: World;
    const head = (i: number) => tableGet(w.vmemmap, i);
    const blockExists = (id: number) => tableGet(w.blocks, id) !== undefined;
    return (d) => {
      w = d.world;
      // a vanished block or a changed head may break any section's memmap: the full check decides
      if (d.vmemmap.length > 0 || vanished(d)) return false;
      for (const nr of d.sections) {
        const s = tableGet(w.sections, nr);
        if (s && memmapInRemovedMemory(s, g, head, blockExists) !== undefined) return false;
      }
      return true;
    };
  },
};

/**
 * The problem with one section's memmap, if its vmemmap lies (partly) in a removed block (also
 * used per table chunk by the incremental checker). `head(i)` is the vmemmap head stored at
 * section i, if any.
 */
export function memmapInRemovedMemory(
  s: SectionState,
  g: Geometry,
  head: (section: number) => VmemmapState | undefined,
  blockExists: (id: number) => boolean,
): string | undefined {
  if (s.memmap.kind !== 'altmap') return undefined;
  const headPfn = s.memmap.headPfn;
  const h = head(Math.floor(headPfn / g.pagesPerSection));
  // the struct pages of the served sections lie somewhere in [head, head + private)
  const nrPages = h && h.headPfn === headPfn ? h.nrPages : 1;
  const first = Math.floor(headPfn / g.pagesPerBlock);
  const last = Math.floor((headPfn + nrPages - 1) / g.pagesPerBlock);
  for (let id = first; id <= last; id++) {
    if (blockExists(id)) continue;
    return (
      `section ${s.nr} (memory${s.block}) has its memmap in the vmemmap at pfn ${hex(headPfn)}, inside memory${id} ` +
      `${memRange(id * g.blockSize, g.blockSize)}, which has been removed: any access to memory${s.block}'s struct pages ` +
      `(online, offline, remove, a pfn walker) reads memory the kernel no longer owns`
    );
  }
  return undefined;
}

/** Per section chunk (./chunks.ts): each section's memmap against the blocks and heads its chunk's sections read. */
function incrementalMemmapAlive(g: Geometry): (world: World) => string[] {
  const parts = new PerChunk<SectionState, string[]>('sections', (chunk, _ci, r) => {
    const out: string[] = [];
    const head = (i: number) => r.get<VmemmapState>('vmemmap', i);
    const blockExists = (id: number) => r.get('blocks', id) !== undefined;
    if (chunk) for (const s of chunk) {
      if (s === undefined) continue;
      const m = memmapInRemovedMemory(s, g, head, blockExists);
      if (m) out.push(m);
    }
    return out;
  });
  return (world) => concat(parts.run(world));
}
