/**
 * Page accounting follows the blocks. online_pages() adds a block's pages to
 * its zone's present and managed counts; vmemmap pages carved from the block
 * are present (adjust_present_page_count) but never reach the buddy, so they
 * are never managed; the boot memmap is a memblock reservation in the node's
 * highest kernel zone (present, not managed). Regular hot-add memmaps are
 * allocated from some node's kernel memory and counted there.
 */
import { chunkOf, tableGet, tableToArray } from '../../engine/table.ts';
import { zonesOfNode } from '../../engine/to-view.ts';
import { zoneKey, type BlockState, type SectionState, type VmemmapState, type World } from '../../engine/world.ts';
import type { Geometry } from '../../kernel/geometry.ts';
import { ZONE_NAMES, type ZoneName } from '../../kernel/types.ts';
import { blockZoneCounts, bootLayout, bootZoneSplit, expectedNodeMemmapPages, expectedZoneCounters, vmemmapPagesInBlock, vmemmapPagesOfBlock, zoneCountersKey, type ZoneCounters } from '../expected.ts';
import type { Delta } from '../types.ts';
import { PerChunk } from './chunks.ts';
import type { Invariant } from '../types.ts';

export const accounting: Invariant = {
  name: 'accounting-matches-blocks',
  description:
    "Present and managed pages per zone and node equal what the blocks' states imply; vmemmap pages are present but never managed; the memmap pages each node provides match the sections that use them.",
  check({ world, g }) {
    const out: string[] = [];
    const expected = expectedZoneCounters(world, g);
    out.push(...zoneCounterProblems(world, expected));
    out.push(...nodeMemmapProblems(world, expectedNodeMemmapPages(world, g)));
    for (const b of tableToArray(world.blocks)) {
      const nv = vmemmapPagesInBlock(world, g, b.id);
      if (b.nr_vmemmap_pages !== nv)
        out.push(`memory${b.id} says ${b.nr_vmemmap_pages} of its pages hold vmemmap, but the vmemmap heads in its range cover ${nv}`);
    }
    // a hot-added node that holds blocks is online
    const bootNodes = new Set(bootLayout(world.system, g).map((n) => n.node));
    const nodesWithBlocks = new Set(tableToArray(world.blocks).map((b) => b.nid));
    for (const n of tableToArray(world.nodes)) {
      if (bootNodes.has(n.id)) {
        if (!n.online) out.push(`boot node ${n.id} is offline`);
        continue;
      }
      const hasBlocks = nodesWithBlocks.has(n.id);
      if (hasBlocks && !n.online) out.push(`node ${n.id} holds memory blocks but is offline`);
      // the converse is allowed: try_remove_memory() tries to offline only the node of the last
      // block it walked, so a range spanning two nodes can leave the first online and memoryless
    }
    return out;
  },
  incremental: (g) => incrementalAccounting(g),
  delta: (g) => accountingDelta(g),
};

/**
 * The zone and node counters against what the blocks imply (`expected`: per node and zone, as
 * expectedZoneCounters() computes it, or the incremental checker sums it per table chunk).
 */
export function zoneCounterProblems(world: World, expected: ReadonlyMap<string, ZoneCounters>): string[] {
  const out: string[] = [];
  const nodes = new Set<number>(tableToArray(world.nodes).map((n) => n.id));
  for (const c of expected.values()) nodes.add(c.node);
  for (const node of nodes)
    for (const zone of ZONE_NAMES) {
      const want = expected.get(zoneCountersKey(node, zone)) ?? { presentPages: 0, managedPages: 0, presentEarlyPages: 0 };
      const have = tableGet(world.zones, zoneKey(node, zone)) ?? { presentPages: 0, managedPages: 0, presentEarlyPages: 0 };
      if (have.presentPages !== want.presentPages)
        out.push(`node ${node} zone ${zone}: present_pages is ${have.presentPages}, but its online blocks make ${want.presentPages}`);
      if (have.managedPages !== want.managedPages)
        out.push(
          `node ${node} zone ${zone}: managed_pages is ${have.managedPages}, but its online blocks minus vmemmap and boot memmap pages make ${want.managedPages}`,
        );
      if (have.presentEarlyPages !== want.presentEarlyPages)
        out.push(`node ${node} zone ${zone}: present_early_pages is ${have.presentEarlyPages}, but its online boot blocks make ${want.presentEarlyPages}`);
    }
  // the node view sums its zones (nodeView()): check that sum against the blocks too
  // (its zones only: the view's other fields cost more than every invariant together)
  for (const node of tableToArray(world.nodes)) {
    const mine = zonesOfNode(world, node.id);
    const n = { id: node.id, presentPages: mine.reduce((a, z) => a + z.presentPages, 0), managedPages: mine.reduce((a, z) => a + z.managedPages, 0) };
    let present = 0;
    let managed = 0;
    for (const c of expected.values())
      if (c.node === n.id) {
        present += c.presentPages;
        managed += c.managedPages;
      }
    if (n.presentPages !== present) out.push(`node ${n.id}: present pages are ${n.presentPages}, but its online blocks make ${present}`);
    if (n.managedPages !== managed) out.push(`node ${n.id}: managed pages are ${n.managedPages}, but its online blocks make ${managed}`);
  }
  return out;
}

/** Each node's memmap pages against what its boot memmap and the sections placed on it need. */
export function nodeMemmapProblems(world: World, memmap: ReadonlyMap<number, number>): string[] {
  const out: string[] = [];
  for (const n of tableToArray(world.nodes)) {
    const want = memmap.get(n.id) ?? 0;
    if (n.memmapPages !== want)
      out.push(`node ${n.id} provides ${n.memmapPages} memmap pages, but its boot memmap and the sections placed on it need ${want}`);
  }
  for (const [node, want] of memmap)
    if (!tableGet(world.nodes, node)) out.push(`sections keep ${want} memmap pages on node ${node}, which does not exist`);
  return out;
}

interface BlockAccounting {
  zones: Map<string, ZoneCounters>;
  nids: Set<number>;
  nvMessages: string[];
}

/**
 * Per table chunk (./chunks.ts): the vmemmap pages each block holds, summed over the vmemmap
 * chunks by difference; each block chunk's zone counters, nodes and nr_vmemmap_pages problems;
 * each section chunk's memmap pages per node. The combination adds them up in chunk order.
 */
function incrementalAccounting(g: Geometry): (world: World) => string[] {
  // accounting: vmemmap pages per block, kept as a sum over vmemmap chunks (by difference)
  const vmemmapByBlock = new Map<number, number>();
  /** block chunks whose vmemmap pages changed since they were last summed */
  const dirtyBlockChunks = new Set<number>();
  const add = (m: Map<number, number> | undefined, sign: number) => {
    if (!m) return;
    for (const [id, pages] of m) {
      const v = (vmemmapByBlock.get(id) ?? 0) + sign * pages;
      if (v === 0) vmemmapByBlock.delete(id); else vmemmapByBlock.set(id, v);
      dirtyBlockChunks.add(chunkOf(id));
    }
  };
  const vmemmapParts = new PerChunk<VmemmapState, Map<number, number>>(
    'vmemmap',
    (chunk) => {
      const out = new Map<number, number>();
      if (chunk) for (const h of chunk) {
        if (h === undefined) continue;
        const end = h.headPfn + h.nrPages;
        for (let id = Math.floor(h.headPfn / g.pagesPerBlock); id * g.pagesPerBlock < end; id++) {
          const start = id * g.pagesPerBlock;
          const pages = Math.max(0, Math.min(end, start + g.pagesPerBlock) - Math.max(start, h.headPfn));
          if (pages > 0) out.set(id, (out.get(id) ?? 0) + pages);
        }
      }
      return out;
    },
    undefined,
    (_ci, old, now) => {
      add(old, -1);
      add(now, +1);
    },
  );
  const blockAccounting = new PerChunk<BlockState, BlockAccounting>(
    'blocks',
    (chunk) => {
      const zones = new Map<string, ZoneCounters>();
      const nids = new Set<number>();
      const nvMessages: string[] = [];
      const at = (node: number, zone: ZoneName) => {
        let c = zones.get(zoneCountersKey(node, zone));
        if (!c) zones.set(zoneCountersKey(node, zone), (c = { node, zone, presentPages: 0, managedPages: 0, presentEarlyPages: 0 }));
        return c;
      };
      if (chunk) for (const b of chunk) {
        if (b === undefined) continue;
        nids.add(b.nid);
        const nvRaw = vmemmapByBlock.get(b.id) ?? 0;
        if (b.nr_vmemmap_pages !== nvRaw)
          nvMessages.push(`memory${b.id} says ${b.nr_vmemmap_pages} of its pages hold vmemmap, but the vmemmap heads in its range cover ${nvRaw}`);
        if (b.state === 'offline') continue;
        const nv = Math.min(nvRaw, g.pagesPerBlock);
        const pfn = b.id * g.pagesPerBlock;
        const parts: [ZoneName, number][] = b.zone !== null ? [[b.zone, g.pagesPerBlock]] : bootZoneSplit(g, pfn, pfn + g.pagesPerBlock);
        parts.forEach(([zone, nr], i) => {
          const c = at(b.nid, zone);
          c.presentPages += nr;
          c.managedPages += nr - (i === 0 ? nv + (b.fake_offline_pages ?? 0) : 0);
          if (b.early) c.presentEarlyPages += nr;
        });
      }
      return { zones, nids, nvMessages };
    },
    (ci) => !dirtyBlockChunks.has(ci),
  );
  const sectionMemmap = new PerChunk<SectionState, Map<number, number>>('sections', (chunk) => {
    const out = new Map<number, number>();
    if (chunk) for (const s of chunk) if (s !== undefined && s.memmap.kind === 'node') out.set(s.memmap.node, (out.get(s.memmap.node) ?? 0) + s.memmap.pages);
    return out;
  });

  return (world) => {
    vmemmapParts.run(world);
    const parts = blockAccounting.run(world);
    dirtyBlockChunks.clear();
    const out: string[] = [];
    const expected = new Map<string, ZoneCounters>();
    const at = (node: number, zone: ZoneName) => {
      let c = expected.get(zoneCountersKey(node, zone));
      if (!c) expected.set(zoneCountersKey(node, zone), (c = { node, zone, presentPages: 0, managedPages: 0, presentEarlyPages: 0 }));
      return c;
    };
    const nodesWithBlocks = new Set<number>();
    for (const p of parts) {
      for (const [, c] of p.zones) {
        const e = at(c.node, c.zone);
        e.presentPages += c.presentPages;
        e.managedPages += c.managedPages;
        e.presentEarlyPages += c.presentEarlyPages;
      }
      for (const n of p.nids) nodesWithBlocks.add(n);
    }
    const layout = bootLayout(world.system, g);
    for (const n of layout) at(n.node, n.topZone).managedPages -= n.memmapPages;

    out.push(...zoneCounterProblems(world, expected));
    const memmap = new Map<number, number>();
    for (const n of layout) memmap.set(n.node, (memmap.get(n.node) ?? 0) + n.memmapPages);
    for (const p of sectionMemmap.run(world)) for (const [node, pages] of p) memmap.set(node, (memmap.get(node) ?? 0) + pages);
    out.push(...nodeMemmapProblems(world, memmap));
    for (const p of parts) for (const m of p.nvMessages) out.push(m);
    const bootNodes = new Set(layout.map((n) => n.node));
    for (const n of tableToArray(world.nodes)) {
      if (bootNodes.has(n.id)) {
        if (!n.online) out.push(`boot node ${n.id} is offline`);
        continue;
      }
      if (nodesWithBlocks.has(n.id) && !n.online) out.push(`node ${n.id} holds memory blocks but is offline`);
    }
    return out;
  };
}

/** Sums of `width` numbers per key, for the few keys one successor touches (a linear search). */
class Sums {
  readonly keys: number[] = [];
  readonly values: number[] = [];
  constructor(private readonly width: number) {}
  clear(): void {
    this.keys.length = 0;
    this.values.length = 0;
  }
  /** The index of the key's first value, the key added with zeros when new. */
  at(key: number): number {
    let j = this.keys.indexOf(key);
    if (j < 0) {
      j = this.keys.length;
      this.keys.push(key);
      for (let i = 0; i < this.width; i++) this.values.push(0);
    }
    return j * this.width;
  }
}

/**
 * The delta (../invariants/delta.ts): the parent's counters were what its blocks implied, so the
 * successor's expected counters are the parent's counters plus what the changed blocks (and the
 * blocks whose vmemmap pages a changed head moved) add and take away. Only the zones that moves
 * touch, and the zones the operation wrote, are compared; so are the memmap pages of the nodes the
 * changed sections moved and of the nodes the operation wrote. A node that appeared, went or is
 * offline, or anything on a node outside the table, goes to the full check.
 */
function accountingDelta(g: Geometry): (d: Delta) => boolean {
  /** zone key -> [present, managed, early] the changed blocks add (minus what they took) */
  // small keyed sums as parallel arrays, emptied by length = 0: Map.clear() allocates a new
  // backing store, and the two clears per successor were 5% of a search's time
  const moves = new Sums(3);
  /** node -> memmap pages the changed sections put on it (minus what they took off) */
  const memmapMoves = new Sums(1);
  const blocks: number[] = [];
  let sign = 1;
  let nid = 0;
  const add = (zone: ZoneName, present: number, managed: number, early: number) => {
    const k = zoneKey(nid, zone);
    const i = moves.at(k);
    moves.values[i] += sign * present;
    moves.values[i + 1] += sign * managed;
    moves.values[i + 2] += sign * early;
  };
  const headBlocks = (h: VmemmapState | undefined) => {
    if (!h) return;
    for (let id = Math.floor(h.headPfn / g.pagesPerBlock); id <= Math.floor((h.headPfn + h.nrPages - 1) / g.pagesPerBlock); id++) if (!blocks.includes(id)) blocks.push(id);
  };
  return (d) => {
    const w = d.world;
    const p = d.parent;
    const bootNodes = bootLayout(w.system, g);
    // node memmaps: the parent's matched its nodes, so each node's memmap pages move by what the
    // changed sections placed on it and took off it; a section may not name a node outside the table
    memmapMoves.clear();
    for (const nr of d.sections) {
      const a = tableGet(w.sections, nr)?.memmap;
      const b = tableGet(p.sections, nr)?.memmap;
      if (a?.kind === 'node') {
        if (!tableGet(w.nodes, a.node)) return false;
        memmapMoves.values[memmapMoves.at(a.node)] += a.pages;
      }
      if (b?.kind === 'node') memmapMoves.values[memmapMoves.at(b.node)] -= b.pages;
    }
    // a node that appeared, went or is offline: the full check decides (it looks for the blocks an offline node holds)
    for (const id of d.nodes) {
      const now = tableGet(w.nodes, id);
      if (!tableGet(p.nodes, id) || !now || !now.online) return false;
      memmapMoves.at(id);
    }
    for (let j = 0; j < memmapMoves.keys.length; j++) {
      const id = memmapMoves.keys[j]!;
      const pages = memmapMoves.values[j]!;
      const was = tableGet(p.nodes, id);
      const now = tableGet(w.nodes, id);
      if (!was || !now || now.memmapPages !== was.memmapPages + pages) return false;
    }
    blocks.length = 0;
    for (const id of d.blocks) blocks.push(id);
    for (const slot of d.vmemmap) {
      headBlocks(tableGet(p.vmemmap, slot));
      headBlocks(tableGet(w.vmemmap, slot));
    }
    moves.clear();
    for (const id of blocks) {
      const was = tableGet(p.blocks, id);
      const now = tableGet(w.blocks, id);
      if (was) {
        sign = -1;
        nid = was.nid;
        blockZoneCounts(g, was, vmemmapPagesOfBlock(p, g, was.id), add);
      }
      if (now) {
        const nv = vmemmapPagesOfBlock(w, g, now.id);
        if (now.nr_vmemmap_pages !== nv) return false;
        const node = tableGet(w.nodes, now.nid);
        if (node && !node.online && !bootNodes.some((n) => n.node === now.nid)) return false;
        sign = 1;
        nid = now.nid;
        blockZoneCounts(g, now, nv, add);
      }
    }
    for (const k of d.zones) moves.at(k);
    for (let j = 0; j < moves.keys.length; j++) {
      const k = moves.keys[j]!;
      const m = moves.values;
      // a zone of a node outside the table was never compared: the full check decides
      if (!tableGet(w.nodes, Math.floor(k / 4))) return false;
      const was = tableGet(p.zones, k);
      const now = tableGet(w.zones, k);
      if ((now?.presentPages ?? 0) !== (was?.presentPages ?? 0) + m[3 * j]!) return false;
      if ((now?.managedPages ?? 0) !== (was?.managedPages ?? 0) + m[3 * j + 1]!) return false;
      if ((now?.presentEarlyPages ?? 0) !== (was?.presentEarlyPages ?? 0) + m[3 * j + 2]!) return false;
    }
    return true;
  };
}
