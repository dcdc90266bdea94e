/**
 * Symmetry reduction for the explorer's window of N hot-pluggable blocks.
 *
 * Which symmetries the small machine has: its operations name every aligned
 * sub-range [i, i+k) of the window, every block, and a DIMM per sub-range.
 * The only reorderings of the window's blocks that map that set of
 * operations onto itself are the identity and the mirror (block i ↔ block
 * N-1-i; a range [i, i+k) ↔ [N-i-k, N-i)): swapping two blocks in the
 * middle would turn a contiguous range into a broken one, which no
 * operation names. Blocks are only interchangeable as mirror images, so the
 * mirror is what this module canonicalises, with each block's insides (its
 * vmemmap pages at its start, its sections in order) kept as they are.
 *
 * The fingerprint of a state under symmetry is the smaller of its own and its
 * mirror image's (the image is built as a World and hashed the same way,
 * ./space.ts), so a state and its mirror are visited once. The image of a state is left out
 * (the state is its own class) when it cannot be written: a zone span that
 * ends inside a block, or reaches out of the window.
 *
 * Where the mirror is not a symmetry of the kernel, it is not used:
 * - virtio-mem plugs a device's lowest unplugged blocks first (virtio_mem
 *   picks the first free block), which the mirror turns into the highest;
 * - the v2-2019 series' MHP_MEMMAP_DEVICE puts one vmemmap for the whole
 *   range in its first block, which the mirror would move to its last;
 * - auto-online (auto_online_blocks, or `set` writing it) onlines a new
 *   range's blocks lowest first, and the kernel's unmovable allocations land
 *   in the first of them in ZONE_NORMAL (docs/kernel-model.md §8.4): the
 *   mirror would put them in the range's last block. (Found by the test
 *   below: mirror(step(s, op)) differed from step(mirror(s), mirror(op)).)
 * test/check/explore-symmetry.test.ts runs the reduced and unreduced search on
 * every small configuration and checks the same verdict and the same shortest
 * counterexample length.
 *
 * Empty nodes and identical devices: the small machine has at most one node
 * besides node 0 (boot memory, never empty), so no two nodes can swap; and
 * its devices are named after their ranges (a DIMM per sub-range, one
 * virtio-mem and one dax device over the whole window), so no two are alike
 * except through the mirror, which renames DIMMs with their ranges.
 */
import { tableToArray, type Table } from '../../engine/table.ts';
import type { BlockState, SectionState, VmemmapState, World } from '../../engine/world.ts';
import { geometry, zoneKey } from '../../engine/world.ts';
import type { ZoneState } from '../../kernel/reader.ts';
import type { Op } from '../../kernel/ops.ts';
import type { SmallMachine } from '../machine.ts';

/** Why the mirror is no symmetry of this machine and operation set, or null when it is one. */
export function mirrorProblem(m: SmallMachine, ops: readonly Op[]): string | null {
  if (m.blocks < 2) return 'one block has no mirror image';
  if (ops.some((o) => o.op.startsWith('virtio_mem'))) return 'virtio-mem plugs its lowest blocks first';
  if (ops.some((o) => o.op === 'add_memory' && o.flags.includes('MHP_MEMMAP_DEVICE'))) return "MHP_MEMMAP_DEVICE puts the range's vmemmap in its first block";
  if (m.spec.params.auto_online_blocks !== 'offline' || ops.some((o) => o.op === 'set' && o.param === 'auto_online_blocks' && o.value !== 'offline'))
    return "auto-online brings a range's blocks online lowest first, and the kernel's allocations land in the first (docs/kernel-model.md §8.4)";
  return null;
}

/** A table from entries keyed by `key` (ascending keys, as the engine builds them). */
function tableOf<T>(entries: T[], key: (v: T) => number): Table<T> {
  const chunks: (T | undefined)[][] = [];
  for (const v of entries) {
    const k = key(v);
    const ci = Math.floor(k / 256);
    const c = (chunks[ci] ??= new Array<T | undefined>(256).fill(undefined));
    c[k % 256] = v;
  }
  for (let i = 0; i < chunks.length; i++) if (chunks[i] === undefined) chunks[i] = undefined as never;
  return { chunks, size: entries.length };
}

class OutOfWindow extends Error {}

export class Symmetry {
  private readonly n: number;
  private readonly block0: number;
  private readonly blockEnd: number;
  private readonly start: number;
  private readonly blockSize: number;
  private readonly ppb: number;
  private readonly pfn0: number;
  private readonly spb: number;
  private readonly section0: number;

  constructor(m: SmallMachine) {
    const g = geometry({ system: m.spec } as World);
    this.n = m.blocks;
    this.block0 = m.firstBlock;
    this.blockEnd = m.firstBlock + m.blocks;
    this.start = m.windowStart;
    this.blockSize = m.blockSize;
    this.ppb = g.pagesPerBlock;
    this.pfn0 = m.windowStart / g.pageSize;
    this.spb = g.sectionsPerBlock;
    this.section0 = m.firstBlock * g.sectionsPerBlock;
  }

  private block(id: number): number {
    return id >= this.block0 && id < this.blockEnd ? this.block0 + this.blockEnd - 1 - id : id;
  }
  private section(nr: number): number {
    const i = Math.floor((nr - this.section0) / this.spb);
    if (i < 0 || i >= this.n) return nr;
    return this.section0 + (this.n - 1 - i) * this.spb + (nr - this.section0 - i * this.spb);
  }
  private pfn(p: number): number {
    const i = Math.floor((p - this.pfn0) / this.ppb);
    if (i < 0 || i >= this.n) return p;
    return this.pfn0 + (this.n - 1 - i) * this.ppb + (p - this.pfn0 - i * this.ppb);
  }
  /** The image of a whole-block range [start, start+size) inside the window. */
  private rangeStart(start: number, size: number): number {
    const end = this.start + this.n * this.blockSize;
    if (start < this.start || start + size > end) return start;
    if ((start - this.start) % this.blockSize !== 0 || size % this.blockSize !== 0) throw new OutOfWindow();
    return this.start + (end - (start + size));
  }
  /** A zone span [startPfn, endPfn): its image, when it is made of whole window blocks. */
  private span(s: { startPfn: number; endPfn: number }): { startPfn: number; endPfn: number } {
    const end = this.pfn0 + this.n * this.ppb;
    if (s.endPfn <= this.pfn0) return s;
    if (s.startPfn < this.pfn0 || s.endPfn > end || (s.startPfn - this.pfn0) % this.ppb !== 0 || (s.endPfn - this.pfn0) % this.ppb !== 0) throw new OutOfWindow();
    return { startPfn: this.pfn0 + (end - s.endPfn), endPfn: this.pfn0 + (end - s.startPfn) };
  }
  private device(name: string): string {
    // the small machine's DIMMs are named PNP0C80:<first block><block count> (../machine.ts)
    const m = /^PNP0C80:(\d)(\d)$/.exec(name);
    if (!m) return name;
    const i = Number(m[1]);
    const k = Number(m[2]);
    return `PNP0C80:${this.n - i - k}${k}`;
  }

  /** The operation's mirror image (a block, range or DIMM of the window mirrored; the rest as it is). */
  mirrorOp(op: Op): Op {
    switch (op.op) {
      case 'add_memory':
      case 'remove_memory':
      case 'offline_and_remove_memory':
      case 'acpi_dimm_add':
      case 'dax_kmem_add':
        return { ...op, ...(op.op === 'acpi_dimm_add' ? { device: this.device(op.device) } : {}), start: this.rangeStart(op.start, op.size) };
      case 'acpi_dimm_eject':
        return { ...op, device: this.device(op.device) };
      case 'state':
      case 'touch':
      case 'pin':
      case 'unpin':
        return { ...op, block: this.block(op.block) };
      default:
        return op;
    }
  }

  /** The world with its window mirrored, or null when it cannot be written. */
  mirror(w: World): World | null {
    try {
      const blocks = tableToArray(w.blocks)
        .map((b): BlockState => ({ ...b, id: this.block(b.id) }))
        .sort((a, b) => a.id - b.id);
      const sections = tableToArray(w.sections)
        .map((s): SectionState => {
          const memmap = s.memmap.kind === 'altmap' ? { ...s.memmap, headPfn: this.pfn(s.memmap.headPfn) } : s.memmap;
          return { ...s, nr: this.section(s.nr), block: this.block(s.block), memmap };
        })
        .sort((a, b) => a.nr - b.nr);
      const zones = tableToArray(w.zones).map((z): ZoneState => (z.span ? { ...z, span: this.span(z.span) } : z));
      const vmemmap = tableToArray(w.vmemmap)
        .map(
          (v): VmemmapState => ({
            ...v,
            headPfn: this.pfn(v.headPfn),
            sections: v.sections.map((s) => this.section(s)),
            orphanedBy: v.orphanedBy ? { start: this.rangeStart(v.orphanedBy.start, v.orphanedBy.size), size: v.orphanedBy.size } : null,
          }),
        )
        .sort((a, b) => a.headPfn - b.headPfn);
      const g = geometry(w);
      const devices = w.devices.map((d) => ({
        ...d,
        name: this.device(d.name),
        start: this.rangeStart(d.start, d.size),
        ...(d.bound ? { bound: d.bound.map((b) => this.block(b)).sort((a, b) => a - b) } : {}),
      }));
      // a DIMM's static memory group is owned by its device, by name
      const groups = w.groups.map((gr) => ({ ...gr, owner: this.device(gr.owner) }));
      const byStart = <T extends { start: number }>(xs: T[]) => xs.sort((a, b) => a.start - b.start);
      return {
        ...w,
        blocks: tableOf(blocks, (b) => b.id),
        sections: tableOf(sections, (s) => s.nr),
        zones: tableOf(zones, (z) => zoneKey(z.node, z.zone)),
        vmemmap: tableOf(vmemmap, (v) => Math.floor(v.headPfn / g.pagesPerSection)),
        devices,
        groups,
        resources: byStart(w.resources.map((r) => ({ ...r, start: this.rangeStart(r.start, r.size) }))),
        firmwareMap: byStart(w.firmwareMap.map((f) => ({ ...f, start: this.rangeStart(f.start, f.size) }))),
      };
    } catch (e) {
      if (e instanceof OutOfWindow) return null;
      throw e;
    }
  }
}
