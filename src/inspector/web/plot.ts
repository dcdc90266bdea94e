/**
 * Accounting over the log, one column per operation (boot is one column,
 * not most of the plot): present, managed and memmap pages per node (or
 * present and managed per zone) after each operation. The y axis fits the
 * operations in view; the wheel zooms, a drag selects a range, a double
 * click shows the whole log again. Hover for the values; a click selects
 * that operation. The operation the cursor is in is shaded.
 *
 * Below it, a table of the counters at the cursor per node and zone, with
 * the cells the selected step changed highlighted (before → after).
 */
import type { OpSample, OpSeries, WorldChange } from '../backend.ts';
import type { MapView } from './model.ts';
import { Api, latestOnly } from './rpc.ts';
import { legend } from './map.ts';
import * as C from './colors.ts';
import { el } from './format.ts';

interface Series { key: string; label: string; color: string; dash: number[]; get: (s: OpSample) => number | undefined }

const POINTS = 600;
const L = 58, R = 10, T = 8, B = 20;

/** 1,088K pages -> "1088K", 532,480 -> "520K", 4096 -> "4096" */
export function pages(n: number): string {
  if (Math.abs(n) >= 10 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)}M`;
  if (Math.abs(n) >= 100 * 1024) return `${Math.round(n / 1024)}K`;
  return String(n);
}

export class AccountingPlot {
  private data: OpSeries | null = null;
  private view = { from: 0, to: 0 };
  private cursorOp = -1;
  private cursorSeq = 0;
  private hoverX: number | null = null;
  private drag: { x0: number; x1: number } | null = null;
  private hidden = new Set<string>();
  mode: 'nodes' | 'zones' = 'nodes';
  /**
   * The y axis: `values` spans the counters in view; `change` plots each counter's change since the first
   * operation in view; `auto` (the default) takes `change` when the series differ so much in size that on one
   * value axis every change in view would be a flat line (a 262,144-page cycle beside 268M present pages).
   */
  yScale: 'auto' | 'values' | 'change' = 'auto';
  /** The operation a keyboard user points at (as the mouse's hover does), -1 none. */
  private keyOp = -1;
  onPick: (seq: number) => void = () => {};
  private fetch: (v: { from: number; to: number }) => void;

  constructor(private api: Api, private canvas: HTMLCanvasElement, private legendEl: HTMLElement, private tip: HTMLElement, private range: HTMLElement) {
    this.fetch = latestOnly(
      (v: { from: number; to: number }) => api.call('accountingByOp', { fromOp: v.from, toOp: v.to, points: POINTS }),
      (d) => { this.data = d; this.setCursor(this.cursorSeq); this.draw(); },
      (e) => console.error(e),
    );
    canvas.addEventListener('mousedown', (e) => { this.drag = { x0: this.localX(e), x1: this.localX(e) }; });
    canvas.addEventListener('mousemove', (e) => {
      this.hoverX = this.localX(e);
      if (this.drag) this.drag.x1 = this.hoverX;
      this.draw();
    });
    canvas.addEventListener('mouseleave', () => { this.hoverX = null; this.tip.hidden = true; this.draw(); });
    window.addEventListener('mouseup', (e) => {
      const d = this.drag;
      this.drag = null;
      if (!d || e.target !== canvas) return this.draw();
      if (Math.abs(d.x1 - d.x0) < 4) {
        const s = this.sampleAt(d.x0);
        if (s) this.onPick(s.seq);
        return;
      }
      // a brushed range: zoom into those operations
      const a = this.opAt(Math.min(d.x0, d.x1));
      const b = this.opAt(Math.max(d.x0, d.x1));
      this.zoomTo(a, b);
    });
    canvas.addEventListener('dblclick', () => this.resetZoom());
    canvas.addEventListener('wheel', (e) => {
      if (!this.data) return;
      e.preventDefault();
      const at = this.opAt(this.localX(e));
      const span = this.view.to - this.view.from + 1;
      const next = Math.max(2, Math.round(span * (e.deltaY < 0 ? 0.6 : 1.6)));
      const f = (at - this.view.from) / span;
      const from = Math.round(at - f * next);
      this.zoomTo(from, from + next - 1);
    }, { passive: false });
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  private get total(): number { return this.data?.totalOps ?? 0; }

  /** The whole log (after it grew, or on open). */
  async load(_lastSeq: number): Promise<void> {
    const d = await this.api.call('accountingByOp', { fromOp: 0, toOp: 1e9, points: POINTS });
    const whole = this.view.from === 0 && (this.view.to === 0 || this.view.to >= this.total - 1);
    this.data = d;
    if (whole) this.view = { from: 0, to: Math.max(0, d.totalOps - 1) };
    else this.fetch(this.view);
    this.setCursor(this.cursorSeq);
    this.draw();
  }

  resetZoom(): void {
    this.zoomTo(0, this.total - 1);
  }

  private zoomTo(from: number, to: number): void {
    const n = this.total;
    if (n === 0) return;
    const span = Math.max(1, to - from);
    from = Math.max(0, Math.min(from, n - 1 - span));
    to = Math.min(n - 1, from + span);
    this.view = { from, to };
    this.fetch(this.view);
    this.draw();
  }

  /** The operation the cursor is in (its op event at or before the cursor). */
  setCursor(seq: number): void {
    this.cursorSeq = seq;
    const ops = this.data?.opSeqs ?? [];
    let lo = 0, hi = ops.length;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (ops[m]! <= seq) lo = m + 1; else hi = m; }
    // a step inside the same operation changes nothing the plot shows: no redraw per step
    if (lo - 1 === this.cursorOp) return;
    this.cursorOp = lo - 1;
    this.draw();
  }


  private localX(e: MouseEvent): number {
    return e.clientX - this.canvas.getBoundingClientRect().left;
  }

  /** the canvas width for this draw: reading clientWidth per point forces a style/layout check thousands of times */
  private width = 0;

  private xOf(op: number): number {
    const W = this.width || this.canvas.clientWidth;
    const span = this.view.to - this.view.from + 1;
    return L + ((op - this.view.from) / span) * (W - L - R);
  }

  private opAt(x: number): number {
    const W = this.canvas.clientWidth;
    const span = this.view.to - this.view.from + 1;
    return Math.max(0, Math.min(this.total - 1, Math.floor(this.view.from + ((x - L) / (W - L - R)) * span)));
  }

  /** The sample drawn at x: the last one at or before that operation. */
  private sampleAt(x: number): OpSample | null {
    const samples = this.visible();
    const op = this.opAt(x);
    let best: OpSample | null = null;
    for (const s of samples) if (s.op <= op) best = s;
    return best ?? samples[0] ?? null;
  }

  private visible(): OpSample[] {
    return (this.data?.samples ?? []).filter((s) => s.op >= this.view.from && s.op <= this.view.to);
  }

  private series(): Series[] {
    const first = this.data?.samples[this.data.samples.length - 1];
    if (!first) return [];
    if (this.mode === 'nodes') {
      return first.nodes.flatMap((n): Series[] => {
        const c = C.nodeColor(n.node);
        const at = (s: OpSample) => s.nodes.find((x) => x.node === n.node);
        return [
          { key: `p${n.node}`, label: `node${n.node} present`, color: c, dash: [], get: (s) => at(s)?.presentPages },
          { key: `m${n.node}`, label: `node${n.node} managed`, color: c, dash: [6, 3], get: (s) => at(s)?.managedPages },
          { key: `v${n.node}`, label: `node${n.node} memmap`, color: c, dash: [2, 3], get: (s) => at(s)?.memmapPages },
        ];
      });
    }
    const zones = new Map<string, { node: number; zone: string }>();
    for (const s of this.data!.samples) for (const z of s.zones) zones.set(`${z.node}/${z.zone}`, z);
    return [...zones.entries()].flatMap(([k, z]): Series[] => {
      const c = C.ZONE_COLORS[z.zone] ?? '#999';
      const at = (s: OpSample) => s.zones.find((x) => x.node === z.node && x.zone === z.zone);
      return [
        { key: `p${k}`, label: `node${z.node}/${z.zone} present`, color: c, dash: [], get: (s) => at(s)?.presentPages },
        { key: `m${k}`, label: `node${z.node}/${z.zone} managed`, color: c, dash: [6, 3], get: (s) => at(s)?.managedPages },
      ];
    });
  }

  draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const W = (this.width = this.canvas.clientWidth);
    const H = this.canvas.clientHeight;
    if (this.canvas.width !== Math.ceil(W * dpr)) this.canvas.width = Math.ceil(W * dpr);
    if (this.canvas.height !== Math.ceil(H * dpr)) this.canvas.height = Math.ceil(H * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#15171b';
    ctx.fillRect(0, 0, W, H);
    const all = this.series();
    const series = all.filter((s) => !this.hidden.has(s.key));
    const samples = this.visible();
    // the y axis fits what is in view, so a 32,768-page step is not a few pixels under a 1M-page maximum
    const y = this.yAxis(series, samples);
    let { min, max } = y;
    if (max === min) { max += Math.max(1, Math.abs(max) * 0.05); min -= Math.max(1, Math.abs(min) * 0.05); }
    const pad = (max - min) * 0.06;
    // counters are never negative: no axis below 0 (a change may be)
    min = min >= 0 ? Math.max(0, min - pad) : min - pad;
    max += pad;
    this.shown = { change: y.change, base: y.base };
    // for a user script and the browser tests: what the axis spans
    this.canvas.dataset.yMin = String(Math.round(min));
    this.canvas.dataset.yMax = String(Math.round(max));
    this.canvas.dataset.yScale = y.change ? 'change' : 'values';
    this.canvas.dataset.view = `${this.view.from}-${this.view.to}`;
    const sy = (v: number) => T + (1 - (v - min) / (max - min)) * (H - T - B);
    ctx.font = '10px ui-monospace, monospace';
    // the operation the cursor is in: shaded, the step's change is there
    if (this.cursorOp >= this.view.from && this.cursorOp <= this.view.to) {
      const x0 = this.xOf(this.cursorOp);
      const x1 = this.xOf(this.cursorOp + 1);
      ctx.fillStyle = 'rgba(90,169,255,0.22)';
      ctx.fillRect(x0, T, Math.max(2, x1 - x0), H - T - B);
    }
    ctx.strokeStyle = '#30343c';
    ctx.strokeRect(L, T, W - L - R, H - T - B);
    ctx.fillStyle = '#8a919c';
    for (let k = 0; k <= 3; k++) {
      const v = min + ((max - min) * k) / 3;
      const yy = sy(v);
      const r = Math.round(v);
      ctx.fillText(`${y.change && r > 0 ? '+' : ''}${pages(r)} pg`, 2, yy + 3);
      ctx.strokeStyle = '#23262c';
      ctx.beginPath(); ctx.moveTo(L, yy); ctx.lineTo(W - R, yy); ctx.stroke();
    }
    if (y.change) {
      ctx.fillStyle = '#c9d1dc';
      ctx.fillText(`change since op ${this.view.from}`, L + 4, T + 10);
      ctx.fillStyle = '#8a919c';
    }
    ctx.fillText(`op ${this.view.from}`, L, H - 6);
    const endLabel = `op ${this.view.to} of ${this.total}`;
    ctx.fillText(endLabel, W - R - ctx.measureText(endLabel).width, H - 6);
    for (const s of series) {
      ctx.strokeStyle = s.color;
      ctx.setLineDash(s.dash);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let started = false;
      const base = y.change ? y.base.get(s.key) ?? 0 : 0;
      samples.forEach((p, i) => {
        const raw = s.get(p);
        if (raw === undefined) return;
        const v = raw - base;
        const x = this.xOf(p.op);
        const y = sy(v);
        // the counters hold from the end of one operation to the end of the next
        if (!started) { ctx.moveTo(x, y); started = true; } else ctx.lineTo(x, y);
        const next = samples[i + 1];
        ctx.lineTo(next ? this.xOf(next.op) : this.xOf(this.view.to + 1), y);
      });
      ctx.stroke();
    }
    ctx.setLineDash([]);
    if (this.drag && Math.abs(this.drag.x1 - this.drag.x0) >= 4) {
      ctx.fillStyle = 'rgba(255,255,255,0.12)';
      ctx.fillRect(Math.min(this.drag.x0, this.drag.x1), T, Math.abs(this.drag.x1 - this.drag.x0), H - T - B);
    }
    this.drawHover(ctx, series, sy, H);
    const whole = this.view.from === 0 && this.view.to >= this.total - 1;
    this.range.textContent = whole ? `all ${this.total} operations (wheel or drag to zoom)` : `operations ${this.view.from}–${this.view.to} of ${this.total}`;
    const axis = this.range.nextElementSibling as HTMLElement | null;
    if (axis?.id === 'plot-axis') {
      axis.textContent = y.change ? `y: change since op ${this.view.from}` : '';
      axis.title = y.change && this.yScale === 'auto' ? 'the counters in view differ too much in size to share a value axis: each is drawn as its change since the first operation in view (choose "y: values" to see them as they are)' : '';
    }
    this.describe(samples, series, y.change);
    legend(this.legendEl, all.filter((s) => s.dash.length === 0).map((s) => [s.color, s.label.replace(' present', '')] as [string, string])
      .concat([['#888', 'solid present · dashed managed' + (this.mode === 'nodes' ? ' · dotted memmap' : '') + ' · click a name to hide it']]));
    // legend entries toggle their series
    [...this.legendEl.children].forEach((span, i) => {
      const s = all.filter((x) => x.dash.length === 0)[i];
      if (!s) return;
      const keys = all.filter((x) => x.color === s.color && x.label.split(' ')[0] === s.label.split(' ')[0]).map((x) => x.key);
      span.classList.toggle('off', keys.every((k) => this.hidden.has(k)));
      span.addEventListener('click', () => {
        const off = keys.every((k) => this.hidden.has(k));
        for (const k of keys) if (off) this.hidden.delete(k); else this.hidden.add(k);
        this.draw();
      });
    });
  }

  private drawHover(ctx: CanvasRenderingContext2D, series: Series[], sy: (v: number) => number, H: number): void {
    const hx = this.hoverX ?? (this.keyOp >= 0 ? this.xOf(this.keyOp) + 1 : null);
    if (hx === null || hx < L) { this.tip.hidden = true; return; }
    const s = this.sampleAt(hx);
    if (!s) { this.tip.hidden = true; return; }
    const x = this.xOf(s.op);
    ctx.strokeStyle = 'rgba(255,255,255,0.5)';
    ctx.beginPath(); ctx.moveTo(hx, T); ctx.lineTo(hx, H - B); ctx.stroke();
    for (const se of series) {
      const raw = se.get(s);
      if (raw === undefined) continue;
      const v = raw - (this.shown.change ? this.shown.base.get(se.key) ?? 0 : 0);
      ctx.fillStyle = se.color;
      ctx.beginPath(); ctx.arc(Math.max(x, L), sy(v), 2.5, 0, Math.PI * 2); ctx.fill();
    }
    const prev = this.data!.samples[this.data!.samples.indexOf(s) - 1];
    const exact = prev === undefined || prev.op === s.op - 1;
    const lines = [`op ${s.op} · seq ${s.seq}–${s.end}${exact ? '' : ' (sampled)'}`, s.label + (s.failed ? '  (failed)' : '')];
    for (const se of series) {
      const v = se.get(s);
      if (v === undefined) continue;
      const was = prev && exact ? se.get(prev) : undefined;
      const d = was !== undefined && was !== v ? `  (${v - was > 0 ? '+' : ''}${v - was})` : '';
      lines.push(`${se.label}: ${v.toLocaleString('en')} pages${d}`);
    }
    this.tip.textContent = lines.join('\n');
    this.tip.hidden = false;
    // inside the plot: right of the pointer when the box fits there, else left of it (measured only while hovering)
    const W = this.canvas.clientWidth;
    const tw = this.tip.offsetWidth;
    const left = hx + 12 + tw <= W ? hx + 12 : hx - 12 - tw;
    this.tip.style.left = `${Math.max(0, Math.min(left, W - tw))}px`;
    this.tipText = lines.join(' · ');
  }

  /** The hover box's text, for the page to announce when the keyboard moves the plot's cursor. */
  tipText = '';

  /** What the axis showed on the last draw: values, or each series' change from its value at `base`. */
  private shown: { change: boolean; base: Map<string, number> } = { change: false, base: new Map() };

  /** The y axis for these series over these samples (see yScale). */
  private yAxis(series: Series[], samples: OpSample[]): { min: number; max: number; change: boolean; base: Map<string, number> } {
    let min = Infinity, max = -Infinity, widest = 0;
    const base = new Map<string, number>();
    let dmin = Infinity, dmax = -Infinity;
    for (const s of series) {
      let smin = Infinity, smax = -Infinity;
      for (const p of samples) {
        const v = s.get(p);
        if (v === undefined) continue;
        if (!base.has(s.key)) base.set(s.key, v);
        smin = Math.min(smin, v); smax = Math.max(smax, v);
        const d = v - base.get(s.key)!;
        dmin = Math.min(dmin, d); dmax = Math.max(dmax, d);
      }
      if (smin > smax) continue;
      min = Math.min(min, smin); max = Math.max(max, smax);
      widest = Math.max(widest, smax - smin);
    }
    if (!Number.isFinite(min)) return { min: 0, max: 1, change: false, base };
    // on one value axis, the largest change in view would take under a twentieth of the plot's height
    const flat = widest > 0 && widest < (max - min) / 20;
    const change = this.yScale === 'change' || (this.yScale === 'auto' && flat);
    return change ? { min: Math.min(0, dmin), max: Math.max(0, dmax), change, base } : { min, max, change, base };
  }

  /** The plot's accessible name: what is in view, the axis, and how to use it from the keyboard. */
  private describe(samples: OpSample[], series: Series[], change: boolean): void {
    const wrap = this.canvas.parentElement!;
    const last = samples[samples.length - 1];
    const now = last ? series.map((se) => `${se.label} ${(se.get(last) ?? 0).toLocaleString('en')}`).slice(0, 6).join(', ') : 'no data';
    const label = `Accounting plot, ${this.mode === 'nodes' ? 'per node' : 'per zone'}: operations ${this.view.from} to ${this.view.to} of ${this.total}`
      + `${change ? `, drawn as the change since operation ${this.view.from}` : ''}; after operation ${last?.op ?? 0}: ${now} pages.`
      + ' Left and right arrows move along the operations, Enter goes to one, plus and minus zoom, 0 shows the whole log.';
    if (wrap.getAttribute('aria-label') !== label) wrap.setAttribute('aria-label', label);
  }

  /** Keys on the focused plot: ← → move a cursor along the operations (its values in the hover box), Enter goes there, + − zoom, 0 resets. */
  key(e: KeyboardEvent): boolean {
    if (!this.data || this.total === 0) return false;
    const at = this.keyOp >= 0 ? this.keyOp : Math.max(this.view.from, Math.min(this.view.to, this.cursorOp));
    const move = (op: number) => {
      this.keyOp = Math.max(0, Math.min(this.total - 1, op));
      // keep it in view
      if (this.keyOp < this.view.from || this.keyOp > this.view.to) {
        const span = this.view.to - this.view.from;
        this.zoomTo(this.keyOp - Math.floor(span / 2), this.keyOp - Math.floor(span / 2) + span);
      }
      this.hoverX = null;
      this.draw();
    };
    const span = this.view.to - this.view.from + 1;
    switch (e.key) {
      case 'ArrowLeft': move(at - 1); return true;
      case 'ArrowRight': move(at + 1); return true;
      case 'PageUp': move(at - Math.max(1, Math.floor(span / 10))); return true;
      case 'PageDown': move(at + Math.max(1, Math.floor(span / 10))); return true;
      case 'Home': move(this.view.from); return true;
      case 'End': move(this.view.to); return true;
      case 'Enter': { const s = this.sampleAt(this.xOf(at) + 1); if (s) this.onPick(s.seq); return true; }
      case '+': case '=': { const next = Math.max(2, Math.round(span * 0.6)); const f = (at - this.view.from) / span; const from = Math.round(at - f * next); this.zoomTo(from, from + next - 1); return true; }
      case '-': { const next = Math.round(span * 1.6); const f = (at - this.view.from) / span; const from = Math.round(at - f * next); this.zoomTo(from, from + next - 1); return true; }
      case '0': this.resetZoom(); return true;
      case 'Escape': this.keyOp = -1; this.tip.hidden = true; this.draw(); return false;
      default: return false;
    }
  }

  /** The plot lost the keyboard: its cursor goes with it. */
  blur(): void {
    this.keyOp = -1;
    this.draw();
  }
}

/** The change of the nearest thing that holds `path` (zones[1].Normal.presentPages: zones[1].Normal, then zones[1]). */
function enclosing(changed: Map<string, WorldChange>, path: string): WorldChange | undefined {
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '.' && path[i] !== '[') continue;
    const c = changed.get(path.slice(0, i));
    if (c) return c;
  }
  return undefined;
}

/** The counters at the cursor per node and zone; the cells the selected step changed say before → after. */
export function showAccountingTable(table: HTMLElement, f: MapView, changes: WorldChange[]): void {
  const changed = new Map<string, WorldChange>();
  for (const c of changes) changed.set(c.path, c);
  const head = el('tr');
  for (const h of ['', 'present', 'managed', 'memmap', 'spanned']) head.append(el('th', {}, h));
  const rows: HTMLElement[] = [head];
  const cell = (v: number | null, path: string | null, extra: WorldChange[] = []) => {
    const td = el('td', {}, v === null ? '' : v.toLocaleString('en'));
    // a field's own change, or the change of what holds it (a zone or node that appeared or went away this step)
    const c = path ? changed.get(path) ?? (v !== null ? enclosing(changed, path) : undefined) : undefined;
    const all = [...(c ? [c] : []), ...extra];
    if (all.length) {
      td.className = 'changed';
      const d = all.map((x) => `${x.path}: ${JSON.stringify(x.before)} → ${JSON.stringify(x.after)}`).join('\n');
      td.title = `this step: ${d}`;
      if (c && c.before === undefined && typeof v === 'number' && v !== 0) td.append(el('small', {}, ` (+${v})`));
      if (c && typeof c.before === 'number' && typeof c.after === 'number') td.append(el('small', {}, ` (${c.after - c.before > 0 ? '+' : ''}${c.after - c.before})`));
    }
    return td;
  };
  for (const n of f.nodes) {
    const zones = f.zones.filter((z) => z.node === n.id);
    const spans = zones.filter((z) => z.startPfn !== null && z.endPfn !== null);
    const spanned = spans.length ? Math.max(...spans.map((z) => z.endPfn!)) - Math.min(...spans.map((z) => z.startPfn!)) : 0;
    const tr = el('tr', { class: 'node', 'data-row': `node${n.id}` });
    tr.append(el('th', {}, `node${n.id}${n.online ? '' : ' (offline)'}`),
      cell(n.presentPages, `nodes[${n.id}].presentPages`), cell(n.managedPages, `nodes[${n.id}].managedPages`),
      cell(n.memmapPages, `nodes[${n.id}].memmapPages`), cell(spanned, null));
    rows.push(tr);
    for (const z of zones) {
      const key = `zones[${z.node}].${z.zone}`;
      const spanChanges = [changed.get(`${key}.startPfn`), changed.get(`${key}.endPfn`)].filter((x): x is WorldChange => !!x);
      const zr = el('tr', { class: 'zone', 'data-row': `${z.node}/${z.zone}` });
      zr.append(el('th', {}, `  ${z.zone}`), cell(z.presentPages, `${key}.presentPages`), cell(z.managedPages, `${key}.managedPages`),
        cell(null, null), cell(z.startPfn === null || z.endPfn === null ? 0 : z.endPfn - z.startPfn, `${key}.spanned`, spanChanges));
      rows.push(zr);
    }
  }
  table.replaceChildren(...rows);
}
