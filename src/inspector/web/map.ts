/**
 * The memory map: the physical address space as one cell per memory-block
 * sized slot, drawn on a canvas so 32,768 blocks cost one draw call loop,
 * not 32,768 DOM nodes. Rows hold a power of two of blocks, so a row starts
 * at a round address (printed in the left gutter). Each cell shows the
 * block's state and zone, its sections and where its memmap lives:
 *  - an altmap: violet pages at the start of the block that holds them; the
 *    blocks it serves from elsewhere (a DEVICE range) get a violet corner and
 *    a violet rail along their top edge back to it — red once that memory is
 *    removed;
 *  - a regular memmap: a square in the colour of the node that holds it
 *    (hollow: boot memmap; ringed: a remote node);
 * removed ranges are hatched and faults crossed in red. Hovering or selecting
 * a block outlines its whole altmap group and points at its slice.
 */
import type { MapChange, MapView } from './model.ts';
import { ZONE_CODES } from '../protocol.ts';
import * as C from './colors.ts';
import { bytes, hex } from './format.ts';
import { AltmapIndex, sliceOf, type AltmapGroup } from './altmap.ts';
import { budget, nextTask } from './yield.ts';

const STATE_NAMES = ['offline', 'online', 'going-offline'];

interface Layout { cell: number; cols: number; rows: number; slots: number; gutter: number }

/** Width of the address column left of the cells. */
const GUTTER = 84;
/** Time a chunk of cell drawing may take before the main thread is handed back. */
const CHUNK_MS = 12;
/** The tallest the zoomed map's canvas may get, in CSS pixels (32,768 blocks at 16 px a cell fit). */
const MAX_HEIGHT = 16384;
/** Changed slots past which a patch's drawing starts in a task of its own. */
const BIG_CHANGE = 2048;

export class MemoryMap {
  private frame: MapView | null = null;
  private layout: Layout = { cell: 8, cols: 1, rows: 1, slots: 0, gutter: GUTTER };
  /** slot -> block index (-1 none); a block's index is its slot */
  private blockAt = new Int32Array(0);
  /** slot -> removed */
  private removedAt = new Uint8Array(0);
  /** block index -> first section number / count */
  private secFirst = new Int32Array(0);
  private secCount = new Int32Array(0);
  private faultBlocks = new Set<number>();
  private alt = new AltmapIndex();
  private hover = -1;
  /** cell size and columns the canvas is drawn with (-1 before the first layout) */
  private drawnCell = -1;
  private drawnCols = -1;
  private overlayCtx: CanvasRenderingContext2D | null;
  /** Full draws begun: a chunked draw stops when a newer full one has begun. */
  private fullDraws = 0;
  /** The canvas was just sized (which clears it to transparent): the next full draw paints all of it first. */
  private blank = true;
  private latestFull: Promise<void> = Promise.resolve();
  /** A map has been drawn to the end once: from then on cells are drawn in chunks. */
  private everDrawn = false;
  selected = -1;
  onSelect: (blockId: number) => void = () => {};
  /** A jump the details offer (a removed block: to its removal). */
  onJump: (seq: number) => void = () => {};
  /** The keyboard moved the block cursor: the first line of its details, for the page to announce. */
  onCursor: (text: string) => void = () => {};
  /** Cell size multiplier over the size that fits the panel (1 = fit); see computeLayout. */
  private zoom = 1;
  /** The zoom the layout could honour (a map taller than MAX_HEIGHT stops zooming in). */
  private maxZoom = 1;

  constructor(private canvas: HTMLCanvasElement, private overlay: HTMLCanvasElement, private detail: HTMLElement, private summary: HTMLElement, private actions?: HTMLElement) {
    this.overlayCtx = overlay.getContext('2d');
    // hover and selection are drawn on a canvas of their own: moving the mouse never redraws 32,768 cells
    canvas.addEventListener('mousemove', (e) => { this.hover = this.slotAt(e); this.drawOverlay(); this.describe(this.hover >= 0 ? this.hover : this.selected); });
    canvas.addEventListener('mouseleave', () => { this.hover = -1; this.drawOverlay(); this.describe(this.selected); });
    canvas.addEventListener('click', (e) => {
      const slot = this.slotAt(e);
      const bi = slot >= 0 ? this.blockAt[slot]! : -1;
      this.selected = slot;
      this.drawOverlay();
      this.describe(slot);
      if (bi >= 0 && this.frame) this.onSelect(this.frame.blocks.id[bi]!);
    });
    new ResizeObserver(() => this.relayout()).observe(canvas.parentElement!);
    const box = canvas.parentElement!;
    // Ctrl+wheel zooms around the block under the pointer; the plain wheel scrolls the map as any list
    box.addEventListener('wheel', (e) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      this.zoomBy(e.deltaY < 0 ? 2 : 0.5, this.slotAt(e), e.clientY);
    }, { passive: false });
    box.addEventListener('keydown', (e) => { if (this.key(e)) { e.preventDefault(); e.stopPropagation(); } });
    box.addEventListener('blur', () => { this.updateLabel(); });
  }

  /** Zoom by a factor (2: twice the cell size), keeping `anchor` (a slot) where it is on screen, or the selected block in view. */
  zoomBy(factor: number, anchor = this.selected, clientY?: number): void {
    if (!this.frame) return;
    const next = Math.max(1, Math.min(this.maxZoom, this.zoom * factor));
    if (next === this.zoom) return;
    const box = this.canvas.parentElement!;
    const r = box.getBoundingClientRect();
    const offset = anchor >= 0 ? (clientY ?? r.top + box.clientHeight / 2) - r.top : 0;
    this.zoom = next;
    this.computeLayout();
    void this.draw();
    this.drawOverlay();
    if (anchor >= 0) box.scrollTop = Math.max(0, this.xy(anchor)[1] + this.layout.cell / 2 - offset);
    this.updateLabel();
  }

  zoomFit(): void {
    if (this.zoom === 1) return;
    this.zoom = 1;
    this.relayout();
    this.updateLabel();
  }

  /** The focused map's keys: arrows move the block cursor, Enter selects the block, + − zoom, 0 fits. */
  private key(e: KeyboardEvent): boolean {
    const f = this.frame;
    if (!f || e.altKey || e.ctrlKey || e.metaKey) return false;
    const { cols, slots, cell } = this.layout;
    const box = this.canvas.parentElement!;
    const page = Math.max(1, Math.floor(box.clientHeight / cell)) * cols;
    const at = this.selected >= 0 ? this.selected : Math.max(0, this.firstVisibleSlot());
    const moves: Record<string, number> = {
      ArrowLeft: at - 1, ArrowRight: at + 1, ArrowUp: at - cols, ArrowDown: at + cols,
      PageUp: at - page, PageDown: at + page, Home: 0, End: slots - 1,
    };
    if (e.key in moves) {
      this.moveCursor(Math.max(0, Math.min(slots - 1, moves[e.key]!)));
      return true;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      const bi = at >= 0 ? this.blockAt[at]! : -1;
      if (bi >= 0) this.onSelect(f.blocks.id[bi]!);
      else if (this.removalOf(at)) this.onJump(this.removalOf(at)!.seq!);
      return true;
    }
    if (e.key === '+' || e.key === '=') { this.zoomBy(2); return true; }
    if (e.key === '-') { this.zoomBy(0.5); return true; }
    if (e.key === '0') { this.zoomFit(); return true; }
    return false;
  }

  private firstVisibleSlot(): number {
    const box = this.canvas.parentElement!;
    return Math.floor(box.scrollTop / this.layout.cell) * this.layout.cols;
  }

  /** Put the block cursor on a slot (the selection), scroll it into view, and announce it. */
  private moveCursor(slot: number): void {
    this.selected = slot;
    const box = this.canvas.parentElement!;
    const [, y] = this.xy(slot);
    if (y < box.scrollTop) box.scrollTop = y;
    else if (y + this.layout.cell > box.scrollTop + box.clientHeight) box.scrollTop = y + this.layout.cell - box.clientHeight;
    this.drawOverlay();
    this.describe(slot);
    this.onCursor((this.detail.textContent ?? '').split('\n').slice(0, 3).join('; '));
  }

  /** The removed range a slot is in, with the seq of the release that removed it. */
  private removalOf(slot: number): { startPfn: number; nrPages: number; seq?: number } | undefined {
    const f = this.frame;
    if (!f || slot < 0) return undefined;
    const pfn = slot * f.blockPages;
    return f.removed.find((r) => pfn >= r.startPfn && pfn < r.startPfn + r.nrPages);
  }

  /** The map's accessible name: what it shows and how to use it from the keyboard. */
  private updateLabel(): void {
    const box = this.canvas.parentElement!;
    const f = this.frame;
    const label = `Memory map: ${this.summary.textContent ?? ''}. ${f ? `${this.layout.cols} blocks per row, zoom ${this.zoom}×. ` : ''}Arrow keys move the block cursor, Enter selects the block, plus and minus zoom, 0 fits the map.`;
    if (box.getAttribute('aria-label') !== label) box.setAttribute('aria-label', label);
  }

  /** Slot of a block id, so the page can select a block by name. */
  selectBlock(id: number): void {
    const f = this.frame;
    if (!f || id >= f.cap || !f.blocks.present[id]) return;
    this.selected = id;
    this.drawOverlay();
    this.describe(this.selected);
  }

  private indexSlot(f: MapView, slot: number): void {
    const present = slot < f.cap && f.blocks.present[slot] === 1;
    this.blockAt[slot] = present ? slot : -1;
    const spb = f.sectionsPerBlock;
    let first = -1;
    let n = 0;
    if (present) for (let nr = slot * spb; nr < (slot + 1) * spb && nr < f.sections.present.length; nr++) {
      if (!f.sections.present[nr]) continue;
      if (first < 0) first = nr;
      n = nr - first + 1;
    }
    this.secFirst[slot] = first;
    this.secCount[slot] = n;
  }

  /**
   * Show the model's world. `change` (from MapModel.apply) names the slots
   * that differ from what is drawn; only those cells are drawn again unless
   * the layout or an altmap rail across blocks changed.
   */
  async update(f: MapView, change: MapChange | null): Promise<void> {
    const relayout = !this.frame || this.frame.blockPages !== f.blockPages;
    this.frame = f;
    let top = f.cap;
    while (top > 0 && !f.blocks.present[top - 1]) top--;
    let maxPfn = top * f.blockPages;
    for (const r of f.removed) maxPfn = Math.max(maxPfn, r.startPfn + r.nrPages);
    // a patch never shrinks the map (an address range coming and going would redraw it all); a full map fits anew
    const slots = change && !change.full ? Math.max(this.layout.slots, Math.ceil(maxPfn / f.blockPages)) : Math.ceil(maxPfn / f.blockPages);
    let full = !change || change.full || relayout;
    const shown = this.layout.slots;
    // more slots: the canvas is drawn again only if its rows or cells changed (else the new slots were blank and their blocks are dirty)
    if (slots !== this.layout.slots || relayout) { this.layout.slots = slots; if (this.computeLayout()) full = true; }
    const n = Math.max(slots, f.cap);
    if (full) {
      this.blockAt = new Int32Array(n).fill(-1);
      this.secFirst = new Int32Array(n).fill(-1);
      this.secCount = new Int32Array(n);
      for (let slot = 0; slot < n; slot++) this.indexSlot(f, slot);
    } else {
      if (this.blockAt.length < n) {
        // the map grew: keep what is indexed, the new slots are empty until their (dirty) blocks are indexed below
        const grow = <T extends Int32Array>(a: T, fill: number): T => { const b = new Int32Array(n).fill(fill) as T; b.set(a); return b; };
        this.blockAt = grow(this.blockAt, -1);
        this.secFirst = grow(this.secFirst, -1);
        this.secCount = grow(this.secCount, 0);
      }
      for (const slot of change!.slots) if (slot < this.blockAt.length) this.indexSlot(f, slot);
    }
    if (full || change!.removed || this.removedAt.length !== n) {
      this.removedAt = new Uint8Array(n);
      for (const r of f.removed) {
        for (let s = Math.floor(r.startPfn / f.blockPages); s < Math.ceil((r.startPfn + r.nrPages) / f.blockPages) && s < this.removedAt.length; s++) this.removedAt[s] = 1;
      }
    }
    this.faultBlocks = new Set(f.faults.map((x) => x.block));
    // altmap groups follow the vmemmap heads and the sections pointing at them: only the ones the patch touched are built again
    let changed: { before: AltmapGroup[]; after: AltmapGroup[] } | null = null;
    if (full) this.alt.rebuild(f, this.secFirst);
    else {
      this.alt.grow(this.secFirst.length);
      changed = this.alt.update(f, this.secFirst, change!.slots, change!.heads);
    }
    let online = 0;
    for (let i = 0; i < f.cap; i++) if (f.blocks.present[i] && f.blocks.state[i] === 1) online++;
    this.summary.textContent = `${f.count} blocks of ${bytes(f.blockPages * f.pageSize)} · ${online} online · ${f.removed.length} removed range(s) · ${f.faults.length} fault(s)${f.tainted ? ' · TAINTED' : ''}`;
    // a rail across blocks (a DEVICE range) is drawn over many cells: a change in one of its blocks redraws everything
    // (a block whose group changed is in changed.before/after; one whose group did not is railed before iff after)
    const railed = (g: AltmapGroup | null) => g !== null && g.remote.length > 0;
    if (!full && changed && (changed.before.some(railed) || changed.after.some(railed) || change!.slots.some((s) => railed(this.alt.groupOf(s))))) full = true;
    this.drawOverlay();
    this.describe(this.hover >= 0 ? this.hover : this.selected);
    // after a far jump (thousands of slots) the index and altmap update above are a task of their own; the cells follow
    if (this.everDrawn && (full || change!.slots.length > BIG_CHANGE)) await nextTask();
    if (full) await this.draw();
    else {
      // slots that came onto the map are drawn too (a lost altmap band may sit in one no block of the patch names)
      const fresh: number[] = [];
      for (let s = shown; s < slots; s++) fresh.push(s);
      await this.drawSlots(fresh.length ? [...new Set([...change!.slots, ...fresh])] : change!.slots);
    }
    await this.settled();
  }

  private relayout(): void {
    if (!this.frame) return;
    this.computeLayout();
    void this.draw();
    this.drawOverlay();
  }

  /** Fit the cells to the panel; true when the canvas changed size (and was cleared: draw it all). */
  private computeLayout(): boolean {
    const avail = Math.max(200, this.canvas.parentElement!.clientWidth - 4);
    const n = Math.max(1, this.layout.slots);
    const targetHeight = 380;
    const gutter = GUTTER;
    const fitted = Math.max(3, Math.min(40, Math.floor(Math.sqrt(((avail - gutter) * targetHeight) / n))));
    // A power of two of blocks per row: every row starts at a round physical address.
    const layoutAt = (target: number) => {
      const fit = Math.max(1, Math.floor((avail - gutter) / target));
      const cols = Math.min(2 ** Math.floor(Math.log2(fit)), 2 ** Math.ceil(Math.log2(n)));
      const cell = Math.max(3, Math.min(40, Math.floor((avail - gutter) / cols)));
      return { cols, cell, rows: Math.ceil(n / cols) };
    };
    // zoomed in, the cells grow and the rows get fewer blocks; a canvas past MAX_HEIGHT would be megabytes of pixels
    let z = this.zoom;
    let l = layoutAt(Math.min(40, fitted * z));
    while (z > 1 && l.rows * l.cell > MAX_HEIGHT) { z /= 2; l = layoutAt(Math.min(40, fitted * z)); }
    this.zoom = z;
    const bigger = layoutAt(Math.min(40, fitted * z * 2));
    this.maxZoom = bigger.cell > l.cell && bigger.rows * bigger.cell <= MAX_HEIGHT ? z * 2 : z;
    const { cols, cell, rows } = l;
    this.layout = { cell, cols, rows, slots: this.layout.slots, gutter };
    // Exposed so a user script (and the browser tests) can find a block on the canvas.
    this.canvas.dataset.cell = String(cell);
    this.canvas.dataset.cols = String(cols);
    this.canvas.dataset.originX = String(gutter);
    this.canvas.dataset.blockPages = String(this.frame?.blockPages ?? 0);
    const dpr = window.devicePixelRatio || 1;
    const w = gutter + cols * cell;
    const width = Math.ceil(w * dpr);
    const height = Math.ceil(rows * cell * dpr);
    this.canvas.style.height = `${rows * cell}px`;
    this.canvas.style.width = `${w}px`;
    this.overlay.style.height = this.canvas.style.height;
    this.overlay.style.width = this.canvas.style.width;
    // same cells, same rows: the drawing stands (setting a canvas's size clears it, even to the size it has)
    if (width === this.canvas.width && height === this.canvas.height && width === this.overlay.width && height === this.overlay.height && cell === this.drawnCell && cols === this.drawnCols) return false;
    this.drawnCell = cell;
    this.drawnCols = cols;
    this.canvas.width = width;
    this.canvas.height = height;
    this.blank = true;
    this.overlay.width = width;
    this.overlay.height = height;
    return true;
  }

  private slotAt(e: MouseEvent): number {
    const r = this.canvas.getBoundingClientRect();
    const { cell, cols, slots, gutter } = this.layout;
    const cx = Math.floor((e.clientX - r.left - gutter) / cell);
    const cy = Math.floor((e.clientY - r.top) / cell);
    const slot = cy * cols + cx;
    return cx >= 0 && cx < cols && slot >= 0 && slot < slots ? slot : -1;
  }

  private xy(slot: number): [number, number] {
    const { cell, cols, gutter } = this.layout;
    return [gutter + (slot % cols) * cell, Math.floor(slot / cols) * cell];
  }

  private blockColor(f: MapView, bi: number): string {
    const st = f.blocks.state[bi]!;
    if (st === 0) return C.OFFLINE;
    if (st === 2) return C.GOING_OFFLINE;
    const z = f.blocks.zone[bi]!;
    return z >= 0 ? C.ZONE_COLORS[ZONE_CODES[z]!]! : C.ONLINE_NO_ZONE;
  }

  /**
   * Everything on the base canvas. 32,768 cells take longer than a task
   * should (more so on a loaded machine), so they are drawn in chunks with
   * the main thread handed back in between (yield.ts); each cell clears its
   * own square, so until the last chunk the map shows old and new cells, never
   * a blank one. A full draw begun meanwhile (a resize) takes over.
   */
  draw(): Promise<void> {
    const p = this.drawAll();
    this.latestFull = p;
    return p;
  }

  /** Resolves once the latest full draw (a resize may begin one while another runs) has finished. */
  private async settled(): Promise<void> {
    for (let p = this.latestFull; ; p = this.latestFull) {
      await p;
      if (p === this.latestFull) return;
    }
  }

  private async drawAll(): Promise<void> {
    const f = this.frame;
    const ctx = this.canvas.getContext('2d');
    if (!f || !ctx) return;
    const gen = ++this.fullDraws;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { cell, cols, rows, slots, gutter } = this.layout;
    ctx.fillStyle = C.HOLE;
    if (this.blank) ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.blank = false;
    // what no cell covers: past the last slot of the last row, and the strip between the gutter and the cells
    const [ex, ey] = this.xy(slots);
    if (slots % cols !== 0) ctx.fillRect(ex, ey, cols * cell - (ex - gutter), cell);
    ctx.fillRect(gutter - 2, 0, 2, rows * cell);
    this.drawGutter(ctx, f);
    const all = Array.from({ length: slots }, (_, i) => i);
    if (!(await this.drawCells(ctx, f, all, () => gen !== this.fullDraws))) return;
    this.drawAltmaps(ctx, cell - (cell >= 5 ? 1 : 0));
  }

  /** Only these cells (and the lost altmap bands drawn in them). */
  private async drawSlots(slots: number[]): Promise<void> {
    const f = this.frame;
    const ctx = this.canvas.getContext('2d');
    if (!f || !ctx) return;
    const gen = this.fullDraws;
    const { cell } = this.layout;
    const on = slots.filter((s) => s < this.layout.slots);
    if (!(await this.drawCells(ctx, f, on, () => gen !== this.fullDraws))) return;
    this.drawAltmaps(ctx, cell - (cell >= 5 ? 1 : 0), new Set(on));
  }

  /** Draw cells, yielding whenever a chunk has used its budget; false when a newer full draw took over. */
  private async drawCells(ctx: CanvasRenderingContext2D, f: MapView, slots: number[], superseded: () => boolean): Promise<boolean> {
    // The first map is drawn in one go: nothing is on the page to respond yet, and every chunk boundary
    // would let the browser lay out and paint the half-loaded page once more before the map shows.
    const clock = budget(this.everDrawn ? CHUNK_MS : Infinity);
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    for (let i = 0; i < slots.length; i++) {
      if ((i & 255) === 255 && clock.spent()) {
        await nextTask();
        if (superseded()) return false;
        clock.reset();
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      }
      // the layout may have changed while yielding (a resize draws it all anew and supersedes this): read per cell
      const cell = this.layout.cell;
      this.drawCell(ctx, f, slots[i]!, cell - (cell >= 5 ? 1 : 0), true);
    }
    this.everDrawn = true;
    return !superseded();
  }

  private drawCell(ctx: CanvasRenderingContext2D, f: MapView, slot: number, w: number, clear: boolean): void {
    const [x, y] = this.xy(slot);
    if (clear) { ctx.fillStyle = C.HOLE; ctx.fillRect(x, y, this.layout.cell, this.layout.cell); }
    const bi = this.blockAt[slot]!;
    if (bi < 0) {
      if (this.removedAt[slot]) this.drawRemoved(ctx, x, y, w);
      return;
    }
    ctx.fillStyle = this.blockColor(f, bi);
    ctx.fillRect(x, y, w, w);
    this.drawSections(ctx, f, bi, x, y, w);
    const vm = f.blocks.vmemmapPages[bi]!;
    // Below half a pixel (memmap_on_memory's 2 MiB of a 128 MiB block on a 3 px cell) a band would only stripe the map.
    if (vm > 0 && ((w * vm) / f.blocks.nrPages[bi]! >= 0.5 || w >= 8)) {
      ctx.fillStyle = C.VMEMMAP;
      ctx.fillRect(x, y, this.bandWidth(vm, w), w);
    }
    if (this.faultBlocks.has(f.blocks.id[bi]!)) this.drawFault(ctx, x, y, w);
  }

  /** Hover and selection, on their own canvas over the map. */
  private drawOverlay(): void {
    const f = this.frame;
    const ctx = this.overlayCtx;
    if (!f || !ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.drawSelection(ctx, f);
  }

  /** Row start addresses, as many as fit without overlapping. */
  private drawGutter(ctx: CanvasRenderingContext2D, f: MapView): void {
    const { cell, cols, rows, gutter } = this.layout;
    ctx.fillStyle = C.HOLE;
    ctx.fillRect(0, 0, gutter - 2, rows * cell);
    ctx.fillStyle = '#8a919c';
    ctx.font = '10px ui-monospace, monospace';
    ctx.textBaseline = 'top';
    // a power of two of rows between labels, so the labelled addresses stay round
    const every = 2 ** Math.ceil(Math.log2(Math.ceil(14 / cell)));
    for (let r = 0; r < rows; r += every) {
      const addr = r * cols * f.blockPages * f.pageSize;
      ctx.fillText(hex(addr), 2, r * cell + Math.max(0, (cell - 11) / 2));
    }
    ctx.textBaseline = 'alphabetic';
  }

  /**
   * The altmaps: vmemmap pages of a removed head block (the present ones are
   * drawn with their block), and for a group serving other blocks a rail
   * along the top of those cells back to the head, with a tick into each.
   */
  private drawAltmaps(ctx: CanvasRenderingContext2D, w: number, only?: Set<number>): void {
    const { cell } = this.layout;
    for (const g of this.alt.groups) {
      if (only && !only.has(g.headSlot)) continue;
      const lost = g.orphaned || (this.blockAt[g.headSlot] ?? -1) < 0;
      const bandW = this.bandWidth(g.nrPages, w);
      if (lost && g.headSlot < this.layout.slots) {
        // the pages are gone with the removed memory: draw where they were, outlined in red
        const [x, y] = this.xy(g.headSlot);
        ctx.fillStyle = C.VMEMMAP_LOST;
        ctx.fillRect(x, y, bandW, w);
        if (w >= 8) { ctx.strokeStyle = C.FAULT; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, bandW - 1, w - 1); }
      }
      if (g.remote.length === 0 || cell < 6) continue;
      ctx.strokeStyle = lost ? C.FAULT : C.VMEMMAP;
      ctx.fillStyle = ctx.strokeStyle;
      const lw = cell >= 16 ? 2 : 1;
      ctx.lineWidth = lw;
      const last = g.remote[g.remote.length - 1]!;
      const [hx] = this.xy(g.headSlot);
      const ry = (slot: number) => this.xy(slot)[1] + lw / 2 + 1;
      ctx.beginPath();
      // the rail, row by row, from the head's band to the last block served
      for (let s = g.headSlot; s <= last;) {
        const rowEnd = Math.min(last, s - (s % this.layout.cols) + this.layout.cols - 1);
        const [x0] = this.xy(s);
        const [x1] = this.xy(rowEnd);
        ctx.moveTo(s === g.headSlot ? x0 + bandW : x0, ry(s));
        ctx.lineTo(rowEnd === last ? x1 + cell / 2 : x1 + cell, ry(s));
        s = rowEnd + 1;
      }
      for (const s of g.remote) {
        const [x, y] = this.xy(s);
        ctx.moveTo(x + cell / 2, ry(s));
        ctx.lineTo(x + cell / 2, y + Math.max(3, cell / 4));
      }
      ctx.stroke();
      // an arrowhead into the band: the struct pages live there
      if (cell >= 10) {
        const ax = hx + bandW;
        const ay = ry(g.headSlot);
        ctx.beginPath();
        ctx.moveTo(ax, ay); ctx.lineTo(ax + 6, ay - 3.5); ctx.lineTo(ax + 6, ay + 3.5);
        ctx.fill();
      }
    }
  }

  /** Width on the map of n vmemmap pages at the start of a block (visible at any cell size). */
  private bandWidth(nrPages: number, w: number): number {
    const f = this.frame!;
    const exact = (w * nrPages) / f.blockPages;
    return Math.min(w, w >= 8 ? Math.max(3, Math.round(exact)) : Math.max(1, Math.round(exact)));
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

  private drawSections(ctx: CanvasRenderingContext2D, f: MapView, bi: number, x: number, y: number, w: number): void {
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
      if (kind !== 2 && w >= 6) {
        // regular memmap: a square in the colour of the node that holds it;
        // hollow for the boot memmap, ringed white when that node is not the block's own
        const d = Math.max(3, Math.floor(w / 4));
        const node = f.sections.memmapNode[j]!;
        const dx = sx + sw - d - 2;
        const dy = y + w - d - 2;
        ctx.fillStyle = C.nodeColor(node);
        ctx.strokeStyle = C.nodeColor(node);
        ctx.lineWidth = 1;
        if (kind === 1) ctx.fillRect(dx, dy, d, d);
        else ctx.strokeRect(dx + 0.5, dy + 0.5, d - 1, d - 1);
        if (node !== f.blocks.node[bi]) { ctx.strokeStyle = '#fff'; ctx.strokeRect(dx - 1.5, dy - 1.5, d + 3, d + 3); }
      } else if (kind === 2 && w >= 6) {
        const head = f.sections.memmapHead[j]!;
        const inside = head >= f.blocks.startPfn[bi]! && head < f.blocks.startPfn[bi]! + f.blocks.nrPages[bi]!;
        if (!inside) {
          // memmap lives in another block (start of a DEVICE range): a violet corner (red once that memory is gone)
          const d = Math.max(3, Math.floor(w / 3));
          ctx.fillStyle = f.sections.memmapLost[j] ? C.FAULT : C.VMEMMAP;
          ctx.beginPath(); ctx.moveTo(sx + sw - d, y); ctx.lineTo(sx + sw, y); ctx.lineTo(sx + sw, y + d); ctx.fill();
        }
      }
      if (n > 1 && k > 0 && sw >= 3) { ctx.fillStyle = 'rgba(0,0,0,0.5)'; ctx.fillRect(sx, y, 1, w); }
    }
  }

  private drawSelection(ctx: CanvasRenderingContext2D, f: MapView): void {
    const slot = this.hover >= 0 ? this.hover : this.selected;
    if (slot < 0) return;
    const { cell } = this.layout;
    const [x, y] = this.xy(slot);
    const bi = this.blockAt[slot]!;
    const g = bi >= 0 ? this.alt.groupOf(bi) : null;
    if (g && (g.remote.length > 0)) {
      // the whole altmap group: every block whose struct pages share that altmap, dashed
      ctx.strokeStyle = C.VMEMMAP;
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 2]);
      for (const s of [g.headSlot, ...g.remote]) { const [gx, gy] = this.xy(s); ctx.strokeRect(gx + 0.5, gy + 0.5, cell - 2, cell - 2); }
      ctx.setLineDash([]);
    }
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 1, y - 1, cell + 1, cell + 1);
    if (!g || g.headSlot === slot) return;
    // An arrow from the block to its slice of the altmap (where its struct pages are).
    const band = this.bandWidth(g.nrPages, cell - (cell >= 5 ? 1 : 0));
    const slice = sliceOf(f, g, f.sections.nr[this.secFirst[bi]!]!) ?? [0, 1];
    const [hx, hy] = this.xy(g.headSlot);
    const tx = hx + band / 2;
    const ty = hy + cell * ((slice[0] + slice[1]) / 2);
    const lost = g.orphaned || (this.blockAt[g.headSlot] ?? -1) < 0;
    ctx.strokeStyle = lost ? C.FAULT : '#fff';
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = 2;
    const sx = x + cell / 2;
    const sy = y + cell / 2;
    const mx = (sx + tx) / 2;
    const my = Math.min(sy, ty) - Math.max(cell, Math.abs(sx - tx) / 4);
    ctx.beginPath();
    ctx.moveTo(sx, sy);
    ctx.quadraticCurveTo(mx, Math.max(2, my), tx, ty);
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(tx, ty, 3, 0, Math.PI * 2);
    ctx.fill();
    ctx.strokeRect(hx + 0.5, hy + cell * slice[0], band, Math.max(2, cell * (slice[1] - slice[0])));
  }

  /** Under the details: a jump to the removal of the removed block shown (null: nothing to offer). */
  private shownRemoval: number | null = null;
  private showActions(removalSeq: number | null): void {
    if (!this.actions || removalSeq === this.shownRemoval) return;
    this.shownRemoval = removalSeq;
    if (removalSeq === null) { this.actions.replaceChildren(); return; }
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.seq = String(removalSeq);
    b.textContent = `go to its removal (seq ${removalSeq})`;
    b.title = 'the step that released this memory from iomem';
    b.addEventListener('click', () => this.onJump(removalSeq));
    this.actions.replaceChildren(b);
  }

  private describe(slot: number): void {
    const f = this.frame;
    if (!f) return;
    this.updateLabel();
    if (f.count === 0 || slot < 0) this.showActions(null);
    if (f.count === 0) { this.detail.textContent = 'No memory at this step (seq 0 is the machine before its boot op): step on with → or press End.'; return; }
    if (slot < 0 || slot >= this.blockAt.length) { this.detail.textContent = 'Hover or click a block: its state, zone, sections and where their struct pages live.'; return; }
    const bi = this.blockAt[slot]!;
    const pfn = slot * f.blockPages;
    const served = (g: { remote: number[]; headSlot: number }) => {
      const ids = [g.headSlot, ...g.remote].filter((s) => s !== slot && (this.blockAt[s] ?? -1) >= 0).map((s) => f.blocks.id[this.blockAt[s]!]!);
      return ids.length === 0 ? '' : ids.length > 3 && ids[ids.length - 1]! - ids[0]! === ids.length - 1 ? `memory${ids[0]}–${ids[ids.length - 1]}` : ids.map((i) => `memory${i}`).join(' ');
    };
    const held = this.alt.groups.filter((g) => g.headSlot === slot);
    const removal = bi < 0 && this.removedAt[slot] ? this.removalOf(slot) : undefined;
    this.showActions(removal?.seq !== undefined ? removal.seq : null);
    if (bi < 0) {
      const removed = this.removedAt[slot] ? `REMOVED (released from iomem${removal?.seq !== undefined ? ` at seq ${removal.seq}` : ''})` : 'no memory';
      const lines = [`slot ${slot} @ ${hex(pfn * f.pageSize)} (memory${slot}): ${removed}`];
      for (const g of held) {
        const who = served(g);
        lines.push(`  held the altmap at pfn ${hex(g.headPfn)} (${g.nrPages} vmemmap pages)${who ? ` with the struct pages of ${who}: they point into removed memory` : ''}`);
      }
      this.detail.textContent = lines.join('\n');
      return;
    }
    const lines = [
      `memory${f.blocks.id[bi]} @ ${hex(f.blocks.startPfn[bi]! * f.pageSize)} · ${STATE_NAMES[f.blocks.state[bi]!]}` +
        `${f.blocks.zone[bi]! >= 0 ? ' ' + ZONE_CODES[f.blocks.zone[bi]!] : ''} · node ${f.blocks.node[bi]}` +
        `${f.blocks.vmemmapPages[bi] ? ` · ${f.blocks.vmemmapPages[bi]} vmemmap pages inside` : ''}` +
        `${f.blocks.flags[bi]! & 1 ? ' · boot' : ''}${f.blocks.flags[bi]! & 2 ? ' · pinned' : ''}`,
    ];
    for (const g of held) {
      const who = served(g);
      if (who) lines.push(`  holds the altmap at pfn ${hex(g.headPfn)}: ${g.nrPages} pages, struct pages of this block and ${who}`);
    }
    const group = this.alt.groupOf(bi);
    const first = this.secFirst[bi]!;
    for (let k = 0; first >= 0 && k < this.secCount[bi]!; k++) {
      const j = first + k;
      const kind = f.sections.memmapKind[j]!;
      let where: string;
      if (kind === 2) {
        const head = f.sections.memmapHead[j]!;
        const slice = group ? sliceOf(f, group, f.sections.nr[j]!) : null;
        const pages = slice && group ? ` pages ${Math.round(slice[0] * group.nrPages)}–${Math.round(slice[1] * group.nrPages) - 1} of ${group.nrPages}` : '';
        where = `in the altmap @ pfn ${hex(head)} (memory${Math.floor(head / f.blockPages)})${pages ? ',' + pages : ''}`;
      } else {
        const node = f.sections.memmapNode[j]!;
        where = `on node ${node}${node !== f.blocks.node[bi] ? ` (remote: the block is on node ${f.blocks.node[bi]})` : ''}`;
      }
      lines.push(`  section${f.sections.nr[j]} ${f.sections.state[j] ? 'online' : 'present'} · memmap${kind === 0 ? ' (boot)' : ''} ${where}${f.sections.memmapLost[j] ? ' · MEMMAP IN REMOVED MEMORY' : ''}`);
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
  // the same nodes as last time (every step but a node's arrival): the legend stands
  const key = nodes.join(',');
  if (el.dataset.nodes === key) return;
  el.dataset.nodes = key;
  legend(el, [
    ...Object.entries(C.ZONE_COLORS).map(([z, c]): [string, string] => [c, `online ${z}`]),
    [C.OFFLINE, 'offline'], [C.GOING_OFFLINE, 'going offline'],
    [C.VMEMMAP, 'vmemmap pages (altmap); corner + rail: memmap lives there'], [C.VMEMMAP_LOST, 'vmemmap in removed memory'],
    [C.REMOVED, 'removed'], [C.FAULT, 'fault / memmap lost'], [C.HOLE, 'no memory'],
    ...nodes.map((n): [string, string] => [C.nodeColor(n), `memmap on node ${n} (■ hot-add, □ boot)`]),
  ]);
}
