/**
 * Memory groups and driver resources (docs/drivers.md): every block in a
 * group belongs to a registered group on the group's node; a group's
 * present_kernel_pages / present_movable_pages are what adjust_present_page_count()
 * made of its online blocks; every hot-added block lies inside an iomem
 * System RAM resource.
 */
import { overlapsBootMemory } from '../../kernel/boot-layout.ts';
import { tableGet } from '../../engine/table.ts';
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
  // it reads the groups, the resources, and of each block its group, node, zone and whether it is online
  delta: () => (d) => {
    if (d.world.groups !== d.parent.groups || d.world.resources !== d.parent.resources) return false;
    for (const id of d.blocks) {
      const a = tableGet(d.world.blocks, id);
      const b = tableGet(d.parent.blocks, id);
      if (!a || !b || a.id !== b.id || a.group !== b.group || a.nid !== b.nid || a.zone !== b.zone || (a.state === 'offline') !== (b.state === 'offline')) return false;
    }
    return true;
  },
};
