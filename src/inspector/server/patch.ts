/**
 * World -> MapPatch: the map entries that differ between the world the page
 * holds and the world it asks for. Tables are compared chunk by chunk by
 * reference (src/timeline/diff.ts), so a one-event step reads a few entries of
 * 32,768, and a full map is the patch from nothing.
 */
import { TABLE_CHUNK, tableGet, type Table } from '../../engine/table.ts';
import { faultView, nodeView, vmemmapView, zoneView } from '../../engine/to-view.ts';
import { geometry, type BlockState, type SectionState, type World } from '../../engine/world.ts';
import { STRUCT_PAGE_SIZE } from '../../kernel/geometry.ts';
import { ZONE_CODES, type MapFrame, type MapPatch } from '../protocol.ts';
import { changedKeys } from '../../timeline/diff.ts';
import { tableToArray } from '../../engine/table.ts';

const STATE = { offline: 0, online: 1, 'going-offline': 2 } as const;
const MEMMAP = { boot: 0, node: 1, altmap: 2 } as const;

function keysOf<T>(t: Table<T>): number[] {
  const out: number[] = [];
  t.chunks.forEach((c, ci) => c?.forEach((v, j) => { if (v !== undefined) out.push(ci * TABLE_CHUNK + j); }));
  return out;
}

/** The patch from world `a` (null: an empty page) to world `b`. */
export function mapPatch(a: World | null, b: World, base: number | null, removed: MapFrame['removed']): MapPatch {
  const blocks: MapPatch['blocks'] = { del: [], id: [], state: [], zone: [], node: [], vmemmapPages: [], flags: [] };
  const sections: MapPatch['sections'] = { del: [], nr: [], block: [], state: [], memmapKind: [], memmapNode: [], memmapHead: [] };
  const vmemmap: MapPatch['vmemmap'] = { del: [], set: [] };

  const putBlock = (x: BlockState) => {
    blocks.id.push(x.id);
    blocks.state.push(STATE[x.state]);
    blocks.zone.push(x.zone ? ZONE_CODES.indexOf(x.zone) : -1);
    blocks.node.push(x.nid);
    blocks.vmemmapPages.push(x.nr_vmemmap_pages);
    blocks.flags.push((x.early ? 1 : 0) | (x.pinned ? 2 : 0));
  };
  const putSection = (s: SectionState) => {
    sections.nr.push(s.nr);
    sections.block.push(s.block);
    sections.state.push(s.state === 'online' ? 1 : 0);
    sections.memmapKind.push(MEMMAP[s.memmap.kind]);
    sections.memmapNode.push(s.memmap.kind === 'altmap' ? -1 : s.memmap.node);
    sections.memmapHead.push(s.memmap.kind === 'altmap' ? s.memmap.headPfn : -1);
  };

  const keys = <T>(ta: Table<T> | null, tb: Table<T>) => (ta ? changedKeys(ta, tb) : keysOf(tb));
  for (const id of keys(a?.blocks ?? null, b.blocks)) {
    const x = tableGet(b.blocks, id);
    if (x) putBlock(x); else blocks.del.push(id);
  }
  for (const nr of keys(a?.sections ?? null, b.sections)) {
    const s = tableGet(b.sections, nr);
    if (s) putSection(s); else sections.del.push(nr);
  }
  for (const k of keys(a?.vmemmap ?? null, b.vmemmap)) {
    const before = a ? tableGet(a.vmemmap, k) : undefined;
    const h = tableGet(b.vmemmap, k);
    if (before && (!h || h.headPfn !== before.headPfn)) vmemmap.del.push(before.headPfn);
    if (h) vmemmap.set.push(vmemmapView(h));
  }

  const g = geometry(b);
  return {
    base,
    seq: b.seq,
    ...(a === null ? {
      geometry: {
        pageSize: g.pageSize,
        blockPages: g.pagesPerBlock,
        sectionPages: g.pagesPerSection,
        memmapPagesPerSection: Math.ceil((g.pagesPerSection * STRUCT_PAGE_SIZE) / g.pageSize),
      },
    } : {}),
    blocks,
    sections,
    vmemmap,
    params: b.params,
    zones: tableToArray(b.zones).map(zoneView),
    nodes: tableToArray(b.nodes).map((n) => nodeView(b, n)),
    faults: b.faults.map(faultView),
    removed,
    tainted: b.oopses > 0,
    signalPending: b.signalPending,
    injection: { ...b.injection },
  };
}
