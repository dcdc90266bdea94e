/**
 * What a scenario means when it leaves a field out. The defaults describe a
 * current kernel in a QEMU-like x86_64 guest with one 4 GiB node and the
 * kernel's own parameter defaults (docs/kernel-model.md §4.3, §5.5, §6.2).
 *
 * machine.possibleNodes, when absent, is the larger of the number of boot
 * nodes and (the highest node any add_memory names) + 1, so that every node a
 * scenario uses is node_possible(). Write it explicitly to simulate an add on
 * an impossible node (-EINVAL).
 *
 * machine.memoryBlockSize, when absent, stays undefined: the engine probes it
 * the way the architecture does (x86_64: probe_memory_block_size()).
 */
import type { ArchName, BootNode, Era, Params, Sparsemem } from '../kernel/types.ts';
import { PARAM_DEFAULTS } from '../kernel/features.ts';

export const DEFAULT_KERNEL: Era = '6.8';
export const DEFAULT_ARCH: ArchName = 'x86_64';

/** A VM, like QEMU guests: x86_64 then probes the block size with the alignment loop. */
export const DEFAULT_HYPERVISOR = true;
export const DEFAULT_SPARSEMEM: Sparsemem = 'vmemmap';

/**
 * boot[].maxFreeOrder, when absent, is the arch's MAX_PAGE_ORDER (10 on
 * x86_64): a node with no fragmentation. DEFAULT_MAX_FREE_ORDER is the x86_64 value.
 */
export const DEFAULT_MAX_FREE_ORDER = 10;
/** The largest MAX_PAGE_ORDER among the profiles (arm64 64K, docs/kernel-model.md §2). */
export const LARGEST_MAX_PAGE_ORDER = 13;

/** The boot memory of a scenario that lists none (maxFreeOrder as above, x86_64 shown). */
export const DEFAULT_BOOT_NODE: BootNode = { node: 0, size: 4 * 1024 ** 3, used: 0, maxFreeOrder: DEFAULT_MAX_FREE_ORDER };

/**
 * The kernel's parameter defaults (src/kernel/features.ts). auto_online_blocks,
 * when a scenario leaves it out, follows machine.config.MEMORY_HOTPLUG_DEFAULT_ONLINE
 * (off in distribution kernels, so `offline`).
 */
export const DEFAULT_PARAMS: Readonly<Params> = PARAM_DEFAULTS;

/** add_memory without `node` targets node 0 (declared with the operations). */
export { DEFAULT_ADD_NODE } from '../kernel/ops.ts';
