/**
 * The page's copy of the map: kept between steps and patched with what the
 * server says changed (MapPatch), so a step moves a few entries instead of
 * downloading 32,768 blocks again. frame() gives the columns the canvas draws.
 */
import type { MapFrame, MapPatch } from '../protocol.ts';
import type { VmemmapView } from '../../engine/view.ts';

type BlockRow = [state: number, zone: number, node: number, vmemmapPages: number, flags: number];
type SectionRow = [block: number, state: number, memmapKind: number, memmapNode: number, memmapHead: number];

export class MapModel {
  /** Seq of the world held (null: nothing yet). */
  seq: number | null = null;
  private geometry: NonNullable<MapPatch['geometry']> | null = null;
  /** indexed by block id / section nr (sparse) */
  private blocks: (BlockRow | undefined)[] = [];
  private sections: (SectionRow | undefined)[] = [];
  private vmemmap = new Map<number, VmemmapView>();
  private rest: Omit<MapPatch, 'base' | 'seq' | 'geometry' | 'blocks' | 'sections' | 'vmemmap'> | null = null;
  private cached: MapFrame | null = null;

  reset(): void {
    this.seq = null;
    this.geometry = null;
    this.blocks = [];
    this.sections = [];
    this.vmemmap.clear();
    this.rest = null;
    this.cached = null;
  }

  /** Apply a patch; false when it does not start from the world held (the caller asks for a full map). */
  apply(p: MapPatch): boolean {
    if (p.base === null) this.reset();
    else if (p.base !== this.seq) return false;
    if (p.geometry) this.geometry = p.geometry;
    const b = p.blocks;
    for (const id of b.del) this.blocks[id] = undefined;
    for (let i = 0; i < b.id.length; i++) this.blocks[b.id[i]!] = [b.state[i]!, b.zone[i]!, b.node[i]!, b.vmemmapPages[i]!, b.flags[i]!];
    const s = p.sections;
    for (const nr of s.del) this.sections[nr] = undefined;
    for (let i = 0; i < s.nr.length; i++) this.sections[s.nr[i]!] = [s.block[i]!, s.state[i]!, s.memmapKind[i]!, s.memmapNode[i]!, s.memmapHead[i]!];
    for (const h of p.vmemmap.del) this.vmemmap.delete(h);
    for (const v of p.vmemmap.set) this.vmemmap.set(v.headPfn, v);
    const { base: _b, seq, geometry: _g, blocks: _bl, sections: _s, vmemmap: _v, ...rest } = p;
    this.rest = rest;
    this.seq = seq;
    this.cached = null;
    return true;
  }

  /** The held world as the columns the memory map draws (blocks by id, sections by number). */
  frame(): MapFrame | null {
    if (this.cached) return this.cached;
    const g = this.geometry;
    const r = this.rest;
    if (!g || !r || this.seq === null) return null;
    const blocks: MapFrame['blocks'] = { id: [], state: [], zone: [], node: [], startPfn: [], nrPages: [], vmemmapPages: [], flags: [] };
    for (let id = 0; id < this.blocks.length; id++) {
      const x = this.blocks[id];
      if (!x) continue;
      blocks.id.push(id);
      blocks.state.push(x[0]);
      blocks.zone.push(x[1]);
      blocks.node.push(x[2]);
      blocks.startPfn.push(id * g.blockPages);
      blocks.nrPages.push(g.blockPages);
      blocks.vmemmapPages.push(x[3]);
      blocks.flags.push(x[4]);
    }
    const sections: MapFrame['sections'] = { nr: [], block: [], state: [], memmapKind: [], memmapNode: [], memmapHead: [], memmapLost: [] };
    for (let nr = 0; nr < this.sections.length; nr++) {
      const x = this.sections[nr];
      if (!x) continue;
      sections.nr.push(nr);
      sections.block.push(x[0]);
      sections.state.push(x[1]);
      sections.memmapKind.push(x[2]);
      sections.memmapNode.push(x[3]);
      sections.memmapHead.push(x[4]);
      // memmapLost is derived: the altmap's head was orphaned by a removal
      sections.memmapLost.push(x[2] === 2 && this.vmemmap.get(x[4])?.orphaned ? 1 : 0);
    }
    this.cached = {
      seq: this.seq,
      pageSize: g.pageSize,
      blockPages: g.blockPages,
      sectionPages: g.sectionPages,
      memmapPagesPerSection: g.memmapPagesPerSection,
      params: r.params,
      blocks,
      sections,
      zones: r.zones,
      nodes: r.nodes,
      vmemmap: [...this.vmemmap.values()].sort((a, b) => a.headPfn - b.headPfn),
      faults: r.faults,
      removed: r.removed,
      tainted: r.tainted,
      signalPending: r.signalPending,
      injection: r.injection,
    };
    return this.cached;
  }
}
