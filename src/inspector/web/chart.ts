/**
 * Draws a statechart (from xstate/graph, see src/inspector/graph.ts) as SVG:
 * states as boxes laid out in columns by distance from the initial state,
 * compound states as boxes around their children, transitions as labelled
 * curves. The current state and the last transition are highlighted.
 */
import type { StatechartNode } from '../graph.ts';

const NS = 'http://www.w3.org/2000/svg';
const PAD = 10;
const HEAD = 20;
const GAP_X = 56;
const GAP_Y = 18;

interface Box { node: StatechartNode; x: number; y: number; w: number; h: number }

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Size of a node and relative positions of its children (recursively). */
function measure(node: StatechartNode, boxes: Map<string, Box>): { w: number; h: number; place: (x: number, y: number) => void } {
  if (node.children.length === 0) {
    const w = Math.max(70, node.key.length * 7.2 + 22);
    return { w, h: 30, place: (x, y) => boxes.set(node.id, { node, x, y, w, h: 30 }) };
  }
  const kids = node.children.map((c) => ({ c, m: measure(c, boxes) }));
  // Rank children by BFS distance from the initial child over sibling edges.
  const siblingOf = (id: string) => node.children.find((c) => id === c.id || id.startsWith(c.id + '.'))?.id;
  const allEdges: Array<[string, string]> = [];
  const collect = (n: StatechartNode): void => { for (const e of n.edges) allEdges.push([e.source, e.target]); n.children.forEach(collect); };
  node.children.forEach(collect);
  const rank = new Map<string, number>();
  const start = node.children.find((c) => c.key === node.initial) ?? node.children[0]!;
  rank.set(start.id, 0);
  const queue = [start.id];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const [s, t] of allEdges) {
      const a = siblingOf(s);
      const b = siblingOf(t);
      if (a === cur && b && !rank.has(b)) { rank.set(b, rank.get(cur)! + 1); queue.push(b); }
    }
  }
  let maxRank = Math.max(...rank.values());
  for (const c of node.children) if (!rank.has(c.id)) rank.set(c.id, ++maxRank);
  const columns: Array<typeof kids> = [];
  for (const k of kids) (columns[rank.get(k.c.id)!] ??= []).push(k);
  const colW = columns.map((col) => Math.max(...(col ?? []).map((k) => k.m.w), 0));
  const colH = columns.map((col) => (col ?? []).reduce((s, k) => s + k.m.h + GAP_Y, -GAP_Y));
  const innerW = colW.reduce((s, w) => s + w + GAP_X, -GAP_X);
  const innerH = Math.max(...colH);
  const isRoot = !node.id.includes('.');
  const w = innerW + PAD * 2;
  const h = innerH + PAD * 2 + (isRoot ? 0 : HEAD);
  return {
    w, h,
    place: (x, y) => {
      if (!isRoot) boxes.set(node.id, { node, x, y, w, h });
      let cx = x + PAD;
      columns.forEach((col, i) => {
        let cy = y + PAD + (isRoot ? 0 : HEAD) + (innerH - colH[i]!) / 2;
        for (const k of col ?? []) { k.m.place(cx + (colW[i]! - k.m.w) / 2, cy); cy += k.m.h + GAP_Y; }
        cx += colW[i]! + GAP_X;
      });
    },
  };
}

function clip(b: Box, tx: number, ty: number): [number, number] {
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  const dx = tx - cx;
  const dy = ty - cy;
  const s = Math.min(Math.abs(dx) > 1e-9 ? b.w / 2 / Math.abs(dx) : Infinity, Math.abs(dy) > 1e-9 ? b.h / 2 / Math.abs(dy) : Infinity);
  return [cx + dx * s, cy + dy * s];
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

export function drawStatechart(host: HTMLElement, root: StatechartNode, current: string | null, last: { from: string; to: string; event: string } | null): void {
  const boxes = new Map<string, Box>();
  const m = measure(root, boxes);
  m.place(0, 0);
  const curId = stateId(root, current);
  const fromId = last ? stateId(root, last.from) : null;
  const toId = last ? stateId(root, last.to) : null;
  const s = svg('svg', { viewBox: `-14 -44 ${m.w + 28} ${m.h + 48}`, role: 'img', 'aria-label': `statechart of ${root.key}` });
  const defs = svg('defs', {});
  for (const [id, color] of [['arrow', '#8a919c'], ['arrow-hot', '#ffb020']]) {
    const mk = svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    mk.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: color! }));
    defs.append(mk);
  }
  s.append(defs);
  for (const b of boxes.values()) {
    const isCur = curId !== null && (curId === b.node.id || curId.startsWith(b.node.id + '.'));
    const g = svg('g', { 'data-state': b.node.id, class: isCur ? 'current' : '' });
    g.append(svg('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: 8, fill: b.node.children.length ? 'none' : isCur ? '#23395a' : '#262a31', stroke: isCur ? '#5aa9ff' : '#596170', 'stroke-width': isCur ? 2.5 : 1 }));
    const ty = b.node.children.length ? b.y + 14 : b.y + b.h / 2 + 4;
    g.append(svg('text', { x: b.x + (b.node.children.length ? 8 : b.w / 2), y: ty, 'text-anchor': b.node.children.length ? 'start' : 'middle', fill: isCur ? '#fff' : '#d9dde3', 'font-size': 12, 'font-family': 'system-ui, sans-serif' }, b.node.key));
    s.append(g);
  }
  // Initial-state markers
  const markInitial = (n: StatechartNode): void => {
    const init = n.children.find((c) => c.key === n.initial);
    const b = init && boxes.get(init.id);
    if (b) s.append(svg('circle', { cx: b.x - 8, cy: b.y + b.h / 2, r: 4, fill: '#8a919c' }));
    n.children.forEach(markInitial);
  };
  markInitial(root);
  const seen = new Map<string, number>();
  const drawEdges = (n: StatechartNode): void => {
    for (const e of n.edges) {
      const a = boxes.get(e.source);
      const b = boxes.get(e.target);
      if (!a || !b) continue;
      const hot = last !== null && e.source === fromId && e.target === toId && e.event === last.event;
      const pair = `${e.source}>${e.target}`;
      const k = seen.get(pair) ?? 0;
      seen.set(pair, k + 1);
      const stroke = hot ? '#ffb020' : '#8a919c';
      let d: string;
      let lx: number;
      let ly: number;
      if (a === b) {
        const x0 = a.x + a.w * 0.3; const x1 = a.x + a.w * 0.7; const y0 = a.y; const up = 26 + k * 14;
        d = `M${x0},${y0} C${x0},${y0 - up} ${x1},${y0 - up} ${x1},${y0}`;
        lx = a.x + a.w / 2; ly = y0 - up * 0.75 - 2;
      } else {
        const [ax, ay] = [a.x + a.w / 2, a.y + a.h / 2];
        const [bx, by] = [b.x + b.w / 2, b.y + b.h / 2];
        const len = Math.hypot(bx - ax, by - ay) || 1;
        const bend = 18 + k * 16;
        const cx = (ax + bx) / 2 + ((by - ay) / len) * bend;
        const cy = (ay + by) / 2 - ((bx - ax) / len) * bend;
        const [sx, sy] = clip(a, cx, cy);
        const [tx, ty] = clip(b, cx, cy);
        d = `M${sx},${sy} Q${cx},${cy} ${tx},${ty}`;
        lx = (sx + 2 * cx + tx) / 4; ly = (sy + 2 * cy + ty) / 4 - 3;
      }
      const g = svg('g', { 'data-edge': `${e.source}->${e.target}:${e.event}`, class: hot ? 'last' : '' });
      g.append(svg('path', { d, fill: 'none', stroke, 'stroke-width': hot ? 2.5 : 1.2, 'marker-end': `url(#${hot ? 'arrow-hot' : 'arrow'})` }));
      g.append(svg('text', { x: lx, y: ly, 'text-anchor': 'middle', fill: hot ? '#ffb020' : '#aab1bb', 'font-size': 10, 'font-family': 'ui-monospace, monospace', stroke: '#1c1f25', 'stroke-width': 3, 'paint-order': 'stroke' }, e.event));
      s.append(g);
    }
    n.children.forEach(drawEdges);
  };
  drawEdges(root);
  host.replaceChildren(s);
}
