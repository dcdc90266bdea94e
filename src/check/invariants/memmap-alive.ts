/**
 * The seed reviewer's hazard: a section whose struct pages were carved out of
 * hot-added memory (an altmap) must not outlive that memory. In the v2 series
 * an MHP_MEMMAP_DEVICE add keeps the memmap of every block in the first
 * block; removing that block alone leaves the others with a memmap in memory
 * the kernel no longer owns, and the next access to their struct pages faults.
 */
import { tableGet, tableToArray } from '../../engine/table.ts';
import type { Invariant } from '../types.ts';
import { hex, memRange } from '../walk.ts';

export const memmapAlive: Invariant = {
  name: 'memmap-in-present-memory',
  description:
    "No section's memmap lives in memory that is removed: every page of the vmemmap serving a section lies inside a memory block that still exists.",
  check({ world, g }) {
    const out: string[] = [];
    for (const s of tableToArray(world.sections)) {
      if (s.memmap.kind !== 'altmap') continue;
      const headPfn = s.memmap.headPfn;
      const head = tableGet(world.vmemmap, Math.floor(headPfn / g.pagesPerSection));
      // the struct pages of the served sections lie somewhere in [head, head + private)
      const nrPages = head && head.headPfn === headPfn ? head.nrPages : 1;
      const first = Math.floor(headPfn / g.pagesPerBlock);
      const last = Math.floor((headPfn + nrPages - 1) / g.pagesPerBlock);
      for (let id = first; id <= last; id++) {
        if (tableGet(world.blocks, id)) continue;
        out.push(
          `section ${s.nr} (memory${s.block}) has its memmap in the vmemmap at pfn ${hex(headPfn)}, inside memory${id} ` +
            `${memRange(id * g.blockSize, g.blockSize)}, which has been removed: any access to memory${s.block}'s struct pages ` +
            `(online, offline, remove, a pfn walker) reads memory the kernel no longer owns`,
        );
        break;
      }
    }
    return out;
  },
};
