/**
 * The kernel build options that change what memory hotplug does
 * (`machine.config` in a scenario). Each option exists on some
 * architectures and eras only; where it exists, its default is how a
 * mainstream distribution kernel (Debian, Fedora) builds that arch.
 * docs/eras.md lists them with their Kconfig rules.
 */
import { compareRelease, ERA_RELEASE } from './features.ts';
import type { ArchName, ConfigOption, Era, KernelConfig, SystemSpec } from './types.ts';

const atLeast = (era: Era, release: string) => compareRelease(ERA_RELEASE[era].release, release) >= 0;
const isPpc = (arch: ArchName) => arch === 'ppc64-radix' || arch === 'ppc64-hash';
const isArm = (arch: ArchName) => arch.startsWith('arm64');

/**
 * How an option can be set on an arch and era:
 * - 'absent': the arch has no such symbol (or its dependencies can never hold): always n;
 * - 'fixed': def_bool without a prompt: the value follows from the dependencies;
 * - 'choice': a prompt, the builder chooses.
 */
export interface OptionRule {
  kind: 'absent' | 'fixed' | 'choice';
  /** The value a distribution kernel has (for 'fixed': the only value). */
  value: boolean;
  /** Why, in Kconfig terms. */
  why: string;
}

/** CONFIG_ARCH_MEMORY_PROBE: x86 `bool` default n (distributions leave it off); powerpc `def_bool y`; none elsewhere. */
function archMemoryProbe(arch: ArchName): OptionRule {
  if (arch === 'x86_64') return { kind: 'choice', value: false, why: 'arch/x86/Kconfig: bool "Enable sysfs memory/probe interface", default n; distributions leave it off' };
  if (isPpc(arch)) return { kind: 'fixed', value: true, why: 'arch/powerpc/Kconfig: def_bool y (pseries DLPAR discovers memory in user space)' };
  return { kind: 'absent', value: false, why: `${arch} has no ARCH_MEMORY_PROBE symbol` };
}

/** CONFIG_MEMORY_HOTREMOVE: needs ARCH_ENABLE_MEMORY_HOTREMOVE (arm64 only since 5.7); distributions enable it. */
function memoryHotremove(arch: ArchName, era: Era): OptionRule {
  if (isArm(arch) && !atLeast(era, '5.7'))
    return { kind: 'absent', value: false, why: 'arm64 selects ARCH_ENABLE_MEMORY_HOTREMOVE only since 5.7 ("arm64/mm: Enable memory hot remove")' };
  return { kind: 'choice', value: true, why: 'mm/Kconfig: bool "Allow for memory hot remove", distributions set it' };
}

/** CONFIG_MHP_MEMMAP_ON_MEMORY: def_bool y on SPARSEMEM_VMEMMAP && ARCH_MHP_MEMMAP_ON_MEMORY_ENABLE (5.13+). */
function mhpMemmapOnMemory(arch: ArchName, era: Era, vmemmap: boolean): OptionRule {
  if (!atLeast(era, '5.13')) return { kind: 'absent', value: false, why: 'the option came with 5.13' };
  const archSince: Record<ArchName, string> = {
    x86_64: '5.13',
    'arm64-4k': '5.13',
    'arm64-16k': '5.13',
    'arm64-64k': '5.13',
    'ppc64-radix': '6.6',
    'ppc64-hash': '6.6',
    s390x: '6.8',
  };
  if (!atLeast(era, archSince[arch])) return { kind: 'absent', value: false, why: `${arch} selects ARCH_MHP_MEMMAP_ON_MEMORY_ENABLE only from ${archSince[arch]}` };
  if (!vmemmap) return { kind: 'fixed', value: false, why: 'mm/Kconfig: def_bool y depends on SPARSEMEM_VMEMMAP, which is off' };
  return { kind: 'fixed', value: true, why: 'mm/Kconfig: def_bool y (no prompt) when SPARSEMEM_VMEMMAP and ARCH_MHP_MEMMAP_ON_MEMORY_ENABLE' };
}

/** CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE: bool default n; Debian and Fedora leave it off (udev rules online memory). */
function defaultOnline(): OptionRule {
  return { kind: 'choice', value: false, why: 'mm/Kconfig: bool "Online the newly added memory blocks by default", default n; distributions online from udev' };
}

/** CONFIG_SPARSEMEM_VMEMMAP: bool default y where SPARSEMEM_VMEMMAP_ENABLE. */
function sparsemVmemmap(): OptionRule {
  return { kind: 'choice', value: true, why: 'mm/Kconfig: bool "Sparse Memory virtual memmap", default y' };
}

/** The rule of one option on an arch and era (MHP_MEMMAP_ON_MEMORY depends on SPARSEMEM_VMEMMAP). */
export function optionRule(option: ConfigOption, arch: ArchName, era: Era, vmemmap = true): OptionRule {
  switch (option) {
    case 'ARCH_MEMORY_PROBE':
      return archMemoryProbe(arch);
    case 'MEMORY_HOTREMOVE':
      return memoryHotremove(arch, era);
    case 'MHP_MEMMAP_ON_MEMORY':
      return mhpMemmapOnMemory(arch, era, vmemmap);
    case 'MEMORY_HOTPLUG_DEFAULT_ONLINE':
      return defaultOnline();
    case 'SPARSEMEM_VMEMMAP':
      return sparsemVmemmap();
  }
}

/** Why a value cannot be built, or null when it can. */
export function configProblem(option: ConfigOption, value: boolean, arch: ArchName, era: Era, vmemmap = true): string | null {
  const r = optionRule(option, arch, era, vmemmap);
  if (r.kind === 'choice' || r.value === value) return null;
  if (r.kind === 'absent') return `CONFIG_${option} cannot be set on ${arch} in kernel ${era}: ${r.why}`;
  return `CONFIG_${option} is always ${r.value ? 'y' : 'n'} on ${arch} in kernel ${era}: ${r.why}`;
}

/**
 * The configuration a system runs with: what the spec says, the distribution
 * default for the rest. SPARSEMEM_VMEMMAP always follows machine.sparsemem
 * (scenario parsing keeps the two in step).
 */
export function kernelConfig(spec: Pick<SystemSpec, 'arch' | 'kernel' | 'machine'>): KernelConfig {
  const given = spec.machine.config ?? {};
  const vmemmap = spec.machine.sparsemem === 'vmemmap';
  const pick = (o: ConfigOption) => {
    const r = optionRule(o, spec.arch, spec.kernel, vmemmap);
    if (r.kind !== 'choice') return r.value;
    return given[o] ?? r.value;
  };
  return {
    ARCH_MEMORY_PROBE: pick('ARCH_MEMORY_PROBE'),
    MEMORY_HOTREMOVE: pick('MEMORY_HOTREMOVE'),
    MHP_MEMMAP_ON_MEMORY: pick('MHP_MEMMAP_ON_MEMORY'),
    MEMORY_HOTPLUG_DEFAULT_ONLINE: pick('MEMORY_HOTPLUG_DEFAULT_ONLINE'),
    SPARSEMEM_VMEMMAP: vmemmap,
  };
}

/** The distribution defaults of an arch and era (docs, `memhp show`). */
export function defaultConfig(arch: ArchName, era: Era, vmemmap = true): KernelConfig {
  return kernelConfig({ arch, kernel: era, machine: { hypervisor: true, sparsemem: vmemmap ? 'vmemmap' : 'classic' } });
}

const cache = new WeakMap<object, KernelConfig>();
/** kernelConfig(), computed once per spec object. */
export function configOf(spec: SystemSpec): KernelConfig {
  let c = cache.get(spec);
  if (!c) {
    c = kernelConfig(spec);
    cache.set(spec, c);
  }
  return c;
}
