/** World → WorldView (the JSON contract). */
import { readerOfTable, validZones } from './ops/zones.ts';
import { tableGet, tableToArray } from './table.ts';
import type { BlockView, NodeView, SectionView, VmemmapView, WorldView, ZoneView } from './view.ts';
import { WORLD_VIEW_VERSION } from './view.ts';
import { geometry, zoneKey, type World } from './world.ts';

export function freeKernelPagesOf(world: World, node: number): number {
  const n = tableGet(world.nodes, node);
  if (!n || !n.online) return 0;
  let managed = 0;
  for (const z of ['DMA', 'DMA32', 'Normal'] as const) managed += tableGet(world.zones, zoneKey(node, z))?.managedPages ?? 0;
  return managed - n.usedPages - (n.memmapPages - n.bootMemmapPages);
}

export function toView(world: World): WorldView {
  const g = geometry(world);
  const zr = readerOfTable(world.zones);
  const vmemmap = tableToArray(world.vmemmap);
  const orphanedHeads = new Set(vmemmap.filter((v) => v.orphanedBy).map((v) => v.headPfn));
  const blocks: BlockView[] = tableToArray(world.blocks).map((b) => ({
    id: b.id,
    state: b.state,
    zone: b.zone,
    node: b.nid,
    startPfn: b.id * g.pagesPerBlock,
    nrPages: g.pagesPerBlock,
    vmemmapPages: b.nr_vmemmap_pages,
    validZones: validZones(zr, world.params, g, b),
    early: b.early,
    onlineType: b.online_type,
    pinned: b.pinned,
  }));
  const sections: SectionView[] = tableToArray(world.sections).map((s) => ({
    nr: s.nr,
    state: s.state,
    node: s.nid,
    block: s.block,
    early: s.early,
    memmap: s.memmap,
    memmapLost: s.memmap.kind === 'altmap' && orphanedHeads.has(s.memmap.headPfn),
  }));
  const zones: ZoneView[] = tableToArray(world.zones).map((z) => ({
    node: z.node,
    zone: z.zone,
    presentPages: z.presentPages,
    managedPages: z.managedPages,
    startPfn: z.span?.startPfn ?? null,
    endPfn: z.span?.endPfn ?? null,
  }));
  const nodes: NodeView[] = tableToArray(world.nodes).map((n) => {
    const mine = zones.filter((z) => z.node === n.id);
    return {
      id: n.id,
      online: n.online,
      memmapPages: n.memmapPages,
      presentPages: mine.reduce((a, z) => a + z.presentPages, 0),
      managedPages: mine.reduce((a, z) => a + z.managedPages, 0),
      freeKernelPages: freeKernelPagesOf(world, n.id),
    };
  });
  const vm: VmemmapView[] = vmemmap.map((v) => ({
    headPfn: v.headPfn,
    nrPages: v.nrPages,
    refcount: v.refcount,
    sections: [...v.sections],
    node: v.node,
    orphaned: v.orphanedBy !== null,
  }));
  return {
    version: WORLD_VIEW_VERSION,
    seq: world.seq,
    arch: world.system.arch,
    kernel: world.system.kernel,
    pageSize: g.pageSize,
    sectionSizeBytes: g.sectionSize,
    blockSizeBytes: g.blockSize,
    params: world.params,
    blocks,
    sections,
    zones,
    nodes,
    vmemmap: vm,
    faults: world.faults.map((f) => ({ seq: f.seq, kind: f.kind, section: f.section, block: f.block, access: f.access, message: f.message })),
    tainted: world.oopses > 0,
    injection: { ...world.injection },
    signalPending: world.signalPending,
  };
}
