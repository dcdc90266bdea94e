/**
 * The test machine description: a system with the kernel's defaults that
 * tests change field by field. No test-runner imports, so scripts can use it.
 */
import type { ArchName, BootNode, Era, MachineSpec, Params, SystemSpec } from '../../src/index.ts';
import { DEFAULT_PARAMS } from '../../src/scenario/defaults.ts';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export interface SpecInput {
  kernel?: Era;
  arch?: ArchName;
  machine?: Partial<MachineSpec>;
  boot?: Partial<BootNode>[];
  params?: Partial<Params>;
}

/**
 * Default test machine: x86_64 VM, 128 MiB blocks, two 4 GiB boot nodes
 * (node 0 at [0, 4G) with 1 GiB of kernel allocations, node 1 at [4G, 8G)),
 * so the first hot-pluggable address is 8 GiB = block 64.
 */
export function makeSpec(input: SpecInput = {}): SystemSpec {
  const boot = (input.boot ?? [{ size: 4 * GiB, used: 1 * GiB }, { size: 4 * GiB }]).map((n, i) => ({
    node: n.node ?? i,
    size: n.size ?? 4 * GiB,
    used: n.used ?? 0,
    maxFreeOrder: n.maxFreeOrder ?? 10,
  }));
  return {
    name: 'core-test',
    kernel: input.kernel ?? '6.8',
    arch: input.arch ?? 'x86_64',
    machine: { hypervisor: true, sparsemem: 'vmemmap', ...input.machine },
    boot,
    params: { ...DEFAULT_PARAMS, ...input.params },
  };
}
