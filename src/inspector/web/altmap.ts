/**
 * Altmap groups on the map: which slot holds an altmap's vmemmap pages and
 * which blocks' struct pages live there. A DEVICE range has one group for
 * the whole range (head in its first block); MEMBLOCK / memmap_on_memory have
 * one group per block (head inside the block itself).
 */
import type { VmemmapView } from '../../engine/view.ts';
import { lowerBound } from './heads.ts';
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

/**
 * The groups, kept in step with the map: a full build when the map is loaded
 * or its columns grow, and after that only the groups a patch touched (the
 * heads it deleted or set, the blocks it changed) are built again, so a far
 * jump on a map with 24,576 heads rebuilds a handful of groups, not all.
 */
export class AltmapIndex {
  /** sorted by head pfn, as MapView.vmemmap */
  groups: AltmapGroup[] = [];
  private byHead = new Map<number, AltmapGroup>();
  /** block index -> memmap head pfn of its first section, -1 when that memmap is not an altmap */
  private headOf = new Float64Array(0);
  /** head pfn -> blocks whose first section points at it (whether or not the head exists) */
  private members = new Map<number, Set<number>>();

  /** The group holding block `bi`'s struct pages, null when its memmap is not an altmap. */
  groupOf(bi: number): AltmapGroup | null {
    const h = this.headOf[bi] ?? -1;
    return h < 0 ? null : this.byHead.get(h) ?? null;
  }

  /** Blocks the index covers (secFirst's length when it was built). */
  get size(): number { return this.headOf.length; }

  /** Cover `n` blocks (the map grew); the new ones hold no altmap until update() says so. */
  grow(n: number): void {
    if (n <= this.headOf.length) return;
    const h = new Float64Array(n).fill(-1);
    h.set(this.headOf);
    this.headOf = h;
  }

  private pointer(f: MapView, secFirst: Int32Array, bi: number): number {
    const j = secFirst[bi]!;
    return j < 0 || f.sections.memmapKind[j] !== 2 ? -1 : f.sections.memmapHead[j]!;
  }

  private link(bi: number, head: number): void {
    const old = this.headOf[bi]!;
    if (old === head) return;
    if (old >= 0) {
      const m = this.members.get(old)!;
      m.delete(bi);
      if (m.size === 0) this.members.delete(old);
    }
    this.headOf[bi] = head;
    if (head >= 0) {
      let m = this.members.get(head);
      if (!m) this.members.set(head, (m = new Set()));
      m.add(bi);
    }
  }

  private group(f: MapView, v: VmemmapView): AltmapGroup {
    const headSlot = Math.floor(v.headPfn / f.blockPages);
    const remote: number[] = [];
    for (const bi of this.members.get(v.headPfn) ?? []) {
      const slot = Math.floor(f.blocks.startPfn[bi]! / f.blockPages);
      if (slot !== headSlot) remote.push(slot);
    }
    remote.sort((a, b) => a - b);
    return { headPfn: v.headPfn, headSlot, nrPages: v.nrPages, sections: v.sections, remote, orphaned: v.orphaned };
  }

  /** Everything from the map. */
  rebuild(f: MapView, secFirst: Int32Array): void {
    this.headOf = new Float64Array(secFirst.length).fill(-1);
    this.members.clear();
    for (let bi = 0; bi < secFirst.length; bi++) this.link(bi, this.pointer(f, secFirst, bi));
    this.byHead.clear();
    this.groups = f.vmemmap.map((v) => {
      const g = this.group(f, v);
      this.byHead.set(v.headPfn, g);
      return g;
    });
  }

  /**
   * Follow a patch: `slots` are the blocks whose sections changed (secFirst
   * already updated for them), `heads` the vmemmap heads deleted or set.
   * Returns the groups that changed, as they were and as they are now.
   */
  update(f: MapView, secFirst: Int32Array, slots: number[], heads: number[]): { before: AltmapGroup[]; after: AltmapGroup[] } {
    const touched = new Set<number>(heads);
    for (const bi of slots) {
      if (bi >= this.headOf.length) continue;
      const old = this.headOf[bi]!;
      const now = this.pointer(f, secFirst, bi);
      if (old === now) continue;
      if (old >= 0) touched.add(old);
      if (now >= 0) touched.add(now);
      this.link(bi, now);
    }
    const before: AltmapGroup[] = [];
    const after: AltmapGroup[] = [];
    if (touched.size === 0) return { before, after };
    let membership = false;
    for (const h of touched) {
      const old = this.byHead.get(h);
      if (old) before.push(old);
      const i = lowerBound(f.vmemmap, h);
      const v = i < f.vmemmap.length && f.vmemmap[i]!.headPfn === h ? f.vmemmap[i]! : null;
      if (v) {
        const g = this.group(f, v);
        after.push(g);
        this.byHead.set(h, g);
        if (!old) membership = true;
      } else if (old) {
        this.byHead.delete(h);
        membership = true;
      }
    }
    // heads came or went: the sorted list follows MapView.vmemmap; else swap the rebuilt groups in place
    if (membership) this.groups = f.vmemmap.map((v) => this.byHead.get(v.headPfn)!);
    else for (const g of after) this.groups[lowerBound(this.groups, g.headPfn)] = g;
    return { before, after };
  }
}

/** A fresh index of the whole map (what update() must keep equal to). */
export function altmapGroups(f: MapView, secFirst: Int32Array): AltmapIndex {
  const a = new AltmapIndex();
  a.rebuild(f, secFirst);
  return a;
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
