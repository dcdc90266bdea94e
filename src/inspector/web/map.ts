/**
 * The memory map: the physical address space as one cell per memory-block
 * sized slot, drawn on a canvas so 32,768 blocks cost one draw call loop,
 * not 32,768 DOM nodes. Each cell shows the block's state and zone, its
 * sections, where its memmap lives (a band inside the block for an altmap,
 * a node-coloured dot for a regular memmap on that node), removed ranges
 * (hatched) and faults (red X).
 */
import type { MapFrame } from '../protocol.ts';
import { ZONE_CODES } from '../protocol.ts';
import * as C from './colors.ts';
import { bytes, hex } from './format.ts';

const STATE_NAMES = ['offline', 'online', 'going-offline'];
const MEMMAP_NAMES = ['boot', 'node', 'altmap'];

interface Layout { cell: number; cols: number; rows: number; slots: number }

export class MemoryMap {
  private frame: MapFrame | null = null;
  private layout: Layout = { cell: 8, cols: 1, rows: 1, slots: 0 };
  /** slot -> block index (-1 none) */
  private blockAt = new Int32Array(0);
  /** slot -> removed */
  private removedAt = new Uint8Array(0);
  /** block index -> first section index / count (sections sorted by block) */
  private secFirst = new Int32Array(0);
  private secCount = new Int32Array(0);
  private faultBlocks = new Set<number>();
  private hover = -1;
  selected = -1;
  onSelect: (blockId: number) => void = () => {};

  constructor(private canvas: HTMLCanvasElement, private detail: HTMLElement, private summary: HTMLElement) {
    canvas.addEventListener('mousemove', (e) => { this.hover = this.slotAt(e); this.draw(); this.describe(this.hover >= 0 ? this.hover : this.selected); });
    canvas.addEventListener('mouseleave', () => { this.hover = -1; this.draw(); this.describe(this.selected); });
    canvas.addEventListener('click', (e) => {
      const slot = this.slotAt(e);
      const bi = slot >= 0 ? this.blockAt[slot]! : -1;
      this.selected = slot;
      this.draw();
      this.describe(slot);
      if (bi >= 0 && this.frame) this.onSelect(this.frame.blocks.id[bi]!);
    });
    new ResizeObserver(() => this.relayout()).observe(canvas.parentElement!);
  }

  /** Slot of a block id, so the page can select a block by name. */
  selectBlock(id: number): void {
    const f = this.frame;
    if (!f) return;
    const bi = f.blocks.id.indexOf(id);
    if (bi < 0) return;
    this.selected = Math.floor(f.blocks.startPfn[bi]! / f.blockPages);
    this.draw();
    this.describe(this.selected);
  }

  setFrame(f: MapFrame): void {
    const relayout = !this.frame || this.frame.blockPages !== f.blockPages;
    this.frame = f;
    let maxPfn = 0;
    for (let i = 0; i < f.blocks.id.length; i++) maxPfn = Math.max(maxPfn, f.blocks.startPfn[i]! + f.blocks.nrPages[i]!);
    for (const r of f.removed) maxPfn = Math.max(maxPfn, r.startPfn + r.nrPages);
    const slots = Math.ceil(maxPfn / f.blockPages);
    if (slots !== this.layout.slots || relayout) { this.layout.slots = slots; this.computeLayout(); }
    this.blockAt = new Int32Array(slots).fill(-1);
    for (let i = 0; i < f.blocks.id.length; i++) {
      const first = Math.floor(f.blocks.startPfn[i]! / f.blockPages);
      const n = Math.max(1, Math.ceil(f.blocks.nrPages[i]! / f.blockPages));
      for (let s = first; s < first + n && s < slots; s++) this.blockAt[s] = i;
    }
    this.removedAt = new Uint8Array(slots);
    for (const r of f.removed) {
      for (let s = Math.floor(r.startPfn / f.blockPages); s < Math.ceil((r.startPfn + r.nrPages) / f.blockPages) && s < slots; s++) this.removedAt[s] = 1;
    }
    const byId = new Map<number, number>();
    f.blocks.id.forEach((id, i) => byId.set(id, i));
    this.secFirst = new Int32Array(f.blocks.id.length).fill(-1);
    this.secCount = new Int32Array(f.blocks.id.length);
    for (let j = 0; j < f.sections.nr.length; j++) {
      const bi = byId.get(f.sections.block[j]!);
      if (bi === undefined) continue;
      if (this.secFirst[bi] === -1) this.secFirst[bi] = j;
      this.secCount[bi]!++;
    }
    this.faultBlocks = new Set(f.faults.map((x) => x.block));
    const online = f.blocks.state.filter((s) => s === 1).length;
    this.summary.textContent = `${f.blocks.id.length} blocks of ${bytes(f.blockPages * f.pageSize)} · ${online} online · ${f.removed.length} removed range(s) · ${f.faults.length} fault(s)${f.tainted ? ' · TAINTED' : ''}`;
    this.draw();
    this.describe(this.hover >= 0 ? this.hover : this.selected);
  }

  private relayout(): void {
    if (!this.frame) return;
    this.computeLayout();
    this.draw();
  }

  private computeLayout(): void {
    const width = Math.max(200, this.canvas.parentElement!.clientWidth);
    const n = Math.max(1, this.layout.slots);
    const targetHeight = 380;
    const cell = Math.max(3, Math.min(40, Math.floor(Math.sqrt((width * targetHeight) / n))));
    const cols = Math.max(1, Math.floor(width / cell));
    const rows = Math.ceil(n / cols);
    this.layout = { cell, cols, rows, slots: this.layout.slots };
    // Exposed so a user script (and the browser tests) can find a block on the canvas.
    this.canvas.dataset.cell = String(cell);
    this.canvas.dataset.cols = String(cols);
    this.canvas.dataset.blockPages = String(this.frame?.blockPages ?? 0);
    const dpr = window.devicePixelRatio || 1;
    this.canvas.style.height = `${rows * cell}px`;
    this.canvas.style.width = `${cols * cell}px`;
    this.canvas.width = Math.ceil(cols * cell * dpr);
    this.canvas.height = Math.ceil(rows * cell * dpr);
  }

  private slotAt(e: MouseEvent): number {
    const r = this.canvas.getBoundingClientRect();
    const { cell, cols, slots } = this.layout;
    const cx = Math.floor((e.clientX - r.left) / cell);
    const cy = Math.floor((e.clientY - r.top) / cell);
    const slot = cy * cols + cx;
    return cx >= 0 && cx < cols && slot >= 0 && slot < slots ? slot : -1;
  }

  private xy(slot: number): [number, number] {
    const { cell, cols } = this.layout;
    return [(slot % cols) * cell, Math.floor(slot / cols) * cell];
  }

  private blockColor(f: MapFrame, bi: number): string {
    const st = f.blocks.state[bi]!;
    if (st === 0) return C.OFFLINE;
    if (st === 2) return C.GOING_OFFLINE;
    const z = f.blocks.zone[bi]!;
    return z >= 0 ? C.ZONE_COLORS[ZONE_CODES[z]!]! : C.ONLINE_NO_ZONE;
  }

  draw(): void {
    const f = this.frame;
    const ctx = this.canvas.getContext('2d');
    if (!f || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { cell, slots } = this.layout;
    const gap = cell >= 5 ? 1 : 0;
    const w = cell - gap;
    ctx.fillStyle = C.HOLE;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    for (let slot = 0; slot < slots; slot++) {
      const [x, y] = this.xy(slot);
      const bi = this.blockAt[slot]!;
      if (bi < 0) {
        if (this.removedAt[slot]) this.drawRemoved(ctx, x, y, w);
        continue;
      }
      ctx.fillStyle = this.blockColor(f, bi);
      ctx.fillRect(x, y, w, w);
      this.drawSections(ctx, f, bi, x, y, w);
      const vm = f.blocks.vmemmapPages[bi]!;
      const band = (w * vm) / f.blocks.nrPages[bi]!;
      // Below half a pixel (memmap_on_memory's 2 MiB of a 128 MiB block on a 3 px cell) a band would only stripe the map.
      if (vm > 0 && (band >= 0.5 || w >= 8)) {
        ctx.fillStyle = C.VMEMMAP;
        ctx.fillRect(x, y, Math.max(1, Math.round(band)), w);
      }
      if (this.faultBlocks.has(f.blocks.id[bi]!)) this.drawFault(ctx, x, y, w);
    }
    this.drawSelection(ctx, f);
  }

  private drawRemoved(ctx: CanvasRenderingContext2D, x: number, y: number, w: number): void {
    ctx.fillStyle = C.REMOVED;
    ctx.fillRect(x, y, w, w);
    if (w < 6) return;
    ctx.strokeStyle = '#a34a4a';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let d = -w; d < w; d += 4) { ctx.moveTo(x + Math.max(0, d), y + Math.max(0, -d)); ctx.lineTo(x + Math.min(w, d + w), y + Math.min(w, w - d)); }
    ctx.stroke();
  }

  private drawFault(ctx: CanvasRenderingContext2D, x: number, y: number, w: number): void {
    ctx.strokeStyle = C.FAULT;
    ctx.lineWidth = Math.max(1, w / 8);
    ctx.beginPath();
    ctx.moveTo(x + 1, y + 1); ctx.lineTo(x + w - 1, y + w - 1);
    ctx.moveTo(x + w - 1, y + 1); ctx.lineTo(x + 1, y + w - 1);
    ctx.stroke();
    if (w >= 6) ctx.strokeRect(x + 0.5, y + 0.5, w - 1, w - 1);
  }

  private drawSections(ctx: CanvasRenderingContext2D, f: MapFrame, bi: number, x: number, y: number, w: number): void {
    const first = this.secFirst[bi]!;
    const n = this.secCount[bi]!;
    if (first < 0) return;
    const sw = w / n;
    for (let k = 0; k < n; k++) {
      const j = first + k;
      const sx = x + k * sw;
      if (f.sections.state[j] === 0 && f.blocks.state[bi] === 1) { ctx.fillStyle = 'rgba(0,0,0,0.35)'; ctx.fillRect(sx, y, sw, w); }
      if (f.sections.memmapLost[j]) {
        // memmap in removed memory: red hatching over the state colour
        ctx.save();
        ctx.beginPath(); ctx.rect(sx, y, sw, w); ctx.clip();
        ctx.strokeStyle = C.FAULT;
        ctx.lineWidth = Math.max(1, w / 16);
        ctx.beginPath();
        for (let d = -w; d < sw + w; d += Math.max(3, w / 4)) { ctx.moveTo(sx + d, y + w); ctx.lineTo(sx + d + w, y); }
        ctx.stroke();
        ctx.restore();
      }
      const kind = f.sections.memmapKind[j]!;
      if (kind === 1 && w >= 6) {
        // regular memmap: a dot in the colour of the node that holds it
        const d = Math.max(2, Math.floor(w / 4));
        ctx.fillStyle = C.nodeColor(f.sections.memmapNode[j]!);
        ctx.fillRect(sx + sw - d - 1, y + w - d - 1, d, d);
      } else if (kind === 2 && w >= 6) {
        const head = f.sections.memmapHead[j]!;
        const inside = head >= f.blocks.startPfn[bi]! && head < f.blocks.startPfn[bi]! + f.blocks.nrPages[bi]!;
        if (!inside) {
          // memmap lives in another block (start of a DEVICE range): a violet corner
          const d = Math.max(2, Math.floor(w / 3));
          ctx.fillStyle = C.VMEMMAP;
          ctx.beginPath(); ctx.moveTo(sx + sw - d, y); ctx.lineTo(sx + sw, y); ctx.lineTo(sx + sw, y + d); ctx.fill();
        }
      }
      if (n > 1 && k > 0 && sw >= 3) { ctx.fillStyle = 'rgba(0,0,0,0.5)'; ctx.fillRect(sx, y, 1, w); }
    }
  }

  private drawSelection(ctx: CanvasRenderingContext2D, f: MapFrame): void {
    const slot = this.hover >= 0 ? this.hover : this.selected;
    if (slot < 0) return;
    const { cell } = this.layout;
    const [x, y] = this.xy(slot);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 1, y - 1, cell + 1, cell + 1);
    const bi = this.blockAt[slot]!;
    if (bi < 0 || this.secFirst[bi]! < 0) return;
    // Arrow to where this block's memmap lives when it is in another slot.
    const j = this.secFirst[bi]!;
    const head = f.sections.memmapHead[j]!;
    if (head < 0) return;
    const hs = Math.floor(head / f.blockPages);
    if (hs === slot) return;
    const [hx, hy] = this.xy(hs);
    ctx.strokeStyle = C.VMEMMAP;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x + cell / 2, y + cell / 2);
    ctx.lineTo(hx + cell / 2, hy + cell / 2);
    ctx.stroke();
    ctx.strokeRect(hx - 1, hy - 1, cell + 1, cell + 1);
  }

  private describe(slot: number): void {
    const f = this.frame;
    if (!f) return;
    if (slot < 0 || slot >= this.blockAt.length) { this.detail.textContent = 'Hover or click a block.'; return; }
    const bi = this.blockAt[slot]!;
    const pfn = slot * f.blockPages;
    if (bi < 0) {
      const removed = this.removedAt[slot] ? 'REMOVED (released from iomem)' : 'no memory';
      this.detail.textContent = `slot ${slot} @ ${hex(pfn * f.pageSize)}: ${removed}`;
      return;
    }
    const lines = [
      `memory${f.blocks.id[bi]} @ ${hex(f.blocks.startPfn[bi]! * f.pageSize)} · ${STATE_NAMES[f.blocks.state[bi]!]}` +
        `${f.blocks.zone[bi]! >= 0 ? ' ' + ZONE_CODES[f.blocks.zone[bi]!] : ''} · node ${f.blocks.node[bi]}` +
        `${f.blocks.vmemmapPages[bi] ? ` · ${f.blocks.vmemmapPages[bi]} vmemmap pages inside` : ''}` +
        `${f.blocks.flags[bi]! & 1 ? ' · boot' : ''}${f.blocks.flags[bi]! & 2 ? ' · pinned' : ''}`,
    ];
    const first = this.secFirst[bi]!;
    for (let k = 0; first >= 0 && k < this.secCount[bi]!; k++) {
      const j = first + k;
      const kind = f.sections.memmapKind[j]!;
      const where = kind === 2 ? `altmap head pfn ${hex(f.sections.memmapHead[j]!)} (memory${Math.floor(f.sections.memmapHead[j]! / f.blockPages)})`
        : `node ${f.sections.memmapNode[j]}`;
      lines.push(`  section${f.sections.nr[j]} ${f.sections.state[j] ? 'online' : 'present'} · memmap ${MEMMAP_NAMES[kind]} on ${where}${f.sections.memmapLost[j] ? ' · MEMMAP IN REMOVED MEMORY' : ''}`);
      if (k >= 7) { lines.push(`  … ${this.secCount[bi]! - 8} more sections`); break; }
    }
    for (const fault of f.faults) if (fault.block === f.blocks.id[bi]) lines.push(`  FAULT @seq ${fault.seq}: ${fault.message}`);
    this.detail.textContent = lines.join('\n');
  }
}

/** Legend entries; styles set through CSSOM because the CSP forbids inline style attributes. */
export function legend(el: HTMLElement, items: Array<[string, string]>): void {
  el.replaceChildren(...items.map(([color, label]) => {
    const span = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.style.background = color;
    span.append(swatch, label);
    return span;
  }));
}

export function mapLegend(el: HTMLElement, nodes: number[]): void {
  legend(el, [
    ...Object.entries(C.ZONE_COLORS).map(([z, c]): [string, string] => [c, `online ${z}`]),
    [C.OFFLINE, 'offline'], [C.GOING_OFFLINE, 'going offline'], [C.VMEMMAP, 'vmemmap (altmap)'],
    [C.REMOVED, 'removed'], [C.FAULT, 'fault / memmap lost'], [C.HOLE, 'no memory'],
    ...nodes.map((n): [string, string] => [C.nodeColor(n), `memmap on node ${n}`]),
  ]);
}
