/**
 * Altmap groups on the map: which slot holds an altmap's vmemmap pages and
 * which blocks' struct pages live there. A DEVICE range has one group for
 * the whole range (head in its first block); MEMBLOCK / memmap_on_memory have
 * one group per block (head inside the block itself).
 */
import type { MapView } from './model.ts';

export interface AltmapGroup {
  headPfn: number;
  /** Slot (block-sized address slot) of the first vmemmap page. */
  headSlot: number;
  nrPages: number;
  /** Sections served, in the order their memmaps sit in the altmap. */
  sections: number[];
  /** Slots of the blocks served other than the head slot, ascending. */
  remote: number[];
  /** The memory holding the pages was removed while sections still used it. */
  orphaned: boolean;
}

export interface AltmapIndex {
  groups: AltmapGroup[];
  /** block index -> group index, -1 when the block's memmap is not an altmap */
  groupOfBlock: Int32Array;
}

export function altmapGroups(f: MapView, secFirst: Int32Array): AltmapIndex {
  const byHead = new Map<number, number>();
  const groups: AltmapGroup[] = f.vmemmap.map((v, i) => {
    byHead.set(v.headPfn, i);
    return { headPfn: v.headPfn, headSlot: Math.floor(v.headPfn / f.blockPages), nrPages: v.nrPages, sections: v.sections, remote: [], orphaned: v.orphaned };
  });
  const groupOfBlock = new Int32Array(secFirst.length).fill(-1);
  for (let bi = 0; bi < secFirst.length; bi++) {
    const j = secFirst[bi]!;
    if (j < 0 || f.sections.memmapKind[j] !== 2) continue;
    const gi = byHead.get(f.sections.memmapHead[j]!);
    if (gi === undefined) continue;
    groupOfBlock[bi] = gi;
    const g = groups[gi]!;
    const slot = Math.floor(f.blocks.startPfn[bi]! / f.blockPages);
    if (slot !== g.headSlot) g.remote.push(slot);
  }
  for (const g of groups) g.remote.sort((a, b) => a - b);
  return { groups, groupOfBlock };
}

/**
 * Where section `nr`'s struct pages sit in its altmap, as a fraction [from, to)
 * of the altmap's pages: the altmap is filled in section order from the start
 * of the range, which is where its head is.
 */
export function sliceOf(f: MapView, g: AltmapGroup, nr: number): [number, number] | null {
  const k = nr - Math.floor(g.headPfn / f.sectionPages);
  const per = f.memmapPagesPerSection;
  if (k < 0 || (k + 1) * per > g.nrPages) return null;
  return [(k * per) / g.nrPages, ((k + 1) * per) / g.nrPages];
}
