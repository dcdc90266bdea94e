/**
 * Seeded random operation sequences a real guest can run (docs/conformance.md
 * "Corpus"): ACPI DIMMs in QEMU's device-memory region, virtio-mem devices,
 * state/online writes on the blocks they bring, parameter writes and notifier
 * injections, at most 12 operations. The same seed always gives the same
 * scenario, so a recorded transcript names its seed and can be regenerated.
 */
import { validateScenario } from '../scenario/index.ts';
import type { Era } from '../kernel/types.ts';
import type { Scenario } from '../kernel/ops.ts';
import { DEVICE_MEMORY_BASE, DIMM_SLOTS } from './mapping.ts';
import { prng } from '../input/prng.ts';

const MiB = 1024 ** 2;
const BLOCK = 128 * MiB;
/** The window of device memory sequences use: 6 GiB from QEMU's base (4 GiB). */
const WINDOW_BLOCKS = 48;
/** DIMMs present at once (the generator's budget; QEMU has DIMM_SLOTS so that a re-add gets a fresh slot). */
const DIMM_LIVE_SLOTS = 4;


export interface GenerateOptions {
  era: Era;
  seed: number;
  maxOps?: number;
  /** Include virtio-mem devices (default true). */
  virtioMem?: boolean;
}

interface Dev {
  start: number;
  size: number;
}

export function generateScenario(opts: GenerateOptions): Scenario {
  const r = prng(opts.seed * 7919 + 17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  const maxOps = opts.maxOps ?? 12;
  const n = 1 + Math.floor(r() * maxOps);
  const dimms = new Map<number, Dev>();
  const vmems = new Map<number, Dev & { requested: number }>();
  const everBlocks = new Set<number>();
  const everSlots = new Set<number>();
  const used = (start: number, size: number) =>
    [...dimms.values(), ...vmems.values()].some((d) => start < d.start + d.size && d.start < start + size);
  const ops: Record<string, unknown>[] = [];
  const hex = (x: number) => `0x${x.toString(16)}`;
  const blocksOf = (d: Dev) => Array.from({ length: d.size / BLOCK }, (_, i) => d.start / BLOCK + i);
  const virtio = opts.virtioMem !== false;
  for (let i = 0; i < n; i++) {
    const present = [...dimms.values(), ...vmems.values()];
    const blocks = present.flatMap(blocksOf);
    const roll = r();
    if ((roll < 0.3 || present.length === 0) && (dimms.size < DIMM_LIVE_SLOTS || (virtio && vmems.size < 2))) {
      const asVirtio = virtio && vmems.size < 2 && (dimms.size >= DIMM_LIVE_SLOTS || chance(0.3));
      const size = asVirtio ? pick([256, 512, 1024]) * MiB : pick([128, 128, 256, 512, 1024]) * MiB;
      let start = -1;
      for (let tries = 0; tries < 20 && start < 0; tries++) {
        const align = asVirtio ? size / BLOCK : 1;
        const k = Math.floor(r() * (WINDOW_BLOCKS / align)) * align;
        const s = DEVICE_MEMORY_BASE + k * BLOCK;
        if (k * BLOCK + size <= WINDOW_BLOCKS * BLOCK && !used(s, size)) start = s;
      }
      if (start < 0) continue;
      if (asVirtio) {
        const idx = [0, 1].find((x) => !vmems.has(x))!;
        const requested = pick([0, 128, 256]) * MiB;
        vmems.set(idx, { start, size, requested: Math.min(requested, size) });
        ops.push({ op: 'virtio_mem_add', device: `virtio${idx}`, node: 0, start: hex(start), size: hex(size), blockSize: '128M', requested: hex(Math.min(requested, size)) });
      } else {
        // a slot never used in this sequence while one is left: an eject the kernel refused
        // leaves its DIMM (and QEMU's ids for it) behind, and QEMU refuses a second DIMM there
        const slot = Array.from({ length: DIMM_SLOTS }, (_, x) => x).find((x) => !everSlots.has(x)) ?? Array.from({ length: DIMM_SLOTS }, (_, x) => x).find((x) => !dimms.has(x))!;
        everSlots.add(slot);
        dimms.set(slot, { start, size });
        ops.push({ op: 'acpi_dimm_add', device: `PNP0C80:0${slot}`, node: 0, start: hex(start), size: hex(size) });
      }
      for (const b of blocksOf({ start, size })) everBlocks.add(b);
    } else if (roll < 0.4 && dimms.size > 0) {
      const slot = pick([...dimms.keys()]);
      dimms.delete(slot);
      ops.push({ op: 'acpi_dimm_eject', device: `PNP0C80:0${slot}` });
    } else if (roll < 0.47 && vmems.size > 0) {
      const idx = pick([...vmems.keys()]);
      const v = vmems.get(idx)!;
      v.requested = Math.min(v.size, pick([0, 128, 256, 384, 512]) * MiB);
      ops.push({ op: 'virtio_mem_resize', device: `virtio${idx}`, requested: hex(v.requested) });
    } else if (roll < 0.85 && blocks.length > 0) {
      const block = chance(0.92) || everBlocks.size === 0 ? pick(blocks) : pick([...everBlocks]);
      if (chance(0.8)) ops.push({ op: 'state', block, value: pick(['offline', 'online', 'online_movable', 'online_kernel', 'offline', 'online_movable']) });
      else ops.push({ op: 'online', block, value: pick([true, false]) });
    } else if (roll < 0.95) {
      const which = pick(['auto_online_blocks', 'online_policy', 'auto_movable_ratio']);
      const value =
        which === 'auto_online_blocks' ? pick(['offline', 'online', 'online_movable', 'online_kernel']) : which === 'online_policy' ? pick(['contig-zones', 'auto-movable']) : pick([0, 100, 301, 1000]);
      ops.push({ op: 'set', param: which, value });
    } else {
      ops.push({ op: 'inject', action: pick(['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE']), error: pick([-12, -16, 0]) });
    }
  }
  return conformScenario(opts, '', {
    memmap_on_memory: pick(['on', 'off']),
    auto_online_blocks: pick(['offline', 'online', 'online_movable', 'online_kernel']),
    online_policy: pick(['contig-zones', 'auto-movable']),
  }, ops);
}

/** The machine every generated sequence runs on (2 GiB of boot memory, 128 MiB blocks), validated as a scenario. */
function conformScenario(opts: { era: string; seed: number }, kind: string, params: Record<string, string>, ops: unknown[]) {
  const label = `${opts.era}${kind ? ` ${kind}` : ''} seed ${opts.seed}`;
  const doc = { name: `conform ${label}`, kernel: opts.era, arch: 'x86_64', machine: { memoryBlockSize: '128M' }, boot: [{ node: 0, size: '2G' }], params, ops };
  return validateScenario(doc, `<generated ${label}>`);
}

/**
 * Sequences for virtio-mem Sub Block Mode (docs/drivers.md): one or two devices with QEMU's
 * default 2 MiB block size, resizes to sizes that leave memory blocks partly plugged, state
 * writes on the device's blocks and auto-online changes; at most `maxOps` (default 8)
 * operations. A seed stream of its own: `generateScenario`'s sequences do not change.
 */
export function generateSbmScenario(opts: GenerateOptions): Scenario {
  const r = prng(opts.seed * 104729 + 9973);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maxOps = opts.maxOps ?? 8;
  const n = 2 + Math.floor(r() * (maxOps - 1));
  const hex = (x: number) => `0x${x.toString(16)}`;
  const vmems = new Map<number, Dev>();
  const ops: Record<string, unknown>[] = [];
  // sizes in 2 MiB steps that end inside a memory block as often as on its border
  const sizes = [0, 2, 6, 64, 128, 130, 200, 256, 300, 384].map((m) => m * MiB);
  for (let i = 0; i < n; i++) {
    const roll = r();
    if (vmems.size === 0 || (roll < 0.12 && vmems.size < 2)) {
      const idx = [0, 1].find((x) => !vmems.has(x))!;
      const size = pick([256, 512]) * MiB;
      const start = DEVICE_MEMORY_BASE + (idx === 0 ? 0 : 2048 * MiB) + pick([0, 1024]) * MiB;
      vmems.set(idx, { start, size });
      ops.push({ op: 'virtio_mem_add', device: `virtio${idx}`, node: 0, start: hex(start), size: hex(size), blockSize: '2M', requested: hex(Math.min(size, pick(sizes))) });
    } else if (roll < 0.5) {
      const idx = pick([...vmems.keys()]);
      ops.push({ op: 'virtio_mem_resize', device: `virtio${idx}`, requested: hex(Math.min(vmems.get(idx)!.size, pick(sizes))) });
    } else if (roll < 0.85) {
      const d = vmems.get(pick([...vmems.keys()]))!;
      const block = d.start / BLOCK + Math.floor(r() * Math.min(4, d.size / BLOCK));
      ops.push({ op: 'state', block, value: pick(['offline', 'online_movable', 'online_kernel', 'online', 'offline']) });
    } else {
      ops.push({ op: 'set', param: 'auto_online_blocks', value: pick(['offline', 'online', 'online_movable', 'online_kernel']) });
    }
  }
  return conformScenario(opts, 'sbm', {
    memmap_on_memory: pick(['on', 'off']),
    auto_online_blocks: pick(['offline', 'online', 'online_movable', 'online_kernel', 'online_movable']),
    online_policy: pick(['contig-zones', 'auto-movable']),
  }, ops);
}
