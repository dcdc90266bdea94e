/**
 * Timings the browser tests record (never assert): key press to the page
 * showing the step (map, panels and invariants), the bytes the WebSocket
 * brought for it, long tasks while scrubbing, and page open to a drawn map.
 * The page marks `memhp:shown` (detail.seq) when everything shows a step and
 * `memhp:map-drawn` when the map is first drawn.
 */
import type { Page } from 'playwright-core';

export interface StepTiming { ms: number; bytes: number }

/** Counts the bytes of every WebSocket frame the page receives. */
export function countBytes(page: Page): { total: () => number } {
  let total = 0;
  page.on('websocket', (ws) => ws.on('framereceived', (f) => { total += typeof f.payload === 'string' ? Buffer.byteLength(f.payload) : f.payload.length; }));
  return { total: () => total };
}

/** Record key presses (their event time) and long tasks in the page. */
export async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __keys: number[]; __long: Array<{ start: number; ms: number }> };
    w.__keys = [];
    w.__long = [];
    document.addEventListener('keydown', (e) => w.__keys.push(e.timeStamp), { capture: true });
    new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__long.push({ start: e.startTime, ms: e.duration }); }).observe({ type: 'longtask' });
  });
}

async function quiet(bytes: { total: () => number }, ms = 150): Promise<void> {
  let last = bytes.total();
  for (;;) {
    await new Promise((r) => setTimeout(r, ms));
    const now = bytes.total();
    if (now === last) return;
    last = now;
  }
}

/** One arrow-key step: from the key's event time to the `memhp:shown` mark of the new seq. */
export async function timedStep(page: Page, bytes: { total: () => number }, key: 'ArrowRight' | 'ArrowLeft', expectSeq: number): Promise<StepTiming> {
  await quiet(bytes);
  const before = bytes.total();
  await page.keyboard.press(key);
  await page.waitForFunction((s) => document.body.dataset.shownSeq === String(s), expectSeq, { timeout: 60_000 });
  const ms = await page.evaluate((s) => {
    const w = window as unknown as { __keys: number[] };
    const key = w.__keys[w.__keys.length - 1]!;
    const shown = performance.getEntriesByName('memhp:shown').filter((m) => (m as PerformanceMark).detail?.seq === s).pop()!;
    return shown.startTime - key;
  }, expectSeq);
  await quiet(bytes);
  return { ms, bytes: bytes.total() - before };
}

export async function longTasksSince(page: Page, t: number): Promise<number[]> {
  return page.evaluate((t) => (window as unknown as { __long: Array<{ start: number; ms: number }> }).__long.filter((e) => e.start >= t).map((e) => e.ms), t);
}

export const now = (page: Page) => page.evaluate(() => performance.now());

/** Page open (navigation start) to the first drawn map. */
export async function mapReadyMs(page: Page): Promise<number> {
  await page.waitForFunction(() => performance.getEntriesByName('memhp:map-drawn').length > 0, undefined, { timeout: 120_000 });
  return page.evaluate(() => performance.getEntriesByName('memhp:map-drawn')[0]!.startTime);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
