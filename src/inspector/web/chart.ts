/**
 * Draws a statechart (from xstate/graph, see src/inspector/graph.ts) as SVG
 * with a fixed left-to-right layered layout, so every state and every
 * transition label has its own place:
 *  - states in columns by distance from the initial state; a column's other
 *    states (e.g. `removed` beside `online`) on rows below, final states last;
 *  - an edge to the next column is straight, its label above it; the edge back
 *    (a parallel pair such as OFFLINE_BEGIN / OFFLINE_CANCEL) runs just below,
 *    its label under it;
 *  - an edge that skips columns arcs below all states, its label at the bottom
 *    of the arc;
 *  - self-loops sit above their state, one label per line;
 *  - gaps between columns are as wide as the labels they hold.
 * The current state and the last transition are highlighted.
 */
import type { StatechartNode } from '../graph.ts';

const NS = 'http://www.w3.org/2000/svg';
const STATE_FONT = '12px system-ui, sans-serif';
const LABEL_FONT = '11px ui-monospace, monospace';
// a stacked label per line: the 11 px monospace glyph box is about 14 px tall, so lines closer than that touch
const LINE = 15;
const BOX_H = 28;
const MARGIN = 10;

interface Box { node: StatechartNode; col: number; row: number; x: number; y: number; w: number; h: number }
interface Edge { source: string; target: string; event: string }
interface Last { from: string; to: string; event: string }

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

let measureCtx: CanvasRenderingContext2D | null = null;
function textWidth(text: string, font: string): number {
  measureCtx ??= document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * 7;
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

/** Resolve "online" or "a.b" (a state value path) to a node id. */
export function stateId(root: StatechartNode, path: string | null): string | null {
  if (!path) return null;
  let cur: StatechartNode | undefined = root;
  for (const key of path.split('.')) cur = cur?.children.find((c) => c.key === key);
  if (cur) return cur.id;
  const last = path.split('.').pop();
  const find = (n: StatechartNode): string | null => n.key === last ? n.id : n.children.map(find).find((x) => x) ?? null;
  return root.children.map(find).find((x) => x) ?? null;
}

/** Columns (by BFS rank from the initial state) and rows within them. */
function layers(root: StatechartNode, edges: Edge[]): StatechartNode[][] {
  const kids = root.children;
  const rank = new Map<string, number>();
  const order: string[] = [];
  const start = kids.find((c) => c.key === root.initial) ?? kids[0];
  if (!start) return [];
  rank.set(start.id, 0);
  order.push(start.id);
  for (let i = 0; i < order.length; i++) {
    const cur = order[i]!;
    for (const e of edges) {
      if (e.source === cur && e.target !== cur && !rank.has(e.target)) {
        rank.set(e.target, rank.get(cur)! + 1);
        order.push(e.target);
      }
    }
  }
  let max = Math.max(...rank.values());
  for (const c of kids) if (!rank.has(c.id)) { rank.set(c.id, ++max); order.push(c.id); }
  const cols: StatechartNode[][] = [];
  for (const id of order) {
    const n = kids.find((c) => c.id === id)!;
    (cols[rank.get(id)!] ??= []).push(n);
  }
  // Final states below the others of their column: the main path stays on one row.
  return cols.map((col) => [...col.filter((n) => n.type !== 'final'), ...col.filter((n) => n.type === 'final')]);
}

/** Edges between the root's children (a compound child's inner edges are drawn as its own). */
function siblingEdges(root: StatechartNode): Edge[] {
  const top = (id: string) => root.children.find((c) => id === c.id || id.startsWith(c.id + '.'))?.id;
  const out: Edge[] = [];
  const collect = (n: StatechartNode): void => {
    for (const e of n.edges) {
      const s = top(e.source);
      const t = top(e.target);
      if (s && t) out.push({ source: s, target: t, event: e.event });
    }
    n.children.forEach(collect);
  };
  root.children.forEach(collect);
  return out;
}

export function drawStatechart(host: HTMLElement, root: StatechartNode, current: string | null, last: Last | null): void {
  const edges = siblingEdges(root);
  const cols = layers(root, edges);
  const selfLoops = new Map<string, Edge[]>();
  for (const e of edges) if (e.source === e.target) (selfLoops.get(e.source) ?? selfLoops.set(e.source, []).get(e.source)!).push(e);
  const loopHeight = (id: string) => (selfLoops.has(id) ? 24 + LINE * selfLoops.get(id)!.length : 0);

  // Boxes: widths from the state names, column gaps from the labels that sit in them.
  const boxes = new Map<string, Box>();
  cols.forEach((col, c) => col.forEach((node, row) => {
    const w = Math.max(64, textWidth(node.key, STATE_FONT) + 24);
    boxes.set(node.id, { node, col: c, row, x: 0, y: 0, w, h: BOX_H });
  }));
  const colW = cols.map((col) => Math.max(...col.map((n) => boxes.get(n.id)!.w)));
  const gap = cols.map(() => 40);
  for (const e of edges) {
    const a = boxes.get(e.source);
    const b = boxes.get(e.target);
    if (!a || !b || a === b || Math.abs(a.col - b.col) !== 1) continue;
    const g = Math.min(a.col, b.col);
    gap[g] = Math.max(gap[g]!, textWidth(e.event, LABEL_FONT) + 22);
  }
  const rows = Math.max(1, ...cols.map((c) => c.length));
  const rowTop: number[] = [];
  let y = MARGIN;
  for (let r = 0; r < rows; r++) {
    const loops = Math.max(0, ...cols.map((col) => (col[r] ? loopHeight(col[r]!.id) : 0)));
    // a row below the first also leaves room for the labels of back edges under the row above
    y += loops + (r > 0 ? 34 : 0);
    rowTop.push(y);
    y += BOX_H;
  }
  let x = MARGIN + 18; // room for the initial-state marker
  cols.forEach((col, c) => {
    for (const n of col) {
      const b = boxes.get(n.id)!;
      b.x = x + (colW[c]! - b.w) / 2;
      b.y = rowTop[b.row]!;
    }
    x += colW[c]! + (c < cols.length - 1 ? gap[c]! : 0);
  });
  const width = x + MARGIN;
  let bottom = y + 10;

  const curId = stateId(root, current);
  const fromId = last ? stateId(root, last.from) : null;
  const toId = last ? stateId(root, last.to) : null;
  const isHot = (e: Edge) => last !== null && e.source === fromId && e.target === toId && e.event === last.event;

  const layer = { edges: svg('g', {}), states: svg('g', {}), labels: svg('g', {}) };
  const drawEdge = (e: Edge, d: string, lx: number, ly: number, anchor: 'middle' | 'start' | 'end' = 'middle') => {
    const hot = isHot(e);
    const g = svg('g', { 'data-edge': `${e.source}->${e.target}:${e.event}`, class: hot ? 'last' : '' });
    g.append(svg('path', { d, fill: 'none', stroke: hot ? '#ffb020' : '#8a919c', 'stroke-width': hot ? 2.5 : 1.2, 'marker-end': `url(#${hot ? 'arrow-hot' : 'arrow'})` }));
    g.append(svg('text', {
      x: lx, y: ly, 'text-anchor': anchor, fill: hot ? '#ffb020' : '#aab1bb', 'font-size': 11, 'font-family': 'ui-monospace, monospace',
      stroke: '#1c1f25', 'stroke-width': 3, 'paint-order': 'stroke', class: 'edge-label',
    }, e.event));
    // hot edges last, so their colour is on top where paths meet
    if (hot) layer.labels.append(g); else layer.edges.append(g);
  };

  // Self-loops: above the state, one label per line.
  for (const [id, loops] of selfLoops) {
    const b = boxes.get(id);
    if (!b) continue;
    const cx = b.x + b.w / 2;
    const d = `M${cx - 10},${b.y} C${cx - 22},${b.y - 26} ${cx + 22},${b.y - 26} ${cx + 10},${b.y}`;
    loops.forEach((e, k) => drawEdge(e, d, cx, b.y - 24 - LINE * (loops.length - 1 - k)));
  }

  // Other edges, grouped by pair so parallel edges get one place each.
  const pairs = new Map<string, Edge[]>();
  for (const e of edges) if (e.source !== e.target) (pairs.get(`${e.source}>${e.target}`) ?? pairs.set(`${e.source}>${e.target}`, []).get(`${e.source}>${e.target}`)!).push(e);
  let arcs = 0;
  for (const list of pairs.values()) {
    const a = boxes.get(list[0]!.source);
    const b = boxes.get(list[0]!.target);
    if (!a || !b) continue;
    const reverse = pairs.has(`${list[0]!.target}>${list[0]!.source}`);
    const forward = b.col > a.col;
    const stack = (base: number, dir: 1 | -1) => (k: number) => base + dir * LINE * (dir === -1 ? list.length - 1 - k : k);
    if (a.row === b.row && Math.abs(a.col - b.col) === 1) {
      // neighbours on a row: straight; a back edge of a pair runs just below the forward one
      const off = reverse ? (forward ? -5 : 5) : 0;
      const ey = a.y + a.h / 2 + off;
      const [sx, tx] = forward ? [a.x + a.w, b.x] : [a.x, b.x + b.w];
      const labelY = forward || !reverse ? stack(ey - 5, -1) : stack(ey + 14, 1);
      list.forEach((e, k) => drawEdge(e, `M${sx},${ey} L${tx},${ey}`, (sx + tx) / 2, labelY(k)));
    } else if (a.row === b.row && a.col !== b.col) {
      // skips a column: an arc below every state
      const depth = y + 22 + 26 * arcs++;
      // ends left of centre on a backward arc, so an edge leaving the state downwards to the right stays clear
      const sx = a.x + a.w * (forward ? 0.6 : 0.4);
      const tx = b.x + b.w * (forward ? 0.4 : 0.3);
      const sy = a.y + a.h;
      const ty = b.y + b.h;
      const d = `M${sx},${sy} C${sx},${depth} ${tx},${depth} ${tx},${ty}`;
      const low = (sy + ty) / 8 + (3 * depth) / 4;
      list.forEach((e, k) => drawEdge(e, d, (sx + tx) / 2, stack(low + 14, 1)(k)));
      bottom = Math.max(bottom, low + 14 + LINE * list.length);
    } else {
      // to another row: down (or up) out of the source, turning into the target's side; the label beside the bend
      const right = b.x + b.w / 2 >= a.x + a.w / 2;
      const down = b.y > a.y;
      const sx = a.x + a.w * (right ? 0.7 : 0.3);
      const sy = down ? a.y + a.h : a.y;
      const tx = right ? b.x : b.x + b.w;
      const ty = b.y + b.h / 2;
      const d = a.col === b.col ? `M${sx},${sy} L${sx},${down ? b.y : b.y + b.h}` : `M${sx},${sy} Q${sx},${ty} ${tx},${ty}`;
      const mx = 0.75 * sx + 0.25 * tx;
      const my = 0.25 * sy + 0.75 * ty;
      list.forEach((e, k) => drawEdge(e, d, mx + (right ? 6 : -6), my - 4 - LINE * k, right ? 'start' : 'end'));
    }
  }

  for (const b of boxes.values()) {
    const isCur = curId !== null && (curId === b.node.id || curId.startsWith(b.node.id + '.'));
    const g = svg('g', { 'data-state': b.node.id, class: isCur ? 'current' : '' });
    g.append(svg('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: 8, fill: isCur ? '#23395a' : '#262a31', stroke: isCur ? '#5aa9ff' : '#596170', 'stroke-width': isCur ? 2.5 : 1 }));
    if (b.node.type === 'final') g.append(svg('rect', { x: b.x + 3, y: b.y + 3, width: b.w - 6, height: b.h - 6, rx: 6, fill: 'none', stroke: isCur ? '#5aa9ff' : '#596170' }));
    const name = b.node.children.length ? `${b.node.key} (${b.node.children.map((c) => c.key).join('|')})` : b.node.key;
    g.append(svg('text', { x: b.x + b.w / 2, y: b.y + b.h / 2 + 4, 'text-anchor': 'middle', fill: isCur ? '#fff' : '#d9dde3', 'font-size': 12, 'font-family': 'system-ui, sans-serif' }, name));
    layer.states.append(g);
  }
  const init = root.children.find((c) => c.key === root.initial);
  const ib = init && boxes.get(init.id);
  if (ib) {
    layer.states.append(svg('circle', { cx: ib.x - 16, cy: ib.y + ib.h / 2, r: 4, fill: '#8a919c' }));
    layer.states.append(svg('path', { d: `M${ib.x - 12},${ib.y + ib.h / 2} L${ib.x},${ib.y + ib.h / 2}`, stroke: '#8a919c', 'marker-end': 'url(#arrow)' }));
  }

  const height = bottom + MARGIN;
  const s = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `statechart of ${root.key}` });
  const defs = svg('defs', {});
  for (const [id, color] of [['arrow', '#8a919c'], ['arrow-hot', '#ffb020']]) {
    const mk = svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    mk.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: color! }));
    defs.append(mk);
  }
  s.append(defs, layer.edges, layer.states, layer.labels);
  host.replaceChildren(s);
}
