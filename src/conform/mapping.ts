/**
 * How a memhp scenario maps onto a QEMU guest (docs/conformance.md "Mapping"):
 * the machine (boot memory, NUMA nodes, DIMM slots, kernel command line) and,
 * per operation, the guest action that does the same thing, or the reason
 * the guest cannot express it (then that operation is "not comparable").
 */
import { compareRelease } from '../kernel/features.ts';
import type { Era, Params, SystemSpec } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** QEMU's device-memory region starts at 4 GiB when boot memory fits below the PCI hole. */
export const DEVICE_MEMORY_BASE = 4 * GiB;
export const MAX_MEM = 16 * GiB;
/** pc-dimm slots: twice the DIMMs a sequence has at once, so a DIMM added after an eject gets a slot no earlier DIMM of the sequence used (a DIMM whose eject failed keeps its slot and QEMU ids). */
export const DIMM_SLOTS = 8;
/** Boot memory that QEMU's pc machine keeps entirely below 4 GiB (beyond it, RAM splits around the PCI hole and memhp's layout from 0 no longer matches). */
export const MAX_LOW_BOOT = 2 * GiB;

export interface MachineShape {
  memMiB: number;
  slots: number;
  maxMemMiB: number;
  /** Boot memory per NUMA node in MiB (empty: no -numa); nodes without memory are memoryless. */
  numa: number[];
  /** Parameters that exist only at boot (kernel command line). */
  bootParams: string[];
  /** Parameters a running kernel also accepts in sysfs: on the command line and written at each reset. */
  runtimeParams: Array<{ path: string; value: string; cmdline: string }>;
}

export interface MachineProblem {
  reason: string;
}

/** The memhp era whose rules a kernel release follows (docs/eras.md). */
export function eraOfRelease(release: string): Era | null {
  if (compareRelease(release, '5.13') < 0) return null;
  if (compareRelease(release, '5.15') < 0) return '5.13';
  if (compareRelease(release, '6.6') < 0) return '5.15';
  if (compareRelease(release, '6.8') < 0) return '6.6';
  return '6.8';
}

/** Where a runtime parameter lives below /sys. */
const PARAM_PATHS: Record<string, string> = {
  auto_online_blocks: 'devices/system/memory/auto_online_blocks',
  online_policy: 'module/memory_hotplug/parameters/online_policy',
  auto_movable_ratio: 'module/memory_hotplug/parameters/auto_movable_ratio',
  auto_movable_numa_aware: 'module/memory_hotplug/parameters/auto_movable_numa_aware',
};

const yn = (b: boolean) => (b ? 'Y' : 'N');

/** The guest machine for a scenario, or why there is none. */
export function machineShape(spec: SystemSpec): MachineShape | MachineProblem {
  if (spec.arch !== 'x86_64') return { reason: `arch ${spec.arch}: the guest is x86_64 (QEMU pc)` };
  if (spec.kernel === 'v2-2019') return { reason: 'era v2-2019: the 2019 patch series was never merged; no kernel runs it' };
  if (spec.machine.sparsemem !== 'vmemmap') return { reason: 'classic sparsemem: x86_64 kernels build SPARSEMEM_VMEMMAP' };
  const boot = spec.boot.reduce((s, n) => s + n.size, 0);
  if (boot > MAX_LOW_BOOT) return { reason: `boot memory ${boot / MiB} MiB: above ${MAX_LOW_BOOT / MiB} MiB QEMU splits RAM around the PCI hole, which memhp's layout from address 0 does not` };
  if (boot % (128 * MiB) !== 0) return { reason: 'boot memory must be whole 128 MiB memory blocks' };
  const nodes = Math.max(spec.machine.possibleNodes ?? 1, ...spec.boot.map((n) => n.node + 1));
  const numa = nodes > 1 ? Array.from({ length: nodes }, (_, i) => spec.boot.filter((n) => n.node === i).reduce((s, n) => s + n.size, 0) / MiB) : [];
  if (nodes > 1 && spec.boot.some((n, i) => i > 0 && n.node < spec.boot[i - 1]!.node)) return { reason: 'boot nodes must be listed in node order' };
  const p = spec.params;
  const bootParams: string[] = [`memory_hotplug.memmap_on_memory=${p.memmap_on_memory === 'force' ? 'force' : p.memmap_on_memory === 'on' ? '1' : '0'}`];
  if (p.movable_node) bootParams.push('movable_node');
  const runtime: Array<{ key: keyof Params; value: string; cmdline: string }> = [
    { key: 'auto_online_blocks', value: p.auto_online_blocks, cmdline: `memhp_default_state=${p.auto_online_blocks}` },
    { key: 'online_policy', value: p.online_policy, cmdline: `memory_hotplug.online_policy=${p.online_policy}` },
    { key: 'auto_movable_ratio', value: String(p.auto_movable_ratio), cmdline: `memory_hotplug.auto_movable_ratio=${p.auto_movable_ratio}` },
    { key: 'auto_movable_numa_aware', value: yn(p.auto_movable_numa_aware), cmdline: `memory_hotplug.auto_movable_numa_aware=${yn(p.auto_movable_numa_aware)}` },
  ];
  return {
    memMiB: boot / MiB,
    slots: DIMM_SLOTS,
    maxMemMiB: MAX_MEM / MiB,
    numa,
    bootParams,
    runtimeParams: runtime.map((r) => ({ path: PARAM_PATHS[r.key]!, value: r.value, cmdline: r.cmdline })),
  };
}

/** The DIMM slot an ACPI device name stands for: QEMU's slot k is the ACPI device PNP0C80:0k. */
export function dimmSlot(device: string): number | null {
  const m = /^PNP0C80:([0-9a-fA-F]{2})$/.exec(device);
  return m ? parseInt(m[1]!, 16) : null;
}

/** What the guest does for one operation. */
export type GuestAction =
  | { kind: 'dimm_add'; slot: number; node: number; addr: number; size: number }
  | { kind: 'dimm_eject'; slot: number }
  | { kind: 'write'; path: string; value: string }
  | { kind: 'virtio_mem_add'; index: number; node: number; addr: number; size: number; blockSize: number | null; requested: number }
  | { kind: 'virtio_mem_resize'; index: number; requested: number }
  | { kind: 'none'; reason: string };


/** The string `echo` writes for a scenario value (a JSON boolean as 1/0, as the scenario docs define). */
function written(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
}

export function guestAction(op: Op, shape: MachineShape): GuestAction {
  switch (op.op) {
    case 'acpi_dimm_add': {
      const slot = dimmSlot(op.device);
      if (slot === null || slot >= shape.slots) return { kind: 'none', reason: `device ${op.device}: the guest's ACPI memory devices are PNP0C80:00 … PNP0C80:${(shape.slots - 1).toString(16).padStart(2, '0')} (one per DIMM slot)` };
      if (op.start < DEVICE_MEMORY_BASE || op.start + op.size > DEVICE_MEMORY_BASE + (shape.maxMemMiB - shape.memMiB) * MiB) {
        return { kind: 'none', reason: `a DIMM at ${hex(op.start)}: QEMU's device-memory region is ${hex(DEVICE_MEMORY_BASE)} + ${shape.maxMemMiB - shape.memMiB} MiB` };
      }
      return { kind: 'dimm_add', slot, node: op.node, addr: op.start, size: op.size };
    }
    case 'acpi_dimm_eject': {
      const slot = dimmSlot(op.device);
      if (slot === null || slot >= shape.slots) return { kind: 'none', reason: `device ${op.device} is not one of the guest's DIMM slots` };
      return { kind: 'dimm_eject', slot };
    }
    case 'state':
      return { kind: 'write', path: `devices/system/memory/memory${op.block}/state`, value: op.value };
    case 'online':
      return { kind: 'write', path: `devices/system/memory/memory${op.block}/online`, value: written(op.value) };
    case 'set': {
      const path = PARAM_PATHS[op.param];
      if (!path) return { kind: 'none', reason: `parameter ${op.param} exists only in the v2 series` };
      return { kind: 'write', path, value: written(op.value) };
    }
    case 'write':
      if (op.path.includes('..')) return { kind: 'none', reason: 'a path with ".." is not written in the guest' };
      return { kind: 'write', path: op.path, value: op.value };
    case 'inject':
      return { kind: 'write', path: `kernel/debug/notifier-error-inject/memory/actions/${op.action}/error`, value: String(op.error) };
    case 'virtio_mem_add': {
      const m = /^virtio(\d+)$/.exec(op.device);
      if (!m) return { kind: 'none', reason: `device ${op.device}: virtio-mem devices are named virtioN` };
      return { kind: 'virtio_mem_add', index: Number(m[1]), node: op.node, addr: op.start, size: op.size, blockSize: op.blockSize ?? null, requested: op.requested };
    }
    case 'virtio_mem_resize': {
      const m = /^virtio(\d+)$/.exec(op.device);
      if (!m) return { kind: 'none', reason: `device ${op.device}: virtio-mem devices are named virtioN` };
      return { kind: 'virtio_mem_resize', index: Number(m[1]), requested: op.requested };
    }
    case 'add_memory':
    case 'remove_memory':
    case 'offline_and_remove_memory':
      return { kind: 'none', reason: `${op.op} is a kernel-internal call (with arbitrary flags) no user space or hypervisor can make` };
    case 'probe':
      return { kind: 'none', reason: 'the probe file needs CONFIG_ARCH_MEMORY_PROBE, which distribution x86_64 kernels do not set' };
    case 'touch':
    case 'pin':
    case 'unpin':
    case 'signal':
      return { kind: 'none', reason: `${op.op} stands for kernel activity (page references, a signal) the guest cannot reproduce on demand` };
    case 'dax_kmem_add':
    case 'dax_kmem_remove':
      return { kind: 'none', reason: 'dax/kmem needs a device-dax (NVDIMM or CXL) device, which this guest has not' };
    case 'boot':
      return { kind: 'none', reason: 'boot is the guest boot itself' };
    case 'agent':
      return { kind: 'none', reason: 'an onlining agent (udev, daxctl) is user space the guest does not run; its writes are `state` operations' };
  }
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

export function shapeKey(shape: MachineShape): string {
  return JSON.stringify([shape.memMiB, shape.slots, shape.maxMemMiB, shape.numa, shape.bootParams]);
}
