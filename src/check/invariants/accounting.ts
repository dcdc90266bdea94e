/**
 * Page accounting follows the blocks. online_pages() adds a block's pages to
 * its zone's present and managed counts; vmemmap pages carved from the block
 * are present (adjust_present_page_count) but never reach the buddy, so they
 * are never managed; the boot memmap is a memblock reservation in the node's
 * highest kernel zone (present, not managed). Regular hot-add memmaps are
 * allocated from some node's kernel memory and counted there.
 */
import { tableGet, tableToArray } from '../../engine/table.ts';
import { nodeView } from '../../engine/to-view.ts';
import { zoneKey, type World } from '../../engine/world.ts';
import { ZONE_NAMES } from '../../kernel/types.ts';
import { bootLayout, expectedNodeMemmapPages, expectedZoneCounters, vmemmapPagesInBlock, zoneCountersKey, type ZoneCounters } from '../expected.ts';
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
  // the node view sums its zones: check it against the blocks too
  // (one node at a time: a whole view of 32,768 blocks would cost more than every invariant together)
  for (const n of tableToArray(world.nodes).map((x) => nodeView(world, x))) {
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
