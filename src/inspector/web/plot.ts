/**
 * Accounting over time: present, managed and memmap pages per node (or per
 * zone) sampled across the log, with the cursor drawn on it. Clicking the
 * plot moves the cursor to that step.
 */
import type { AccountingPoint } from '../backend.ts';
import { legend } from './map.ts';
import * as C from './colors.ts';

interface Series { label: string; color: string; dash: number[]; values: Array<number | undefined> }

export class AccountingPlot {
  private points: AccountingPoint[] = [];
  private lastSeq = 0;
  cursor = 0;
  mode: 'nodes' | 'zones' = 'nodes';
  onPick: (seq: number) => void = () => {};

  constructor(private canvas: HTMLCanvasElement, private legendEl: HTMLElement) {
    canvas.addEventListener('click', (e) => {
      const r = canvas.getBoundingClientRect();
      const x = (e.clientX - r.left - 50) / (r.width - 60);
      this.onPick(Math.max(0, Math.min(this.lastSeq, Math.round(x * this.lastSeq))));
    });
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  setData(points: AccountingPoint[], lastSeq: number): void {
    this.points = points;
    this.lastSeq = lastSeq;
    this.draw();
  }

  private series(): Series[] {
    const out = new Map<string, Series>();
    const add = (key: string, label: string, color: string, dash: number[], i: number, v: number | undefined) => {
      let s = out.get(key);
      if (!s) { s = { label, color, dash, values: new Array(this.points.length).fill(undefined) }; out.set(key, s); }
      s.values[i] = v;
    };
    this.points.forEach((p, i) => {
      if (this.mode === 'nodes') {
        for (const n of p.nodes) {
          const c = C.nodeColor(n.node);
          add(`p${n.node}`, `node${n.node} present`, c, [], i, n.presentPages);
          add(`m${n.node}`, `node${n.node} managed`, c, [6, 3], i, n.managedPages);
          add(`v${n.node}`, `node${n.node} memmap ×16`, c, [2, 3], i, n.memmapPages * 16);
        }
      } else {
        for (const z of p.zones) {
          const c = C.ZONE_COLORS[z.zone] ?? '#999';
          add(`p${z.node}${z.zone}`, `node${z.node}/${z.zone} present`, c, [], i, z.presentPages);
          add(`m${z.node}${z.zone}`, `node${z.node}/${z.zone} managed`, c, [6, 3], i, z.managedPages);
        }
      }
    });
    return [...out.values()];
  }

  draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const W = this.canvas.clientWidth;
    const H = this.canvas.clientHeight;
    this.canvas.width = Math.ceil(W * dpr);
    this.canvas.height = Math.ceil(H * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#15171b';
    ctx.fillRect(0, 0, W, H);
    const L = 50, R = 10, T = 8, B = 18;
    const series = this.series();
    let max = 1;
    for (const s of series) for (const v of s.values) if (v !== undefined) max = Math.max(max, v);
    const sx = (seq: number) => L + (this.lastSeq ? seq / this.lastSeq : 0) * (W - L - R);
    const sy = (v: number) => T + (1 - v / max) * (H - T - B);
    ctx.fillStyle = '#8a919c';
    ctx.font = '10px ui-monospace, monospace';
    ctx.fillText(`${(max / 1024).toFixed(0)}K pg`, 2, T + 8);
    ctx.fillText('0', 2, H - B);
    ctx.fillText(`seq ${this.lastSeq}`, W - R - 60, H - 4);
    ctx.strokeStyle = '#30343c';
    ctx.strokeRect(L, T, W - L - R, H - T - B);
    for (const s of series) {
      ctx.strokeStyle = s.color;
      ctx.setLineDash(s.dash);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let started = false;
      s.values.forEach((v, i) => {
        if (v === undefined) return;
        const x = sx(this.points[i]!.seq);
        const y = sy(v);
        // accounting is a step function of the log: hold the value until the next sample
        if (!started) { ctx.moveTo(x, y); started = true; } else { ctx.lineTo(x, y); }
        const next = this.points[i + 1];
        if (next) ctx.lineTo(sx(next.seq), y);
      });
      ctx.stroke();
    }
    ctx.setLineDash([]);
    const cx = sx(this.cursor);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(cx, T); ctx.lineTo(cx, H - B); ctx.stroke();
    ctx.fillStyle = '#fff';
    ctx.fillText(String(this.cursor), Math.min(cx + 3, W - 40), T + 10);
    legend(this.legendEl, series.filter((s) => s.dash.length === 0).map((s) => [s.color, s.label.replace(' present', '')] as [string, string])
      .concat([['#888', 'solid present · dashed managed' + (this.mode === 'nodes' ? ' · dotted memmap ×16' : '')]]));
  }
}
