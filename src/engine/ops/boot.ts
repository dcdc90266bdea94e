/**
 * Boot: lay out boot memory from address 0 in node order. Boot sections are
 * early sections, online from the start, in DMA/DMA32/Normal by address; the
 * boot memmap is a memblock allocation (reserved: present, not managed).
 */
import { configOf } from '../../kernel/config.ts';
import { effectiveParams } from '../../kernel/features.ts';
import type { ZoneName } from '../../kernel/types.ts';
import { bootZoneSplit } from '../../kernel/zones.ts';
import type { Tx } from '../tx.ts';
import { accountZone } from './common.ts';

export function boot(tx: Tx): void {
  const { g } = tx;
  // a parameter the kernel would not take (its era lacks it, its build lacks it) stays at its
  // default; scenario validation refuses such values, a library spec gets them dropped here
  const params = effectiveParams(tx.system.kernel, configOf(tx.system), tx.system.params);
  tx.transition('hotplug', null, { type: 'BOOT', set: { params, oopses: 0 } });
  let addr = 0;
  for (const node of tx.system.boot) {
    const firstBlock = addr / g.blockSize;
    const nBlocks = node.size / g.blockSize;
    const usedPages = Math.floor(node.used / g.pageSize);
    const memmapPages = nBlocks * g.sectionsPerBlock * g.memmapPagesPerSection;
    tx.emit({ type: 'node', node: node.node, online: true, boot: { memmapPages, usedPages, maxFreeOrder: node.maxFreeOrder } });
    let usedLeft = usedPages;
    const perZone = new Map<ZoneName, { present: number; start: number; end: number }>();
    for (let id = firstBlock; id < firstBlock + nBlocks; id++) {
      const pfn = id * g.pagesPerBlock;
      const split = bootZoneSplit(g, pfn, pfn + g.pagesPerBlock);
      for (const [zone, p, nr] of split) {
        const z = perZone.get(zone) ?? { present: 0, start: p, end: p };
        perZone.set(zone, { present: z.present + nr, start: Math.min(z.start, p), end: Math.max(z.end, p + nr) });
      }
      for (let s = id * g.sectionsPerBlock; s < (id + 1) * g.sectionsPerBlock; s++) {
        tx.transition('section', s, { type: 'ADD', set: { nr: s, nid: node.node, block: id, early: true, memmap: { kind: 'boot', node: node.node } } });
        tx.transition('section', s, { type: 'ONLINE' });
      }
      // the boot memmap is reserved (PageReserved) in the node's top blocks: those blocks
      // cannot be isolated for offlining any more than the kernel's own allocations (docs/kernel-model.md §8.1)
      const abovePages = (firstBlock + nBlocks - 1 - id) * g.pagesPerBlock;
      const memmapHere = Math.max(0, Math.min(g.pagesPerBlock, memmapPages - abovePages));
      const used = Math.min(g.pagesPerBlock, Math.min(usedLeft, g.pagesPerBlock) + memmapHere);
      usedLeft -= Math.min(usedLeft, g.pagesPerBlock);
      tx.transition('memory_block', id, {
        type: 'ADD',
        set: { id, nid: node.node, zone: null, online_type: 'offline', early: true, pinned: false, nr_vmemmap_pages: 0, used_pages: used },
      });
      // a block spanning two zones is online with mem->zone == NULL ("none" in valid_zones)
      tx.transition('memory_block', id, { type: 'ONLINE', set: { zone: split.length === 1 ? split[0]![0] : null, online_type: 'offline' } }, [
        { rule: 'boot_zone', values: { zones: split.map(([z]) => z).join('+'), startPfn: pfn } },
      ]);
    }
    // memblock allocates the boot memmap top-down: out of the highest kernel zone
    const kernelZones = [...perZone.keys()];
    const top = kernelZones[kernelZones.length - 1];
    for (const [zone, z] of perZone) {
      const managed = z.present - (zone === top ? memmapPages : 0);
      accountZone(tx, node.node, zone, { present: z.present, managed, early: z.present }, 'boot memory', { grow: { pfn: z.start, nr: z.end - z.start } });
    }
    addr += node.size;
  }
}
