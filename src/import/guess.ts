/**
 * What sysfs does not say outright and an import must guess: the architecture, the kernel era
 * and the build options, each with the reason it was guessed. A running system answers more
 * (its CPU, its page size, its kernel release) than a dump, which has only memory/.
 */
import { arch as cpuArch, release } from 'node:os';
import { readFileSync } from 'node:fs';
import type { ArchName, Era } from '../kernel/types.ts';
import type { DumpFacts } from './read.ts';

export interface Guessed<T> {
  value: T;
  why: string;
}

const MiB = 2 ** 20;
const hex = (n: number) => `0x${n.toString(16)}`;

/** The kernel's page size on this machine (KernelPageSize in smaps), in bytes. */
function kernelPageSize(): number | undefined {
  try {
    const m = /KernelPageSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function liveArch(): Guessed<ArchName> | undefined {
  const cpu = cpuArch();
  if (cpu === 'x64') return { value: 'x86_64', why: 'this machine is x86_64' };
  if (cpu === 's390x') return { value: 's390x', why: 'this machine is s390x' };
  if (cpu === 'arm64') {
    const page = kernelPageSize();
    const value: ArchName = page === 16384 ? 'arm64-16k' : page === 65536 ? 'arm64-64k' : 'arm64-4k';
    return { value, why: `this machine is arm64 with ${page ? page / 1024 : 4}K pages (KernelPageSize in /proc/self/smaps)` };
  }
  if (cpu === 'ppc64') {
    let radix = true;
    try {
      radix = !/MMU\s*:\s*Hash/.test(readFileSync('/proc/cpuinfo', 'utf8'));
    } catch {
      // keep radix, the default MMU of POWER9 and later
    }
    return { value: radix ? 'ppc64-radix' : 'ppc64-hash', why: `this machine is ppc64 with the ${radix ? 'radix' : 'hash'} MMU (/proc/cpuinfo)` };
  }
  return undefined;
}

const zonesSeen = (f: DumpFacts) => new Set(f.blocks.flatMap((b) => (b.validZones ?? '').split(/\s+/).filter(Boolean)));

export function guessArch(f: DumpFacts, live: boolean): Guessed<ArchName> {
  if (live) {
    const a = liveArch();
    if (a) return a;
  }
  const first = f.blocks[0]!.id * f.blockSize;
  const zones = zonesSeen(f);
  if (f.hasProbe) {
    if (f.blockSize < 128 * MiB || first !== 0) return { value: 'ppc64-radix', why: `a probe file with ${f.blockSize / MiB} MiB blocks${first ? ` from ${hex(first)}` : ''}: powerpc (x86 blocks are at least 128 MiB, from address 0)` };
    return { value: 'x86_64', why: 'a probe file and memory from address 0: x86_64 built with CONFIG_ARCH_MEMORY_PROBE' };
  }
  if (f.blockSize === 256 * MiB && !zones.has('DMA32'))
    return { value: 's390x', why: '256 MiB blocks, no DMA32 zone and no probe file: an s390 storage increment' };
  if (zones.has('DMA32') && first === 0) return { value: 'x86_64', why: 'memory from address 0 with a DMA32 zone and no probe file (x86_64 distributions build without it)' };
  if (f.blockSize === 512 * MiB) return { value: 'arm64-64k', why: '512 MiB blocks: the section size of arm64 with 64K pages' };
  if (first !== 0)
    return { value: 'arm64-4k', why: `memory starts at ${hex(first)} (block ${f.blocks[0]!.id}), not at 0 as on x86: arm64; sysfs does not show the page size, so 4K (give --arch arm64-16k or arm64-64k if it had those)` };
  return { value: 'x86_64', why: 'nothing in the dump points elsewhere (no probe file, memory from address 0)' };
}

/** The modelled era a kernel release falls in (docs/eras.md). */
export function eraOfRelease(rel: string): Era | undefined {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  if (!m) return undefined;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  if (v < 5007) return 'v2-2019';
  if (v < 5015) return '5.13';
  if (v < 6006) return '5.15';
  if (v < 6008) return '6.6';
  return '6.8';
}

export function guessEra(f: DumpFacts, live: boolean): Guessed<Era> {
  if (live) {
    const era = eraOfRelease(release());
    if (era) return { value: era, why: `this machine runs Linux ${release()}` };
  }
  if (f.hasVmemmapHotplug) return { value: 'v2-2019', why: 'a vmemmap_hotplug file: the 2019 memmap-on-memory series' };
  const fixedRemovable = f.blocks.find((b) => b.state === 'online' && b.removable === '0' && b.validZones !== undefined);
  if (fixedRemovable)
    return { value: 'v2-2019', why: `memory${fixedRemovable.id} is online with removable 0: before ~5.7 removable was computed per block (later it is always 1); v2-2019 is the modelled era of that time` };
  if (f.params.memmap_on_memory === 'force') return { value: '6.8', why: 'memmap_on_memory reads force (~6.6 and later)' };
  if (f.params.online_policy !== undefined) return { value: '6.8', why: 'an online_policy parameter (~5.15 and later); the newest modelled era' };
  if (f.autoOnlineBlocks === 'online_kernel' || f.autoOnlineBlocks === 'online_movable')
    return { value: '6.8', why: `auto_online_blocks reads ${f.autoOnlineBlocks} (~5.8 and later); the newest modelled era` };
  return { value: '6.8', why: 'nothing in the dump says older: the newest modelled era' };
}
