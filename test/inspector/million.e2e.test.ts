/**
 * A 1,000,000-event log of a 32,768-block machine in real headless Chromium:
 * the map draws every block on one canvas, the scrubber and the virtual
 * timeline move through the whole log, and filtering runs on the server.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startInspector, type RunningInspector } from '../../src/inspector/index.ts';
import { backendFromLog } from '../../src/inspector/engine-backend.ts';
import { launch, openPage, shot } from './helpers/browser.ts';
import { tempDir, writeBigLog } from './helpers/logs.ts';
import { filterActor, hoverBlock, seqLabel, waitSeq } from './helpers/page.ts';

let browser: Browser;
let inspector: RunningInspector;
let page: Page;
let errors: string[];
let lastSeq: number;

const cursorOf = async () => Number(/^seq (\d+)/.exec(await seqLabel(page))![1]);

const dir = tempDir();

beforeAll(async () => {
  const log = writeBigLog(dir, 1_000_000);
  lastSeq = log.lastSeq;
  inspector = await startInspector({ backend: backendFromLog(log.path) });
  browser = await launch();
  ({ page, errors } = await openPage(browser, inspector.url));
}, 600_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await browser?.close();
  await inspector?.close();
});

describe('1,000,000 events, 32,768 blocks', { timeout: 120_000 }, () => {
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
    expect(await page.locator('#map-panel *').count()).toBeLessThan(100);
    await page.keyboard.press('End');
    await waitSeq(page, lastSeq);
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/^32768 blocks of 128M/);
    expect(await hoverBlock(page, 32767)).toContain('memory32767 @ 0x3fff8000000');
    // memmap_on_memory: each hot-added block holds its own altmap, no rail to draw
    expect(await hoverBlock(page, 20000)).toMatch(/memory20000 @ 0x27100000000 · .*vmemmap pages inside[\s\S]*memmap in the altmap @ pfn 0x27100000 \(memory20000\), pages 0–511 of 512/);
    expect(await hoverBlock(page, 100)).toContain('memmap (boot) on node 0');
    expect(await page.locator('#map-panel *').count()).toBeLessThan(100);
    expect(await page.locator('[data-testid=rows] .row').count()).toBeLessThan(60);
    expect(await page.textContent('[data-testid=invariants] li[data-invariant="memmap-in-present-memory"]')).toBe('memmap-in-present-memory');
    // every invariant runs per step, even on 32,768 blocks
    expect(await page.textContent('[data-testid=invariants] li[data-invariant="accounting-matches-blocks"]')).toBe('accounting-matches-blocks');
  });

  it('scrubs through the log with the mouse', async () => {
    const bar = (await page.locator('#scrubber').boundingBox())!;
    const y = bar.y + bar.height / 2;
    await page.mouse.move(bar.x + bar.width * 0.1, y);
    await page.mouse.down();
    const seen = new Set<number>();
    for (let i = 1; i <= 10; i++) {
      await page.mouse.move(bar.x + bar.width * (0.1 + 0.05 * i), y);
      seen.add(await cursorOf());
    }
    await page.mouse.up();
    expect(seen.size).toBeGreaterThan(5);
    const at = await cursorOf();
    // the thumb's width makes the track slightly shorter than the box
    expect(Math.abs(at / lastSeq - 0.6)).toBeLessThan(0.06);
    await waitSeq(page, at);
    // the timeline followed: the cursor's row is on screen and marked
    expect(await page.getAttribute('[data-testid=rows] .row.cur', 'data-seq')).toBe(String(at));
    // the selected actor (one of the last GiB's blocks 32760-32767 or its section, cycled all through the log) shows
    // its history around the step; which one depends on the event under the pointer, i.e. on the scrubber's width in pixels
    expect(await page.textContent('[data-testid=actor-name]')).toMatch(/^(section|memory)3276[0-7] · /);
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
});
