/**
 * A 1,000,000-event log of a 32,768-block machine in real headless Chromium:
 * the map draws every block on one canvas, the scrubber and the virtual
 * timeline move through the whole log, and filtering runs on the server.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startInspector, type RunningInspector } from '../../src/inspector/index.ts';
import { backendFromLog } from '../../src/inspector/engine-backend.ts';
import { launch, OUT_DIR, shot } from './helpers/browser.ts';
import { countBytes, instrument, longTasksSince, mapReadyMs, median, now, percentile, timedStep } from './helpers/perf.ts';
import { tempDir } from './helpers/logs.ts';
import { writeBigLogFile } from '../../scripts/workload.ts';
import { measureServe } from './helpers/serve-cli.ts';
import { filterActor, hoverBlock, seqLabel, waitSeq } from './helpers/page.ts';

let browser: Browser;
let inspector: RunningInspector;
let page: Page;
let errors: string[];
let lastSeq: number;
let bytes: { total: () => number };
/** Measured figures (never targets): written to test-output/inspector/perf.json by the last test. */
const perf: Record<string, number> = {};

const WORKLOAD = process.env.MEMHP_BIGLOG === 'first' ? 'first' : 'churn';

/** The seq of a log file's last record (its last line ends the last batch). */
function lastSeqOf(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return Number([...tail.toString('utf8').matchAll(/\{"seq":(\d+),/g)].at(-1)![1]);
  } finally {
    closeSync(fd);
  }
}

const cursorOf = async () => Number(/^seq (\d+)/.exec(await seqLabel(page))![1]);

const dir = tempDir();

beforeAll(async () => {
  // the churning workload (its cycle really onlines and offlines); MEMHP_BIGLOG=first: the log as first measured
  // MEMHP_BIGLOG_FILE: a log of this workload written before (writing one takes a minute); else a new one
  const reuse = process.env.MEMHP_BIGLOG_FILE;
  const log = reuse && existsSync(reuse) ? { path: reuse, lastSeq: lastSeqOf(reuse) }
    : writeBigLogFile(join(dir, 'big.jsonl'), 1_000_000, { churn: WORKLOAD === 'churn' });
  lastSeq = log.lastSeq;
  // `memhp inspect` on the log in its own process, alone: when it serves, when the log is loaded, its peak memory
  Object.assign(perf, await measureServe(log.path));
  inspector = await startInspector({ backend: backendFromLog(log.path) });
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1680, height: 1050 } });
  errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  bytes = countBytes(page);
  // the server is ready (its URL is known): from here to a drawn map is the page's open time
  await page.goto(inspector.url);
  perf.mapReadyMs = await mapReadyMs(page);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  await instrument(page);
}, 600_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await browser?.close();
  await inspector?.close();
});

describe('1,000,000 events, 32,768 blocks', { timeout: 300_000 }, () => {
  it('opens with the whole log in the timeline and every block on the map', async () => {
    expect(lastSeq).toBeGreaterThanOrEqual(1_000_000);
    // it opens on the booted machine: the end of the boot op
    const opened = /^seq (\d+) \/ (\d+)$/.exec(await seqLabel(page))!;
    expect(Number(opened[2])).toBe(lastSeq);
    await waitSeq(page, Number(opened[1]));
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/^8192 blocks of 128M/);
    expect(await page.textContent('[data-testid=event-title]')).toMatch(/ · (hotplug|node\d|memory\d+|section\d+|kernel|knob)/);
    expect(await page.textContent('[data-testid=row-count]')).toBe(`${lastSeq.toLocaleString('en')} events`);
    // one canvas, not a DOM node per block
    expect(await page.locator('[data-testid=map]').evaluate((c) => c.tagName)).toBe('CANVAS');
    // (the accounting table under the plot is a row per node and zone)
    expect(await page.locator('#map-panel *').count()).toBeLessThan(400);
    await page.keyboard.press('End');
    await waitSeq(page, lastSeq);
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/^32768 blocks of 128M/);
    expect(await hoverBlock(page, 32767)).toContain('memory32767 @ 0x3fff8000000');
    // memmap_on_memory: each hot-added block holds its own altmap, no rail to draw
    expect(await hoverBlock(page, 20000)).toMatch(/memory20000 @ 0x27100000000 · .*vmemmap pages inside[\s\S]*memmap in the altmap @ pfn 0x27100000 \(memory20000\), pages 0–511 of 512/);
    expect(await hoverBlock(page, 100)).toContain('memmap (boot) on node 0');
    expect(await page.locator('#map-panel *').count()).toBeLessThan(400);
    expect(await page.locator('[data-testid=rows] .row').count()).toBeLessThan(60);
    expect(await page.textContent('[data-testid=invariants] li[data-invariant="memmap-in-present-memory"]')).toBe('memmap-in-present-memory');
    // every invariant runs per step, even on 32,768 blocks
    expect(await page.textContent('[data-testid=invariants] li[data-invariant="accounting-matches-blocks"]')).toBe('accounting-matches-blocks');
  });

  it('steps with the arrow keys: each step brings a patch of the map, not the map', async () => {
    // somewhere in the add/remove churn, on an operation's effects
    const start = Math.round(lastSeq * 0.9);
    await page.evaluate((s) => { const r = document.querySelector<HTMLInputElement>('#scrubber')!; r.value = String(s); r.dispatchEvent(new Event('input')); }, start);
    await waitSeq(page, start);
    await page.focus('[data-testid=rows]');
    const steps = [];
    for (let i = 1; i <= 20; i++) steps.push(await timedStep(page, bytes, 'ArrowRight', start + i));
    for (let i = 19; i >= 10; i--) steps.push(await timedStep(page, bytes, 'ArrowLeft', start + i));
    perf.stepMedianMs = Math.round(median(steps.map((s) => s.ms)));
    perf.stepP95Ms = Math.round(percentile(steps.map((s) => s.ms), 95));
    perf.stepBytesMedian = Math.round(median(steps.map((s) => s.bytes)));
    // what a step brings is what changed: a few KB, where the whole map is megabytes
    expect(perf.stepBytesMedian).toBeGreaterThan(0);
    expect(perf.stepBytesMedian).toBeLessThan(256 * 1024);
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/^32\d{3} blocks of 128M/);
    await shot(page, '08a-million-stepped');
  });

  it('scrubs through the log with the mouse', async () => {
    const bar = (await page.locator('#scrubber').boundingBox())!;
    const y = bar.y + bar.height / 2;
    await page.mouse.move(bar.x + bar.width * 0.1, y);
    await page.mouse.down();
    const t0 = await now(page);
    const seen = new Set<number>();
    for (let i = 1; i <= 10; i++) {
      await page.mouse.move(bar.x + bar.width * (0.1 + 0.05 * i), y);
      seen.add(await cursorOf());
    }
    await page.mouse.up();
    // long tasks (≥ 50 ms, the longtask API's threshold) while the page follows the scrub; 0 = none reached 50 ms
    await waitSeq(page, await cursorOf());
    perf.scrubLongestTaskMs = Math.round(Math.max(0, ...(await longTasksSince(page, t0))));
    expect(seen.size).toBeGreaterThan(5);
    const at = await cursorOf();
    // the thumb's width makes the track slightly shorter than the box
    expect(Math.abs(at / lastSeq - 0.6)).toBeLessThan(0.06);
    await waitSeq(page, at);
    // the timeline followed: the cursor's row is on screen and marked
    expect(await page.getAttribute('[data-testid=rows] .row.cur', 'data-seq')).toBe(String(at));
    // the selected actor (one of the cycled blocks or its section, the step's own actor) shows its history around the step
    expect(await page.textContent('[data-testid=actor-name]')).toMatch(/^(section|memory)3276\d · /);
    expect(await page.textContent('[data-testid=actor-history]')).toMatch(/… \d+ earlier[\s\S]*… \d+ later/);
    await shot(page, '08-million-scrubbed');
  });

  it('scrolls the virtual timeline anywhere in the log', async () => {
    const first = async () => Number(await page.getAttribute('[data-testid=rows] .row', 'data-seq'));
    const before = await first();
    await page.hover('[data-testid=rows]');
    await page.mouse.wheel(0, 2000);
    await page.waitForFunction((b) => Number(document.querySelector('[data-testid=rows] .row')!.getAttribute('data-seq')) > b, before);
    const bar = (await page.locator('#rows-scroll').boundingBox())!;
    await page.mouse.click(bar.x + bar.width / 2, bar.y + bar.height * 0.25);
    await page.waitForFunction((l) => Math.abs(Number(document.querySelector('[data-testid=rows] .row')!.getAttribute('data-seq')) / l - 0.25) < 0.05, lastSeq);
    expect(Math.abs((await first()) / lastSeq - 0.25)).toBeLessThan(0.05);
  });

  it('filters a million events on the server', async () => {
    await filterActor(page, 'memory32767', 'transition');
    const count = await page.textContent('[data-testid=row-count]');
    expect(count).toMatch(/^[\d,]+ matching$/);
    expect(Number(count!.replace(/[^\d]/g, ''))).toBeGreaterThan(1000);
    const actors = await page.$$eval('[data-testid=rows] .row .actor', (els) => els.map((e) => e.textContent));
    expect(new Set(actors)).toEqual(new Set(['memory32767']));
    await shot(page, '09-million-filtered');
    await filterActor(page, '');
    expect(errors).toEqual([]);
  });

  it('records the measured figures', () => {
    const out = { stepMedianMs: perf.stepMedianMs, stepP95Ms: perf.stepP95Ms, stepBytesMedian: perf.stepBytesMedian,
      scrubLongestTaskMs: perf.scrubLongestTaskMs, mapReadyMs: Math.round(perf.mapReadyMs!),
      serverReadyMs: perf.serverReadyMs, serverLoadedMs: perf.serverLoadedMs, serverPeakRssMB: perf.serverPeakRssMB, events: lastSeq, blocks: 32768 };
    for (const [k, v] of Object.entries(out)) expect(Number.isFinite(v), k).toBe(true);
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(join(OUT_DIR, 'perf.json'), JSON.stringify({ ...out, workload: WORKLOAD }, null, 2) + '\n');
  });
});
