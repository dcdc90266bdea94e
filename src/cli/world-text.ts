/**
 * The world at one step, as `memhp show` prints it: an lsmem-like table of
 * ranges, where each block's struct pages live, page counters per zone and
 * node, altmaps, faults. The ranges are the rows util-linux lsmem prints
 * for the same world exported as sysfs (src/sysfs), so both agree.
 */
import type { BlockView, WorldView } from '../engine/view.ts';
import { defaultConfig } from '../kernel/config.ts';
import { CONFIG_OPTIONS } from '../kernel/types.ts';
import { formatSize } from '../scenario/index.ts';
import { expectedLsmemRows, type LsmemRow } from '../sysfs/index.ts';
import type { Style } from './style.ts';
import { compressIds, hex, table } from './table.ts';

export interface BlockMemmap {
  block: number;
  /** boot: early memmap; node: regular hot-add allocation; altmap: carved out of hot-added memory. */
  kind: 'boot' | 'node' | 'altmap';
  /** The node whose memory holds the struct pages. */
  node: number;
  /** The struct pages sit on another node than the block's memory. */
  remote: boolean;
  /** altmap: the vmemmap head pfn and the block that holds it. */
  headPfn?: number;
  hostBlock?: number;
  /** The memory holding these struct pages has been removed. */
  lost: boolean;
}

/** Where each block's memmap lives (from its sections; a block whose sections differ lists the first). */
export function blockMemmaps(view: WorldView): BlockMemmap[] {
  const pagesPerBlock = view.blockSizeBytes / view.pageSize;
  const byBlock = new Map<number, WorldView['sections']>();
  for (const s of view.sections) {
    const list = byBlock.get(s.block);
    if (list) list.push(s);
    else byBlock.set(s.block, [s]);
  }
  const out: BlockMemmap[] = [];
  for (const b of [...view.blocks].sort((x, y) => x.id - y.id)) {
    const secs = byBlock.get(b.id) ?? [];
    const first = secs[0];
    if (!first) continue;
    const lost = secs.some((s) => s.memmapLost);
    const m = first.memmap;
    if (m.kind === 'altmap') {
      const hostBlock = Math.floor(m.headPfn / pagesPerBlock);
      const host = view.blocks.find((x) => x.id === hostBlock);
      const node = host?.node ?? b.node;
      out.push({ block: b.id, kind: 'altmap', node, remote: node !== b.node, headPfn: m.headPfn, hostBlock, lost });
    } else {
      out.push({ block: b.id, kind: m.kind, node: m.node, remote: m.node !== b.node, lost });
    }
  }
  return out;
}

function memmapText(m: BlockMemmap): string {
  let text: string;
  if (m.kind === 'altmap') text = m.hostBlock === m.block ? `altmap in this block (head pfn ${hex(m.headPfn!)})` : `altmap in memory${m.hostBlock} (head pfn ${hex(m.headPfn!)})`;
  else text = `${m.kind === 'boot' ? 'boot memmap' : 'regular memmap'} on node ${m.node}`;
  if (m.remote) text += ' (remote)';
  if (m.lost) text += ' — LOST: that memory was removed';
  return text;
}

function pagesText(pages: number, pageSize: number): string {
  return `${pages} (${formatSize(pages * pageSize)})`;
}

function rangeRows(rows: readonly LsmemRow[]): string[] {
  return table(
    ['RANGE', 'SIZE', 'STATE', 'REMOVABLE', 'BLOCK', 'NODE', 'ZONES'],
    rows.map((r) => [r.range, formatSize(r.size), r.state, r.state === 'online' ? (r.removable ? 'yes' : 'no') : '-', r.block, r.node === null ? '-' : String(r.node), r.zones ?? '-']),
    new Set([1]),
  );
}

function memmapRows(view: WorldView): string[] {
  const runs: Array<{ ids: number[]; text: string }> = [];
  for (const m of blockMemmaps(view)) {
    const text = memmapText(m);
    const prev = runs.at(-1);
    if (prev && prev.text === text && prev.ids.at(-1) === m.block - 1) prev.ids.push(m.block);
    else runs.push({ ids: [m.block], text });
  }
  return table(['BLOCKS', 'STRUCT PAGES (vmemmap)'], runs.map((r) => [`memory${compressIds(r.ids)}`, r.text]));
}

function zoneRows(view: WorldView): string[] {
  const ps = view.pageSize;
  return table(
    ['NODE', 'ZONE', 'PRESENT', 'MANAGED', 'SPAN (pfn)'],
    view.zones.map((z) => [String(z.node), z.zone, pagesText(z.presentPages, ps), pagesText(z.managedPages, ps), z.startPfn === null || z.endPfn === null ? 'empty' : `${hex(z.startPfn)}-${hex(z.endPfn)}`]),
    new Set([2, 3]),
  );
}

function nodeRows(view: WorldView): string[] {
  const ps = view.pageSize;
  return table(
    ['NODE', 'STATE', 'PRESENT', 'MANAGED', 'MEMMAP', 'FREE KERNEL'],
    view.nodes.map((n) => [String(n.id), n.online ? 'online' : 'offline', pagesText(n.presentPages, ps), pagesText(n.managedPages, ps), pagesText(n.memmapPages, ps), pagesText(n.freeKernelPages, ps)]),
    new Set([2, 3, 4, 5]),
  );
}

function altmapLines(view: WorldView, style: Style): string[] {
  return view.vmemmap.map((v) => {
    const text = `head pfn ${hex(v.headPfn)}: ${v.nrPages} pages (${formatSize(v.nrPages * view.pageSize)}), refcount ${v.refcount}, sections ${compressIds(v.sections) || 'none'}, node ${v.node}`;
    return v.orphaned ? style.fault(`${text} — ORPHANED: its memory was removed`) : text;
  });
}

/** /proc/iomem's System RAM lines, the firmware memmap, memory groups and driver devices. */
function driverLines(view: WorldView, style: Style): string[] {
  const out: string[] = [];
  const addr = (n: number) => n.toString(16).padStart(8, '0');
  if (view.iomem?.length) {
    out.push('', style.bold('iomem (System RAM in /proc/iomem)'));
    for (const r of view.iomem) out.push(`${'  '.repeat(r.level)}${addr(r.start)}-${addr(r.end)} : ${r.name}${r.driverManaged ? '  (driver-managed)' : ''}`);
  }
  if (view.firmwareMemmap?.length) {
    out.push('', style.bold('/sys/firmware/memmap (what kexec hands on; driver-managed memory is not here)'));
    view.firmwareMemmap.forEach((f, i) => out.push(`${i}: ${hex(f.start)}-${hex(f.end)} ${f.type}`));
  }
  if (view.groups?.length) {
    out.push('', style.bold('memory groups'));
    const ps = view.pageSize;
    out.push(
      ...table(
        ['GROUP', 'KIND', 'NODE', 'SIZE', 'KERNEL', 'MOVABLE', 'BLOCKS', 'DEVICE'],
        view.groups.map((g) => [
          String(g.id),
          g.dynamic ? 'dynamic' : 'static',
          String(g.node),
          `${g.dynamic ? 'unit ' : 'max '}${formatSize(g.pages * ps)}`,
          formatSize(g.presentKernelPages * ps),
          formatSize(g.presentMovablePages * ps),
          g.blocks.length ? `memory${compressIds(g.blocks)}` : '-',
          g.owner,
        ]),
        new Set([3, 4, 5]),
      ),
    );
  }
  if (view.devices?.length) {
    out.push('', style.bold('driver devices'));
    for (const d of view.devices) {
      const sizes = d.requested !== undefined ? `, requested ${formatSize(d.requested)}, plugged ${formatSize(d.plugged ?? 0)}` : '';
      const mom = d.memmapOnMemory !== undefined ? `, memmap_on_memory ${d.memmapOnMemory ? 1 : 0}` : '';
      const text = `${d.name}: ${d.driver}, node ${d.nid}, [mem ${hex(d.start)}-${hex(d.start + d.size - 1)}]${d.group === null ? '' : `, group ${d.group}`}${sizes}${mom}`;
      out.push(d.stuck ? style.fault(`${text} — unbound, its memory stays until reboot`) : text);
    }
  }
  return out;
}

export function heading(view: WorldView): string {
  return `world at event ${view.seq}: ${view.arch}, kernel ${view.kernel}, page ${formatSize(view.pageSize)}, section ${formatSize(view.sectionSizeBytes)}, memory block ${formatSize(view.blockSizeBytes)}`;
}

/** The kernel build options, as a .config would say them (machine.config, defaults filled in). */
export function configLine(view: WorldView): string {
  const c = view.config ?? defaultConfig(view.arch, view.kernel);
  return `config: ${CONFIG_OPTIONS.map((o) => `${o}=${c[o] ? 'y' : 'n'}`).join(' ')}`;
}

/** How the taint reads: the letters print_tainted() shows and what set them. */
export function taintText(view: WorldView): string {
  if (!view.tainted) return 'kernel: not tainted';
  const flags = view.taintFlags ?? 'D';
  const why = [flags.includes('D') ? 'an oops happened' : '', flags.includes('W') ? 'a WARN fired' : ''].filter(Boolean).join(', ');
  return `kernel: TAINTED ${flags} (${why})`;
}

/**
 * Blocks that hold the kernel's unmovable allocations (docs/kernel-model.md §8.4): why an
 * offline, an eject or an unplug of them fails with EBUSY.
 */
function kernelAllocationLines(view: WorldView, style: Style): string[] {
  const perNode = new Map<number, number[]>();
  for (const b of view.blocks) if (b.kernelAllocations && !b.early) perNode.set(b.node, [...(perNode.get(b.node) ?? []), b.id]);
  if (perNode.size === 0) return [];
  const out = ['', style.bold('unmovable kernel allocations (these blocks cannot be offlined: EBUSY)')];
  for (const [node, ids] of perNode)
    out.push(`memory${compressIds(ids)}  node ${node}: onlined to a kernel zone while the node had no free boot ZONE_NORMAL, so slab and page tables landed there`);
  return out;
}

/** The whole `show` text, one string per line. */
export function formatWorld(view: WorldView, style: Style): string[] {
  const out: string[] = [style.bold(heading(view)), configLine(view), ''];
  const rows = expectedLsmemRows(view);
  if (rows.length === 0) out.push('no memory blocks');
  else out.push(...rangeRows(rows));
  out.push(...kernelAllocationLines(view, style));
  out.push('', style.bold('memmap placement'));
  out.push(...(view.sections.length ? memmapRows(view) : ['no sections']));
  out.push('', style.bold('zones (pages)'));
  out.push(...(view.zones.length ? zoneRows(view) : ['no zones']));
  out.push('', style.bold('nodes (pages)'));
  out.push(...(view.nodes.length ? nodeRows(view) : ['no nodes']));
  if (view.vmemmap.length) out.push('', style.bold('altmaps (vmemmap carved out of hot-added memory)'), ...altmapLines(view, style));
  out.push(...driverLines(view, style));
  if (view.faults.length) {
    out.push('', style.fault(`faults (${view.faults.length})`));
    for (const f of view.faults) out.push(style.fault(`  [event ${f.seq}] ${f.message}`));
  }
  out.push('', view.tainted ? style.fault(taintText(view)) : taintText(view));
  return out;
}

/** What `show --json` adds beside the world: lsmem's rows and each block's memmap placement. */
export function showJson(view: WorldView): { ranges: LsmemRow[]; memmap: BlockMemmap[] } {
  return { ranges: expectedLsmemRows(view), memmap: blockMemmaps(view) };
}

export type { BlockView };
