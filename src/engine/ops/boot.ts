/**
 * Boot: lay out boot memory where its ranges are (src/kernel/boot-layout.ts; by default from
 * address 0 in node order). Boot sections are early sections; a range online at boot is in its
 * given zone or in DMA/DMA32/Normal by address; a range left offline keeps its blocks offline
 * (present, in no zone). The boot memmap is a memblock allocation (reserved: present, not managed).
 */
import { bootMemmapZone, bootRanges } from '../../kernel/boot-layout.ts';
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
  const ranges = bootRanges(tx.system);
  for (const node of tx.system.boot) {
    const mine = ranges.filter((r) => r.node === node.node);
    const blocks = mine.flatMap((r) => Array.from({ length: r.size / g.blockSize }, (_, i) => ({ id: r.start / g.blockSize + i, range: r })));
    const usedPages = Math.floor(node.used / g.pageSize);
    const memmapPages = blocks.length * g.sectionsPerBlock * g.memmapPagesPerSection;
    tx.emit({ type: 'node', node: node.node, online: true, boot: { memmapPages, usedPages, maxFreeOrder: node.maxFreeOrder } });
    // the kernel's allocations fill the node's lowest online blocks; memblock reserves the boot
    // memmap top-down, in its highest online blocks (docs/kernel-model.md §8.1)
    const online = blocks.filter((b) => b.range.online);
    let usedLeft = usedPages;
    let memmapLeft = memmapPages;
    const reserved = new Map<number, number>();
    for (let i = online.length - 1; i >= 0 && memmapLeft > 0; i--) {
      const here = Math.min(g.pagesPerBlock, memmapLeft);
      reserved.set(online[i]!.id, here);
      memmapLeft -= here;
    }
    const perZone = new Map<ZoneName, { present: number; start: number; end: number }>();
    for (const { id, range } of blocks) {
      const pfn = id * g.pagesPerBlock;
      for (let s = id * g.sectionsPerBlock; s < (id + 1) * g.sectionsPerBlock; s++) {
        tx.transition('section', s, { type: 'ADD', set: { nr: s, nid: node.node, block: id, early: true, memmap: { kind: 'boot', node: node.node } } });
        if (range.online) tx.transition('section', s, { type: 'ONLINE' });
      }
      const used = range.online ? Math.min(g.pagesPerBlock, Math.min(usedLeft, g.pagesPerBlock) + (reserved.get(id) ?? 0)) : 0;
      if (range.online) usedLeft -= Math.min(usedLeft, g.pagesPerBlock);
      tx.transition('memory_block', id, {
        type: 'ADD',
        set: { id, nid: node.node, zone: null, online_type: 'offline', early: true, pinned: false, nr_vmemmap_pages: 0, used_pages: used },
      });
      if (!range.online) continue;
      const split: [ZoneName, number, number][] = range.zone ? [[range.zone, pfn, g.pagesPerBlock]] : bootZoneSplit(g, pfn, pfn + g.pagesPerBlock);
      for (const [zone, p, nr] of split) {
        const z = perZone.get(zone) ?? { present: 0, start: p, end: p };
        perZone.set(zone, { present: z.present + nr, start: Math.min(z.start, p), end: Math.max(z.end, p + nr) });
      }
      // a block spanning two zones is online with mem->zone == NULL ("none" in valid_zones)
      tx.transition('memory_block', id, { type: 'ONLINE', set: { zone: split.length === 1 ? split[0]![0] : null, online_type: 'offline' } }, [
        { rule: 'boot_zone', values: { zones: split.map(([z]) => z).join('+'), startPfn: pfn } },
      ]);
    }
    const top = bootMemmapZone([...perZone.keys()]);
    for (const [zone, z] of perZone) {
      const managed = z.present - (zone === top ? memmapPages : 0);
      accountZone(tx, node.node, zone, { present: z.present, managed, early: z.present }, 'boot memory', { grow: { pfn: z.start, nr: z.end - z.start } });
    }
  }
}
