/** WorldView -> MapFrame: the columns the memory map draws from. */
import type { WorldView } from '../../engine/view.ts';
import type { ResourceEvent } from '../../engine/events.ts';
import { ZONE_CODES, type MapFrame } from '../protocol.ts';
import { STRUCT_PAGE_SIZE } from '../../kernel/geometry.ts';

const STATE = { offline: 0, online: 1, 'going-offline': 2 } as const;
const MEMMAP = { boot: 0, node: 1, altmap: 2 } as const;

export function toMapFrame(w: WorldView, removed: MapFrame['removed']): MapFrame {
  const b = w.blocks;
  const s = w.sections;
  return {
    seq: w.seq,
    pageSize: w.pageSize,
    blockPages: w.blockSizeBytes / w.pageSize,
    sectionPages: w.sectionSizeBytes / w.pageSize,
    memmapPagesPerSection: Math.ceil(((w.sectionSizeBytes / w.pageSize) * STRUCT_PAGE_SIZE) / w.pageSize),
    params: w.params,
    blocks: {
      id: b.map((x) => x.id),
      state: b.map((x) => STATE[x.state]),
      zone: b.map((x) => (x.zone ? ZONE_CODES.indexOf(x.zone) : -1)),
      node: b.map((x) => x.node),
      startPfn: b.map((x) => x.startPfn),
      nrPages: b.map((x) => x.nrPages),
      vmemmapPages: b.map((x) => x.vmemmapPages),
      flags: b.map((x) => (x.early ? 1 : 0) | (x.pinned ? 2 : 0)),
    },
    sections: {
      nr: s.map((x) => x.nr),
      block: s.map((x) => x.block),
      state: s.map((x) => (x.state === 'online' ? 1 : 0)),
      memmapKind: s.map((x) => MEMMAP[x.memmap.kind]),
      memmapNode: s.map((x) => (x.memmap.kind === 'altmap' ? -1 : x.memmap.node)),
      memmapHead: s.map((x) => (x.memmap.kind === 'altmap' ? x.memmap.headPfn : -1)),
      memmapLost: s.map((x) => (x.memmapLost ? 1 : 0)),
    },
    zones: w.zones,
    nodes: w.nodes,
    vmemmap: w.vmemmap,
    faults: w.faults,
    removed,
    tainted: w.tainted,
    signalPending: w.signalPending,
    injection: w.injection,
  };
}

type Range = { start: number; end: number; seq?: number };

function subtract(ranges: Range[], cut: Range): Range[] {
  const out: Range[] = [];
  for (const r of ranges) {
    if (cut.end <= r.start || cut.start >= r.end) { out.push(r); continue; }
    if (r.start < cut.start) out.push({ ...r, end: cut.start });
    if (cut.end < r.end) out.push({ ...r, start: cut.end });
  }
  return out;
}

/** Ranges released from iomem by events up to seq and not requested again, each with the seq of its release. */
export function removedRanges(resources: ResourceEvent[], seq: number, pageSize: number): MapFrame['removed'] {
  let ranges: Range[] = [];
  for (const e of resources) {
    if (e.seq > seq) break;
    const r = { start: e.start, end: e.start + e.size, seq: e.seq };
    ranges = subtract(ranges, r);
    if (e.action === 'release') ranges.push(r);
  }
  return ranges
    .sort((a, b) => a.start - b.start)
    .map((r) => ({ startPfn: Math.floor(r.start / pageSize), nrPages: Math.floor((r.end - r.start) / pageSize), seq: r.seq! }));
}
