/**
 * Memory groups and driver resources (docs/drivers.md): every block in a
 * group belongs to a registered group on the group's node; a group's
 * present_kernel_pages / present_movable_pages are what adjust_present_page_count()
 * made of its online blocks; every hot-added block lies inside an iomem
 * System RAM resource.
 */
import { bootRanges, overlapsBootMemory, type PlacedBootRange } from '../../kernel/boot-layout.ts';
import { tableGet } from '../../engine/table.ts';
import type { BlockState, World } from '../../engine/world.ts';
import type { Geometry } from '../../kernel/geometry.ts';
import type { Delta } from '../types.ts';
import type { Invariant } from '../types.ts';
import { entries, memRange } from '../walk.ts';

export const memoryGroups: Invariant = {
  name: 'memory-groups-consistent',
  description:
    "Blocks belong only to registered memory groups on the group's node, each group's kernel/movable present pages match its online blocks (adjust_present_page_count()), and hot-added blocks sit in a System RAM resource.",
  check({ world, g }) {
    const out: string[] = [];
    const counted = new Map<number, { kernel: number; movable: number }>();
    for (const [, b] of entries(world.blocks)) {
      if (b.group == null) continue;
      const grp = world.groups.find((x) => x.id === b.group);
      if (!grp) {
        out.push(`memory${b.id} belongs to memory group ${b.group}, which is not registered`);
        continue;
      }
      if (grp.nid !== b.nid) out.push(`memory${b.id} is on node ${b.nid} but its memory group ${grp.id} is on node ${grp.nid}`);
      const c = counted.get(grp.id) ?? { kernel: 0, movable: 0 };
      if (b.state !== 'offline') {
        if (b.zone === 'Movable') c.movable += g.pagesPerBlock;
        else c.kernel += g.pagesPerBlock;
      }
      counted.set(grp.id, c);
    }
    for (const grp of world.groups) {
      const c = counted.get(grp.id) ?? { kernel: 0, movable: 0 };
      if (c.kernel !== grp.presentKernelPages || c.movable !== grp.presentMovablePages)
        out.push(`memory group ${grp.id} (${grp.owner}) counts ${grp.presentKernelPages} kernel / ${grp.presentMovablePages} movable present pages, its online blocks hold ${c.kernel} / ${c.movable}`);
    }
    const ram = world.resources.filter((r) => !r.container);
    for (const [, b] of entries(world.blocks)) {
      const start = b.id * g.blockSize;
      if (overlapsBootMemory(world.system, start, g.blockSize)) continue;
      if (!ram.some((r) => r.start <= start && start + g.blockSize <= r.start + r.size))
        out.push(`memory${b.id} ${memRange(start, g.blockSize)} exists but no System RAM resource covers it`);
    }
    // Not checked: that driver-managed ranges stay out of /sys/firmware/memmap. add_memory_driver_managed()
    // never adds an entry, but firmware_map_remove() drops only an entry of exactly the removed range, so an
    // add_memory() entry outlives a removal of a larger range and may then cover driver-managed memory
    // (explore found it: add 128M, remove 256M, bind dax/kmem there) — the kernel does the same.
    return out;
  },
  delta: (g) => memoryGroupsDelta(g),
};

/**
 * The delta (./delta.ts): the resources are checked against the changed blocks and, when the
 * resources changed, the blocks under a resource the operation took away; a group's counts are
 * recounted when its entry or one of its blocks changed. Indexed loops: for-of over the world's
 * frozen lists takes V8's slow iteration path, and allocated an iterator result per step here.
 */
/**
 * Whether group `id`'s entry (the first with that id) differs between two worlds. Module-level
 * functions, not closures made per call, on the model checker's paths: tsx names every closure
 * made inside a function each time it is made (docs/explore.md "Where the time went").
 */
function groupEntryDiffers(w: World, p: World, id: number): boolean {
  return firstGroup(w, id) !== firstGroup(p, id);
}

function firstGroup(w: World, id: number): World['groups'][number] | undefined {
  // indexed: for-of over a frozen array (the world's lists are) takes V8's slow iteration path, five times the time of a plain array's
  for (let i = 0; i < w.groups.length; i++) if (w.groups[i]!.id === id) return w.groups[i];
  return undefined;
}

function memoryGroupsDelta(g: Geometry): (d: Delta) => boolean {
  const affected: number[] = [];
  const note = (id: number | null | undefined) => {
    if (id != null && !affected.includes(id)) affected.push(id);
  };
  // the boot ranges of the system last seen (overlapsBootMemory() works them out on every call)
  let system: World['system'] | null = null;
  let boot: PlacedBootRange[] = [];
  const covered = (w: World, b: BlockState) => {
    const start = b.id * g.blockSize;
    if (w.system !== system) boot = bootRanges((system = w.system));
    for (let i = 0; i < boot.length; i++) {
      const r = boot[i]!;
      if (start < r.start + r.size && r.start < start + g.blockSize) return true;
    }
    const res = w.resources;
    for (let i = 0; i < res.length; i++) {
      const r = res[i]!;
      if (!r.container && r.start <= start && start + g.blockSize <= r.start + r.size) return true;
    }
    return false;
  };
  return (d) => {
    const w = d.world;
    const p = d.parent;
    // every block was covered in the parent: one can be uncovered now only if it changed, or
    // lies under a resource the operation took away (resource entries are immutable, so one that
    // is not in the successor's list by reference was removed or replaced)
    if (w.resources !== p.resources)
      for (let i = 0; i < p.resources.length; i++) {
        const r = p.resources[i]!;
        if (r.container || w.resources.includes(r)) continue;
        const last = Math.ceil((r.start + r.size) / g.blockSize);
        for (let id = Math.floor(r.start / g.blockSize); id < last; id++) {
          const b = tableGet(w.blocks, id);
          if (b && !covered(w, b)) return false;
        }
      }
    for (let i = 0; i < d.blocks.length; i++) {
      const b = tableGet(w.blocks, d.blocks[i]!);
      if (b && !covered(w, b)) return false;
    }
    affected.length = 0;
    if (w.groups !== p.groups) {
      // a group id whose entry (the first with that id, as the full check finds it) changed, appeared or went
      for (let i = 0; i < w.groups.length; i++) if (groupEntryDiffers(w, p, w.groups[i]!.id)) note(w.groups[i]!.id);
      for (let i = 0; i < p.groups.length; i++) if (groupEntryDiffers(w, p, p.groups[i]!.id)) note(p.groups[i]!.id);
    }
    for (let i = 0; i < d.blocks.length; i++) {
      note(tableGet(p.blocks, d.blocks[i]!)?.group);
      note(tableGet(w.blocks, d.blocks[i]!)?.group);
    }
    for (let a = 0; a < affected.length; a++) {
      const id = affected[a]!;
      const grp = firstGroup(w, id);
      let kernel = 0;
      let movable = 0;
      const chunks = w.blocks.chunks;
      for (let ci = 0; ci < chunks.length; ci++) {
        const c = chunks[ci];
        if (c)
          for (let j = 0; j < c.length; j++) {
            const b = c[j];
            if (b === undefined || b.group !== id) continue;
            if (!grp || grp.nid !== b.nid) return false;
            if (b.state !== 'offline') {
              if (b.zone === 'Movable') movable += g.pagesPerBlock;
              else kernel += g.pagesPerBlock;
            }
          }
      }
      for (let i = 0; i < w.groups.length; i++) {
        const x = w.groups[i]!;
        if (x.id === id && (x.presentKernelPages !== kernel || x.presentMovablePages !== movable)) return false;
      }
    }
    return true;
  };
}
