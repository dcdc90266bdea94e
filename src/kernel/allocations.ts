/**
 * Where the kernel's unmovable allocations go (docs/kernel-model.md §8.4).
 * memhp does not track pages one by one; it decides, when a block comes
 * online, whether the kernel's unmovable allocations (slab, page tables,
 * kernel stacks: GFP_KERNEL) will sit in it. A block that holds them cannot
 * be offlined (offline_pages(): has_unmovable_pages() fails the isolation,
 * -EBUSY), so it cannot be ejected or unplugged either.
 *
 * GFP_KERNEL allocates from the highest kernel zone first (ZONE_NORMAL, then
 * DMA32, DMA: the zonelist order). Since 5.10 onlined pages go to the tail of
 * the buddy free lists (__free_pages_core() with FPI_TO_TAIL, "mm/page_alloc:
 * place pages to tail in __free_pages_core()"), so hot-added ZONE_NORMAL
 * memory is used last while the node's boot ZONE_NORMAL still has free pages;
 * before 5.10 it went to the head and was used first.
 */
import type { ZoneName } from './types.ts';

export interface AllocationSite {
  /** the zone the block is onlined to */
  zone: ZoneName;
  /** the era puts onlined pages at the tail of the free lists (5.10+) */
  onlinedToTail: boolean;
  /** free pages of the node's boot (early) ZONE_NORMAL: see bootNormalFreePages() */
  bootNormalFreePages: number;
  /**
   * another online block of the node already holds the kernel's allocations; asked only
   * when the answer depends on it (it reads every block of the node: asking at every
   * online of one big add would make the add quadratic in blocks)
   */
  nodeHasHolder: () => boolean;
}

/**
 * Whether a hot-added block onlined to `zone` receives the kernel's unmovable
 * allocations at once: only in ZONE_NORMAL (never ZONE_MOVABLE), when the node
 * has no boot ZONE_NORMAL with free pages to take them first (a guest whose
 * boot memory is all DMA/DMA32, or whose boot Normal is used up), or always
 * before 5.10.
 */
export function receivesUnmovableAllocations(site: AllocationSite): boolean {
  // DMA and DMA32 are boot memory, whose allocations the boot `used` memory stands for
  if (site.zone !== 'Normal') return false;
  if (!site.onlinedToTail) return true;
  // the boot ZONE_NORMAL's free pages come first; after them the allocations stay in the block
  // that took them first while it has room (a block is far more than the kernel allocates after
  // boot): later blocks sit behind it on the free lists
  if (site.bootNormalFreePages > 0) return false;
  return !site.nodeHasHolder();
}

/**
 * Free pages of a node's boot ZONE_NORMAL. The boot `used` memory fills the
 * node's lowest pages first (DMA, DMA32, then Normal) and the memmaps (the boot
 * memmap, and the regular memmaps of later adds) come out of its kernel memory:
 * what of the boot kernel zones is left, at most the boot Normal.
 */
export function bootNormalFreePages(n: { earlyKernelPages: number; earlyNormalPages: number; usedPages: number; memmapPages: number }): number {
  return Math.min(n.earlyNormalPages, Math.max(0, n.earlyKernelPages - n.usedPages - n.memmapPages));
}
