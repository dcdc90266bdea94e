/** What a user sees and does on the inspector page, as small steps for the tests. */
import type { Page } from 'playwright-core';

export async function seqLabel(page: Page): Promise<string> {
  return (await page.textContent('[data-testid=seq-label]')) ?? '';
}

export async function waitSeq(page: Page, seq: number): Promise<void> {
  await page.waitForFunction((s) => document.querySelector('[data-testid=seq-label]')!.textContent!.startsWith(`seq ${s} /`), seq);
  // the map and the panels follow the cursor asynchronously; wait until the page says it shows this step
  await page.waitForFunction((s) => document.body.dataset.shownSeq === String(s) && document.querySelector('#event-title')!.textContent!.startsWith(`seq ${s}`), seq);
}

/** Centre of block `id`'s cell on the map canvas, in page coordinates. */
export async function blockPoint(page: Page, id: number): Promise<{ x: number; y: number; cell: number }> {
  return page.evaluate((id) => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid=map]')!;
    const cell = Number(c.dataset.cell);
    const cols = Number(c.dataset.cols);
    const originX = Number(c.dataset.originX ?? 0);
    // scroll the map (as a user would) so the block's row is on screen
    const box = c.parentElement!;
    const rowTop = Math.floor(id / cols) * cell;
    if (rowTop < box.scrollTop || rowTop + cell > box.scrollTop + box.clientHeight) box.scrollTop = rowTop - box.clientHeight / 2;
    const r = c.getBoundingClientRect();
    return { x: r.left + originX + (id % cols) * cell + cell / 2, y: r.top + Math.floor(id / cols) * cell + cell / 2, cell };
  }, id);
}

export async function hoverBlock(page: Page, id: number): Promise<string> {
  const p = await blockPoint(page, id);
  await page.mouse.move(p.x, p.y);
  return (await page.textContent('[data-testid=map-detail]')) ?? '';
}

/** Pixels inside block `id`'s cell whose colour is within `tol` (per channel) of `rgb`, or passes `test`. */
export async function cellPixels(page: Page, id: number, rgb: [number, number, number], tol = 12): Promise<number> {
  const p = await blockPoint(page, id);
  return page.evaluate(({ x, y, cell, rgb, tol }) => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid=map]')!;
    const r = c.getBoundingClientRect();
    const dpr = c.width / r.width;
    const x0 = Math.round((x - cell / 2 - r.left) * dpr);
    const y0 = Math.round((y - cell / 2 - r.top) * dpr);
    const n = Math.round(cell * dpr);
    // what the user sees: the map and the hover/selection canvas over it
    const o = document.getElementById('map-overlay') as HTMLCanvasElement;
    const t = document.createElement('canvas');
    t.width = c.width; t.height = c.height;
    const tc = t.getContext('2d')!;
    tc.drawImage(c, 0, 0); tc.drawImage(o, 0, 0);
    const px = tc.getImageData(x0, y0, n, n).data;
    let hits = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (Math.abs(px[i]! - rgb[0]) <= tol && Math.abs(px[i + 1]! - rgb[1]) <= tol && Math.abs(px[i + 2]! - rgb[2]) <= tol) hits++;
    }
    return hits;
  }, { ...p, rgb, tol });
}

/** Strongly red pixels (the fault colour) inside block `id`'s cell. */
export async function redPixels(page: Page, id: number): Promise<number> {
  const p = await blockPoint(page, id);
  return page.evaluate(({ x, y, cell }) => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid=map]')!;
    const r = c.getBoundingClientRect();
    const dpr = c.width / r.width;
    const x0 = Math.round((x - cell / 2 - r.left) * dpr);
    const y0 = Math.round((y - cell / 2 - r.top) * dpr);
    const n = Math.round(cell * dpr);
    const o = document.getElementById('map-overlay') as HTMLCanvasElement;
    const t = document.createElement('canvas');
    t.width = c.width; t.height = c.height;
    const tc = t.getContext('2d')!;
    tc.drawImage(c, 0, 0); tc.drawImage(o, 0, 0);
    const px = tc.getImageData(x0, y0, n, n).data;
    let red = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i]! > 220 && px[i + 1]! < 110 && px[i + 2]! < 110) red++;
    return red;
  }, p);
}

/** How the invariant shows: ok, broken, transient (broken inside an operation, holds at its end) or skipped. */
export async function invariant(page: Page, name: string): Promise<string> {
  return (await page.getAttribute(`[data-testid=invariants] li[data-invariant="${name}"]`, 'class')) ?? 'missing';
}

/** Overlaps between the statechart's labels, and between labels and state boxes (names of what overlaps). */
export async function statechartOverlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const labels = [...document.querySelectorAll<SVGTextElement>('#chart text.edge-label')].map((t) => ({ name: t.textContent!, b: t.getBBox() }));
    const states = [...document.querySelectorAll<SVGGElement>('#chart g[data-state]')].map((g) => ({ name: g.dataset.state!, b: g.querySelector('rect')!.getBBox() }));
    const hit = (a: DOMRect, b: DOMRect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    const out: string[] = [];
    labels.forEach((l, i) => {
      for (const m of labels.slice(i + 1)) if (hit(l.b, m.b) && !(l.b.x === m.b.x && l.b.y === m.b.y && l.name === m.name)) out.push(`${l.name} / ${m.name}`);
      for (const s of states) if (hit(l.b, s.b)) out.push(`${l.name} / ${s.name}`);
    });
    return out;
  });
}

export async function filterText(page: Page, text: string): Promise<void> {
  await page.fill('#f-text', text);
  await page.waitForFunction((t) => {
    const rows = [...document.querySelectorAll('[data-testid=rows] .row')];
    return rows.length > 0 && (t === '' || rows.every((r) => r.getAttribute('title')!.toLowerCase().includes(t.toLowerCase())))
      && document.querySelector('[data-testid=row-count]')!.textContent!.includes(t ? 'matching' : 'events');
  }, text);
  await page.keyboard.press('Escape'); // back to the timeline, so ← → step again
}

export async function clickRow(page: Page, seq: number): Promise<void> {
  await page.click(`[data-testid=rows] .row[data-seq="${seq}"] .event`);
}

/** Filter the timeline by actor (and optionally type), the way a user types it. */
export async function filterActor(page: Page, actor: string, type = ''): Promise<void> {
  await page.fill('#f-actor', actor);
  await page.selectOption('#f-type', type);
  await page.waitForFunction(({ actor, type }) => {
    const rows = [...document.querySelectorAll('[data-testid=rows] .row')];
    const count = document.querySelector('[data-testid=row-count]')!.textContent!;
    if (!actor && !type) return count.endsWith(' events');
    return count.endsWith('matching') && rows.length > 0 && rows.every((r) => r.querySelector('.actor')!.textContent === actor || !actor);
  }, { actor, type });
  await page.keyboard.press('Escape');
}
