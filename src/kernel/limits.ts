/**
 * What a machine of an architecture can have, checked before anything is
 * allocated (issue 13, points 2 and 3): a scenario or log header naming a
 * block size the arch does not allow, boot memory past its physical address
 * space, more nodes than MAX_NUMNODES, or a block number past the last block
 * the address space holds, is invalid input — not something to lay out (a
 * 70-byte scenario with 1 PiB of boot memory used to grow until V8 aborted)
 * and not something to wrap (block 2^32 + 64 used to act on block 64).
 *
 * Adds and probes past the address space are not here: the kernel checks
 * those itself (mhp_range_allowed() → -E2BIG, or an iomem conflict before
 * ~5.11), and memhp answers with the kernel's errno (src/engine/ops/add.ts).
 */
import type { ArchProfile } from './profiles.ts';
import type { SystemSpec } from './types.ts';
import { bootRanges } from './boot-layout.ts';

/**
 * MAX_NUMNODES = 1 << CONFIG_NODES_SHIFT; the largest NODES_SHIFT among the
 * modelled arches is 10 (x86_64 and arm64 allow up to 1024 nodes). Node
 * numbers are 0..MAX_NUMNODES-1 on every profile.
 */
export const MAX_NUMNODES = 1024;

/**
 * The largest memory block size an arch hands out. x86_64: set_memory_block_size_order()
 * refuses anything above MEM_SIZE_FOR_LARGE_BLOCK (64 GiB) (docs/kernel-model.md §2.1).
 * The other arches take the size from firmware (LMB size, storage increment) or use one
 * section; memhp holds them to the same 64 GiB ceiling.
 */
export const MAX_MEMORY_BLOCK_SIZE = 64 * 1024 ** 3;

/** A problem with a machine description, at a path inside the SystemSpec (e.g. ['boot', 1, 'size']). */
export interface LimitProblem {
  path: (string | number)[];
  message: string;
}

const sizeText = (bytes: number): string => {
  for (const [unit, n] of [['P', 1024 ** 5], ['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const)
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  return `${bytes} bytes`;
};

export function describeAddressSpace(profile: ArchProfile): string {
  return `${profile.name} addresses ${sizeText(2 ** profile.maxPhysmemBits)} (MAX_PHYSMEM_BITS ${profile.maxPhysmemBits})`;
}

/** Block size problems: given the arch, its section size and the block size (given or probed). */
export function blockSizeProblems(profile: ArchProfile, sectionSize: number, blockSize: number): LimitProblem[] {
  const path = ['machine', 'memoryBlockSize'];
  const isPowerOfTwo = Number.isSafeInteger(blockSize) && blockSize > 0 && 2 ** Math.round(Math.log2(blockSize)) === blockSize;
  // memory_dev_init(): "Memory block size not suitable" is a panic in the kernel.
  if (!isPowerOfTwo || blockSize < sectionSize)
    return [{ path, message: `memory block size ${blockSize} not suitable: must be a power of two of at least one section (${sectionSize} bytes on ${profile.name})` }];
  if (blockSize > MAX_MEMORY_BLOCK_SIZE)
    return [{ path, message: `memory block size ${sizeText(blockSize)} is larger than ${profile.name} allows (at most ${sizeText(MAX_MEMORY_BLOCK_SIZE)})` }];
  return [];
}

/**
 * Boot memory and nodes: every boot node holds whole memory blocks (memhp lays boot memory
 * out block by block from address 0), all of it inside the physical address space, and
 * node numbers and possibleNodes stay within MAX_NUMNODES.
 */
export function bootProblems(spec: SystemSpec, profile: ArchProfile, blockSize: number): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const maxPhysAddr = 2 ** profile.maxPhysmemBits;
  const possible = spec.machine.possibleNodes;
  if (possible !== undefined && !(Number.isSafeInteger(possible) && possible >= 1 && possible <= MAX_NUMNODES))
    problems.push({ path: ['machine', 'possibleNodes'], message: `${possible} nodes: a machine has 1 to MAX_NUMNODES (${MAX_NUMNODES}) possible nodes` });
  let end = 0;
  spec.boot.forEach((node, i) => {
    if (!(Number.isSafeInteger(node.node) && node.node >= 0 && node.node < MAX_NUMNODES))
      problems.push({ path: ['boot', i, 'node'], message: `node ${node.node} does not exist: node numbers are 0 to ${MAX_NUMNODES - 1} (MAX_NUMNODES ${MAX_NUMNODES})` });
    const size = node.size;
    if (!(Number.isSafeInteger(size) && size > 0 && size % blockSize === 0)) {
      problems.push({
        path: ['boot', i, 'size'],
        message: `${sizeText(size)} of boot memory is not a whole number of ${sizeText(blockSize)} memory blocks (memhp lays boot memory out in whole blocks)`,
      });
      return;
    }
    if (end + size > maxPhysAddr && end <= maxPhysAddr) {
      problems.push({
        path: ['boot', i, 'size'],
        message: `boot memory would end at ${sizeText(end + size)}, past the physical address space (${describeAddressSpace(profile)})`,
      });
    }
    end += size;
    // explicit ranges (src/kernel/boot-layout.ts): whole blocks, inside the address space, each after the last
    (node.ranges ?? []).forEach((r, j) => {
      const at = ['boot', i, 'ranges', j];
      if (!(Number.isSafeInteger(r.start) && r.start % blockSize === 0 && Number.isSafeInteger(r.size) && r.size > 0 && r.size % blockSize === 0)) {
        problems.push({ path: at, message: `${sizeText(r.size)} at ${sizeText(r.start)} is not whole ${sizeText(blockSize)} memory blocks (memhp lays boot memory out in whole blocks)` });
      } else if (r.start + r.size > maxPhysAddr) {
        problems.push({ path: at, message: `boot memory would end at ${sizeText(r.start + r.size)}, past the physical address space (${describeAddressSpace(profile)})` });
      }
    });
  });
  const ranges = bootRanges(spec).map((r, k) => ({ ...r, k })).sort((a, b) => a.start - b.start);
  for (let k = 1; k < ranges.length; k++) {
    const [a, b] = [ranges[k - 1]!, ranges[k]!];
    if (b.start < a.start + a.size)
      problems.push({ path: ['boot'], message: `boot memory of node ${b.node} at ${sizeText(b.start)} overlaps node ${a.node}'s, which runs to ${sizeText(a.start + a.size)}` });
  }
  return problems;
}

/** The number of memory blocks the arch's physical address space holds: valid block ids are 0..n-1. */
export function maxBlocks(profile: ArchProfile, blockSize: number): number {
  return Math.floor(2 ** profile.maxPhysmemBits / blockSize);
}
