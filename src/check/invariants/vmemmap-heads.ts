/**
 * The v2 series keeps its bookkeeping in the vmemmap pages themselves
 * (mark_vmemmap_pages): head->_refcount counts the sections still served,
 * head->private the number of vmemmap pages, and every tail page's freelist
 * points back at the head. The deferred vmemmap_free() is right only if all
 * three stay true.
 */
import { tableGet, tableToArray } from '../../engine/table.ts';
import { nr_vmemmap_pages } from '../../kernel/geometry.ts';
import type { Invariant } from '../types.ts';
import { entries, hex } from '../walk.ts';

export const vmemmapHeads: Invariant = {
  name: 'vmemmap-heads-consistent',
  description:
    'vmemmap head metadata is consistent: refcount equals the sections still using that altmap, private equals the vmemmap pages set aside in the blocks, and every served section (tail) points at a head that exists; no two heads share pages.',
  check({ world, g }) {
    const out: string[] = [];
    const users = new Map<number, number[]>();
    for (const s of tableToArray(world.sections)) {
      if (s.memmap.kind !== 'altmap') continue;
      const headPfn = s.memmap.headPfn;
      const head = tableGet(world.vmemmap, Math.floor(headPfn / g.pagesPerSection));
      if (!head || head.headPfn !== headPfn) {
        out.push(`section ${s.nr}'s memmap points at a vmemmap head at pfn ${hex(headPfn)}, but no head is there (freed too early)`);
        continue;
      }
      const list = users.get(headPfn);
      if (list) list.push(s.nr); else users.set(headPfn, [s.nr]);
    }
    const heads = entries(world.vmemmap).map(([slot, h]) => ({ slot, h }));
    for (const { slot, h } of heads) {
      const at = `vmemmap head at pfn ${hex(h.headPfn)}`;
      if (Math.floor(h.headPfn / g.pagesPerSection) !== slot) out.push(`${at} is filed under section ${slot}, not its own section`);
      const using = users.get(h.headPfn) ?? [];
      if (h.refcount !== using.length)
        out.push(`${at}: _refcount is ${h.refcount}, but ${using.length} section(s) still use it${using.length ? ` (${using.join(', ')})` : ''}`);
      const listed = h.sections.length === using.length && h.sections.every((nr, i) => nr === using[i]) ? null : [...h.sections].sort((a, b) => a - b).join(',');
      if (listed !== null && listed !== using.join(','))
        out.push(`${at} lists sections [${listed}] as served, but the sections using it are [${using.join(',')}]`);
      if (h.refcount === 0) out.push(`${at} serves no section but was not freed (the deferred vmemmap_free() leaked it)`);
      // struct pages of several sections may share a page (64 KiB pages, 16 MiB sections): count bytes, not per-section pages
      const needed = nr_vmemmap_pages(g, using.length * g.pagesPerSection);
      if (h.nrPages < needed) out.push(`${at}: private is ${h.nrPages} pages, but the ${using.length} sections it serves need ${needed}`);
      if (h.orphanedBy) continue; // its memory is gone: the memmap-in-present-memory invariant reports that
      const first = Math.floor(h.headPfn / g.pagesPerBlock);
      const last = Math.floor((h.headPfn + h.nrPages - 1) / g.pagesPerBlock);
      for (let id = first; id <= last; id++) {
        const b = tableGet(world.blocks, id);
        if (!b) continue;
        const start = id * g.pagesPerBlock;
        const inBlock = Math.min(start + g.pagesPerBlock, h.headPfn + h.nrPages) - Math.max(start, h.headPfn);
        if (b.nr_vmemmap_pages < inBlock)
          out.push(`${at}: private says ${inBlock} of its pages lie in memory${id}, but that block sets aside only ${b.nr_vmemmap_pages} vmemmap pages`);
      }
    }
    const sorted = heads.map(({ h }) => h);
    // filed by head section, so in address order unless a head is misfiled
    if (sorted.some((h, i) => i > 0 && h.headPfn < sorted[i - 1]!.headPfn)) sorted.sort((a, b) => a.headPfn - b.headPfn);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1]!;
      const b = sorted[i]!;
      if (b.headPfn < a.headPfn + a.nrPages)
        out.push(`vmemmap heads at pfn ${hex(a.headPfn)} and ${hex(b.headPfn)} share pages: a tail page cannot point at both`);
    }
    return out;
  },
};
