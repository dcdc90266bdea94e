/**
 * The seed log in real headless Chromium: step to the reviewer's partial
 * removal, see the removed range and the memmap left in it, step on to the
 * fault and back, statechart of the block, breakpoints, play, plot.
 * Screenshots go to test-output/inspector/.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startInspector, type RunningInspector } from '../../src/inspector/index.ts';
import { backendFromLog } from '../../src/inspector/engine-backend.ts';
import { launch, openPage, shot } from './helpers/browser.ts';
import { SEED, tempDir, writeScenarioLog } from './helpers/logs.ts';
import { clickRow, filterActor, filterText, hoverBlock, invariant, redPixels, seqLabel, waitSeq } from './helpers/page.ts';

let browser: Browser;
let inspector: RunningInspector;
let page: Page;
let errors: string[];
let lastSeq: number;

const dir = tempDir();

beforeAll(async () => {
  const log = writeScenarioLog(SEED, dir);
  lastSeq = log.lastSeq;
  inspector = await startInspector({ backend: backendFromLog(log.path) });
  browser = await launch();
  ({ page, errors } = await openPage(browser, inspector.url));
}, 120_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await browser?.close();
  await inspector?.close();
});

describe('seed log: reviewer partial removal (v2, MHP_MEMMAP_DEVICE)', { timeout: 30_000 }, () => {
  it('opens at the booted system with the whole log in the timeline', async () => {
    expect(await seqLabel(page)).toBe(`seq 0 / ${lastSeq}`);
    expect(await page.textContent('[data-testid=row-count]')).toBe(`${lastSeq} events`);
    expect(await page.textContent('[data-testid=log-name]')).toContain('1 GiB DEVICE add, then remove the first block');
  });

  it('steps to the removal of the first 128 MiB: removed range, memmap of the rest inside it', async () => {
    await filterText(page, 'remove_memory');
    const row = await page.getAttribute('[data-testid=rows] .row', 'data-seq');
    await clickRow(page, Number(row));
    await waitSeq(page, Number(row));
    await filterText(page, '');
    // step through the removal's effects to the iomem release
    const release = Number(row) + 5;
    for (let s = Number(row); s < release; s++) await page.keyboard.press('ArrowRight');
    await waitSeq(page, release);
    expect(await page.textContent('[data-testid=event-title]')).toContain('iomem · resource release');
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/1 removed range\(s\) · 0 fault\(s\)/);
    expect(await hoverBlock(page, 64)).toContain('REMOVED');
    const b65 = await hoverBlock(page, 65);
    expect(b65).toContain('memory65 @ 0x208000000 · online Movable');
    expect(b65).toContain('memmap altmap on altmap head pfn 0x200000 (memory64) · MEMMAP IN REMOVED MEMORY');
    expect(await invariant(page, 'memmap-in-present-memory')).toBe('broken');
    expect(await invariant(page, 'no-fault')).toBe('ok');
    await shot(page, '01-seed-partial-remove');
  });

  it('steps on to the fault: block 65 is marked, the invariant breaks', async () => {
    const before = await redPixels(page, 65);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await waitSeq(page, lastSeq - 1);
    expect(await page.textContent('[data-testid=event-title]')).toContain('memory65 · FAULT memmap-in-removed-memory');
    expect(await page.textContent('[data-testid=map-summary]')).toContain('1 fault(s)');
    expect(await hoverBlock(page, 65)).toContain('FAULT @seq 303: BUG: unable to handle page fault');
    await page.mouse.move(0, 0);
    expect(await redPixels(page, 65)).toBeGreaterThan(before * 1.3);
    expect(await invariant(page, 'no-fault')).toBe('broken');
    expect(await page.textContent('[data-testid=diff]')).toContain('faults[seq303]');
    await shot(page, '02-seed-fault');
  });

  it('steps back: the fault is gone again, the removed range stays', async () => {
    const faulted = await redPixels(page, 65);
    await page.keyboard.press('ArrowLeft');
    await waitSeq(page, lastSeq - 2);
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/1 removed range\(s\) · 0 fault\(s\)/);
    expect(await hoverBlock(page, 65)).not.toContain('FAULT');
    await page.mouse.move(0, 0);
    expect(await redPixels(page, 65)).toBeLessThan(faulted);
    expect(await invariant(page, 'no-fault')).toBe('ok');
    await shot(page, '03-seed-step-back');
  });

  it('draws the selected block\'s statechart with its state and last transition', async () => {
    await filterActor(page, 'memory65', 'transition');
    expect(await page.$$eval('[data-testid=rows] .row', (rs) => rs.map((r) => r.querySelector('.event')!.textContent))).toEqual(['ADD', 'ONLINE']);
    await clickRow(page, 288);
    await waitSeq(page, 288);
    await filterActor(page, '');
    expect(await page.textContent('[data-testid=actor-name]')).toBe('memory65 · online');
    expect(await page.locator('#chart g.current[data-state="memory_block.online"]').count()).toBe(1);
    expect(await page.locator('#chart g.last[data-edge="memory_block.offline->memory_block.online:ONLINE"]').count()).toBe(1);
    expect(await page.textContent('[data-testid=actor-context]')).toContain('"zone": "Movable"');
    expect(await page.textContent('[data-testid=actor-history]')).toContain('288  ONLINE: offline → online');
    await shot(page, '04-actor-statechart');
  });

  it('breaks on a seq breakpoint and on a filter, forwards and backwards', async () => {
    await page.selectOption('#f-type', 'fault');
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]')!.textContent === '1 matching');
    await page.click('#bp-filter');
    await page.selectOption('#f-type', '');
    await filterText(page, 'remove_memory');
    await page.click('[data-testid=rows] .row[data-seq="296"] .bp');
    await filterText(page, '');
    expect(await page.textContent('[data-testid=bp-list]')).toContain('at seq 296');
    expect(await page.textContent('[data-testid=bp-list]')).toContain('on type=fault');
    await page.keyboard.press('Home');
    await waitSeq(page, 0);
    await page.click('#bp-continue');
    await waitSeq(page, 296);
    await page.click('#bp-continue');
    await waitSeq(page, 303);
    await page.click('#bp-continue');
    await page.waitForFunction(() => document.querySelector('[data-testid=status]')!.textContent === 'no breakpoint ahead');
    expect(await seqLabel(page)).toBe(`seq 303 / ${lastSeq}`);
    await page.click('#bp-back');
    await waitSeq(page, 296);
    await shot(page, '05-breakpoints');
  });

  it('plays until the next breakpoint', async () => {
    await page.click('[data-testid=bp-list] li:first-child button'); // drop seq 296
    await page.keyboard.press('Home');
    await waitSeq(page, 0);
    await page.click('[data-testid=rows] .row[data-seq="12"] .bp');
    await page.click('#play');
    await waitSeq(page, 12);
    await page.waitForFunction(() => document.querySelector('#play')!.textContent === '▶ play');
    expect(await seqLabel(page)).toBe(`seq 12 / ${lastSeq}`);
  });

  it('moves the cursor from the accounting plot', async () => {
    const box = (await page.locator('[data-testid=plot]').boundingBox())!;
    // the plot spans the log between its 50 px axis and a 10 px margin
    await page.mouse.click(box.x + 50 + (box.width - 60) * 0.75, box.y + box.height / 2);
    await page.waitForFunction(() => !document.querySelector('[data-testid=seq-label]')!.textContent!.startsWith('seq 12 /'));
    const seq = Number(/^seq (\d+)/.exec(await seqLabel(page))![1]);
    expect(Math.abs(seq - 0.75 * lastSeq)).toBeLessThan(lastSeq * 0.02);
    expect(await page.textContent('#plot-legend')).toContain('node1');
    await page.keyboard.press('Home');
    await waitSeq(page, 0);
    expect(errors).toEqual([]);
  });
});
