/**
 * The v2 series keeps its bookkeeping in the vmemmap pages themselves
 * (mark_vmemmap_pages): head->_refcount counts the sections still served,
 * head->private the number of vmemmap pages, and every tail page's freelist
 * points back at the head. The deferred vmemmap_free() is right only if all
 * three stay true.
 */
import { tableGet, tableToArray } from '../../engine/table.ts';
import { nr_vmemmap_pages, type Geometry } from '../../kernel/geometry.ts';
import type { BlockState, SectionState, VmemmapState, World } from '../../engine/world.ts';
import { CHUNK, PerChunk } from './chunks.ts';
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
  incremental: (g) => incrementalVmemmapHeads(g),
  // it reads the heads, the sections with an altmap memmap, and the vmemmap pages of the blocks the heads lie in
  delta: () => (d) => {
    if (d.vmemmap.length > 0) return false;
    for (const nr of d.sections) {
      if (tableGet(d.world.sections, nr)?.memmap.kind === 'altmap' || tableGet(d.parent.sections, nr)?.memmap.kind === 'altmap') return false;
    }
    if (d.world.vmemmap.size === 0) return true;
    for (const id of d.blocks) if (tableGet(d.world.blocks, id)?.nr_vmemmap_pages !== tableGet(d.parent.blocks, id)?.nr_vmemmap_pages) return false;
    return true;
  },
};

interface HeadPart {
  messages: string[];
  /** the users list each head of the chunk was checked against, in slot order */
  used: (readonly number[])[];
  heads: VmemmapState[];
  pfns: Set<number>;
  sorted: boolean;
  overlaps: string[];
}

const sameList = (a: readonly number[], b: readonly number[]) => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));

const EMPTY: readonly number[] = Object.freeze([]);

/**
 * Per table chunk (./chunks.ts): the sections of each section chunk that use each head (kept per
 * head, in section order, from the chunks that changed), then each vmemmap chunk's heads against
 * their users; a chunk of heads is rechecked when one of its heads' users changed.
 */
function incrementalVmemmapHeads(g: Geometry): (world: World) => string[] {
  // vmemmap-heads-consistent: the sections using each head, then each head
  const sectionUsers = new PerChunk<SectionState, { messages: string[]; users: Map<number, number[]> }>('sections', (chunk, _ci, r) => {
    const messages: string[] = [];
    const users = new Map<number, number[]>();
    if (chunk) for (const s of chunk) {
      if (s === undefined || s.memmap.kind !== 'altmap') continue;
      const headPfn = s.memmap.headPfn;
      const head = r.get<VmemmapState>('vmemmap', Math.floor(headPfn / g.pagesPerSection));
      if (!head || head.headPfn !== headPfn) {
        messages.push(`section ${s.nr}'s memmap points at a vmemmap head at pfn ${hex(headPfn)}, but no head is there (freed too early)`);
        continue;
      }
      const list = users.get(headPfn);
      if (list) list.push(s.nr); else users.set(headPfn, [s.nr]);
    }
    return { messages, users };
  }, undefined, (ci, old, now) => {
    for (const pfn of old?.users.keys() ?? []) {
      usersByChunk.get(pfn)?.delete(ci);
      dirtyHeads.add(pfn);
    }
    for (const [pfn, list] of now?.users ?? []) {
      let m = usersByChunk.get(pfn);
      if (!m) usersByChunk.set(pfn, (m = new Map()));
      m.set(ci, list);
      dirtyHeads.add(pfn);
    }
  });
  /** the sections using each head (by head pfn), kept up to date from the section chunks that changed */
  const users = new Map<number, readonly number[]>();
  /** per head pfn: each section chunk's users of it */
  const usersByChunk = new Map<number, Map<number, number[]>>();
  /** head pfns whose users changed in this check */
  const dirtyHeads = new Set<number>();
  const headParts = new PerChunk<VmemmapState, HeadPart>(
    'vmemmap',
    (chunk, ci, r) => {
      const messages: string[] = [];
      const used: (readonly number[])[] = [];
      const heads: VmemmapState[] = [];
      const overlaps: string[] = [];
      let sorted = true;
      if (chunk) chunk.forEach((h, j) => {
        if (h === undefined) return;
        const slot = ci * CHUNK + j;
        const prev = heads[heads.length - 1];
        if (prev) {
          if (h.headPfn < prev.headPfn) sorted = false;
          else if (h.headPfn < prev.headPfn + prev.nrPages)
            overlaps.push(`vmemmap heads at pfn ${hex(prev.headPfn)} and ${hex(h.headPfn)} share pages: a tail page cannot point at both`);
        }
        heads.push(h);
        const at = `vmemmap head at pfn ${hex(h.headPfn)}`;
        if (Math.floor(h.headPfn / g.pagesPerSection) !== slot) messages.push(`${at} is filed under section ${slot}, not its own section`);
        const using = users.get(h.headPfn) ?? EMPTY;
        used.push(using);
        if (h.refcount !== using.length)
          messages.push(`${at}: _refcount is ${h.refcount}, but ${using.length} section(s) still use it${using.length ? ` (${using.join(', ')})` : ''}`);
        const listed = h.sections.length === using.length && h.sections.every((nr, i) => nr === using[i]) ? null : [...h.sections].sort((a, b) => a - b).join(',');
        if (listed !== null && listed !== using.join(','))
          messages.push(`${at} lists sections [${listed}] as served, but the sections using it are [${using.join(',')}]`);
        if (h.refcount === 0) messages.push(`${at} serves no section but was not freed (the deferred vmemmap_free() leaked it)`);
        const needed = nr_vmemmap_pages(g, using.length * g.pagesPerSection);
        if (h.nrPages < needed) messages.push(`${at}: private is ${h.nrPages} pages, but the ${using.length} sections it serves need ${needed}`);
        if (h.orphanedBy) return;
        const first = Math.floor(h.headPfn / g.pagesPerBlock);
        const last = Math.floor((h.headPfn + h.nrPages - 1) / g.pagesPerBlock);
        for (let id = first; id <= last; id++) {
          const b = r.get<BlockState>('blocks', id);
          if (!b) continue;
          const start = id * g.pagesPerBlock;
          const inBlock = Math.min(start + g.pagesPerBlock, h.headPfn + h.nrPages) - Math.max(start, h.headPfn);
          if (b.nr_vmemmap_pages < inBlock)
            messages.push(`${at}: private says ${inBlock} of its pages lie in memory${id}, but that block sets aside only ${b.nr_vmemmap_pages} vmemmap pages`);
        }
      });
      return { messages, used, heads, pfns: new Set(heads.map((h) => h.headPfn)), sorted, overlaps };
    },
    // a head's result depends on its users: recheck the chunks holding a head whose users changed
    (_ci, part) => {
      if (dirtyHeads.size === 0) return true;
      if (dirtyHeads.size > part.heads.length) return part.heads.every((h, i) => sameList(part.used[i]!, users.get(h.headPfn) ?? EMPTY));
      for (const pfn of dirtyHeads) if (part.pfns.has(pfn)) return false;
      return true;
    },
  );

  /** null when the heads are not in address order by slot: then the full check sorts them */
  const combined = (world: World): string[] | null => {
    const userParts = sectionUsers.run(world);
    for (const pfn of dirtyHeads) {
      const m = usersByChunk.get(pfn);
      if (!m || m.size === 0) {
        usersByChunk.delete(pfn);
        users.delete(pfn);
      } else if (m.size === 1) users.set(pfn, m.values().next().value!);
      // in section order: the chunks' lists by chunk index
      else users.set(pfn, [...m.keys()].sort((a, b) => a - b).flatMap((ci) => m.get(ci)!));
    }
    const heads = headParts.run(world);
    dirtyHeads.clear();
    const overlaps: string[] = [];
    let prev: VmemmapState | undefined;
    for (const p of heads) {
      if (!p.sorted) return null;
      const first = p.heads[0];
      if (!first) continue;
      if (prev) {
        if (first.headPfn < prev.headPfn) return null;
        if (first.headPfn < prev.headPfn + prev.nrPages)
          overlaps.push(`vmemmap heads at pfn ${hex(prev.headPfn)} and ${hex(first.headPfn)} share pages: a tail page cannot point at both`);
      }
      for (const m of p.overlaps) overlaps.push(m);
      prev = p.heads[p.heads.length - 1];
    }
    const out: string[] = [];
    for (const p of userParts) for (const m of p.messages) out.push(m);
    for (const p of heads) for (const m of p.messages) out.push(m);
    for (const m of overlaps) out.push(m);
    return out;
  };
  return (world) => combined(world) ?? vmemmapHeads.check({ world, g });
}
