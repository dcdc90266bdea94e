/**
 * The kernel paths the simulated kernel can take that are not an error return:
 * each BUG()/BUG_ON() (kernelBug), each WARN()/WARN_ON_ONCE() (kernelWarn, and
 * the kernelWarnings a kernel rule hands back), and the simulated page fault on
 * a memmap in removed memory (checkMemmapAlive), per access that reaches it.
 * src/engine/ops/common.ts defines the three helpers; docs/eras.md lists the
 * BUG and WARN sites per era.
 *
 * Declared here so that coverage can say which were never reached.
 * test/check/coverage.test.ts scans src/ for the call sites and fails when this
 * list and the code disagree (a new WARN without a line here, or a stale one).
 */
export type KernelPathKind = 'BUG' | 'WARN' | 'oops';

export interface KernelPath {
  kind: KernelPathKind;
  /** The kernel function (BUG, WARN) or the access that faults (oops). */
  site: string;
}

export const KERNEL_PATHS: readonly KernelPath[] = Object.freeze([
  { kind: 'BUG', site: 'try_remove_memory' },
  { kind: 'BUG', site: '__remove_memory' },
  { kind: 'WARN', site: 'add_memory_resource' },
  { kind: 'WARN', site: 'mhp_check_correct_flags' },
  { kind: 'WARN', site: 'memory_blocks_have_altmaps' },
  { kind: 'WARN', site: 'remove_memory_block_devices' },
  { kind: 'WARN', site: '__remove_section' },
  // checkMemmapAlive(tx, block, access): the accesses that read a block's struct pages
  { kind: 'oops', site: 'online' },
  { kind: 'oops', site: 'offline' },
  { kind: 'oops', site: 'touch' },
  { kind: 'oops', site: 'remove' },
]);

/** How a kernel path is named in the coverage report. */
export function kernelPathKey(p: KernelPath): string {
  return p.kind === 'oops' ? `oops: page fault on a memmap in removed memory (${p.site})` : `${p.kind} in ${p.site}()`;
}
