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
import { cellPixels, clickRow, filterActor, filterText, hoverBlock, invariant, redPixels, seqLabel, statechartOverlaps, waitSeq } from './helpers/page.ts';
import { readLog } from '../../src/log/index.ts';

const VIOLET: [number, number, number] = [0xc9, 0xa0, 0xff];
const VIOLET_LOST: [number, number, number] = [0x7d, 0x3f, 0x86];
const WHITE: [number, number, number] = [255, 255, 255];

let browser: Browser;
let inspector: RunningInspector;
let page: Page;
let errors: string[];
let lastSeq: number;
/** Last event of the boot op: the page opens there. */
let bootEnd: number;

const dir = tempDir();

beforeAll(async () => {
  const log = writeScenarioLog(SEED, dir);
  lastSeq = log.lastSeq;
  bootEnd = readLog(log.path).events.filter((e) => e.type === 'op')[1]!.seq - 1;
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
  it('opens at the booted system with the whole log in the timeline and the keys on the page', async () => {
    expect(await seqLabel(page)).toBe(`seq ${bootEnd} / ${lastSeq}`);
    expect(await page.textContent('[data-testid=row-count]')).toBe(`${lastSeq} events`);
    expect(await page.textContent('[data-testid=log-name]')).toContain('1 GiB DEVICE add, then remove the first block');
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/^64 blocks of 128M · 64 online/);
    const help = await page.textContent('[data-testid=help]');
    for (const key of ['←', '→', 'Home', 'End', 'Esc']) expect(help).toContain(key);
    // before the boot op the map is empty, and says so
    await page.keyboard.press('Home');
    await waitSeq(page, 0);
    expect(await page.textContent('[data-testid=map-detail]')).toContain('No memory at this step');
    expect(await page.textContent('[data-testid=step-op]')).toContain(`boot ends at seq ${bootEnd}`);
    expect(await page.textContent('[data-testid=actor-name]')).toBe('');
    expect(await page.textContent('[data-testid=chart]')).toContain('Click a block on the map');
  });

  it('reads operations as calls with their return values, and shows an op\'s whole change', async () => {
    await filterText(page, 'remove_memory');
    expect(await page.textContent('[data-testid=rows] .row.op[data-seq="296"] .event')).toBe('▶ remove_memory start=8G size=128M → 0');
    await clickRow(page, 296);
    await waitSeq(page, 296);
    await filterText(page, '');
    expect(await page.textContent('[data-testid=event-title]')).toBe('seq 296 · remove_memory start=8G size=128M → 0');
    expect(await page.textContent('[data-testid=step-op]')).toContain('whole operation: the world before seq 296 → after seq 301 (5 effect events)');
    const diff = (await page.textContent('[data-testid=diff]'))!;
    expect(diff).not.toContain('no change');
    expect(diff).toMatch(/blocks\[64\] gone/);
    expect(diff).toMatch(/sections\[65\] memmapLost: false → true/);
    expect(diff).toContain('iomem.removed');
    // the invariants after the operation: the memmap of 65..71 is in removed memory
    expect(await page.textContent('[data-testid=inv-at]')).toBe('after the operation (seq 301)');
    expect(await invariant(page, 'memmap-in-present-memory')).toBe('broken');
    // an effect names its op, and jumps back to it
    await page.keyboard.press('ArrowRight');
    await waitSeq(page, 297);
    expect(await page.textContent('[data-testid=step-op]')).toBe('step 1 of 5 of seq 296 remove_memory start=8G size=128M → 0');
    await page.click('[data-testid=step-op] button');
    await waitSeq(page, 296);
    await shot(page, '00-seed-op-diff');
  });

  it('shows a failed operation\'s errno and message', async () => {
    await filterText(page, 'touch');
    expect(await page.getAttribute('[data-testid=rows] .row[data-seq="302"]', 'class')).toContain('failed');
    await clickRow(page, 302);
    await waitSeq(page, 302);
    await filterText(page, '');
    expect(await page.textContent('[data-testid=event-title]')).toBe('seq 302 · touch block=65 → -14 EFAULT');
    expect(await page.textContent('[data-testid=step-op] .errno')).toMatch(/^returned -14 EFAULT/);
    expect(await page.textContent('[data-testid=diff]')).toContain('faults[0]');
  });

  it('says when nothing matches the filter', async () => {
    await page.fill('#f-actor', 'memory999');
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]')!.textContent === '0 matching');
    expect(await page.isVisible('[data-testid=rows-empty]')).toBe(true);
    expect(await page.textContent('[data-testid=rows-empty]')).toContain('No event matches this filter');
    await filterActor(page, '');
    expect(await page.isVisible('[data-testid=rows-empty]')).toBe(false);
  });

  it('draws where the DEVICE range\'s memmap lives: altmap pages in block 64, a rail from 65–71', async () => {
    await filterText(page, 'remove_memory');
    await clickRow(page, 296);
    await waitSeq(page, 296);
    await filterText(page, '');
    // the operation shows the world after it; the world before it is one key away
    await page.keyboard.press('ArrowLeft');
    await waitSeq(page, 295);
    await page.mouse.move(0, 0);
    expect(await cellPixels(page, 64, VIOLET)).toBeGreaterThan(50); // 4096 vmemmap pages = 1/8 of the block
    for (const id of [65, 68, 71]) expect(await cellPixels(page, id, VIOLET)).toBeGreaterThan(10); // corner + rail
    expect(await cellPixels(page, 63, VIOLET)).toBe(0); // a boot block: memmap on its node
    expect(await hoverBlock(page, 64)).toContain('holds the altmap at pfn 0x200000: 4096 pages, struct pages of this block and memory65–71');
    // hovering a block served from elsewhere outlines its slice of the altmap in block 64
    await page.mouse.move(0, 0);
    const plain = await cellPixels(page, 64, WHITE, 20);
    expect(await hoverBlock(page, 67)).toContain('memmap in the altmap @ pfn 0x200000 (memory64), pages 1536–2047 of 4096');
    expect(await cellPixels(page, 64, WHITE, 20)).toBeGreaterThan(plain + 10);
    expect(await hoverBlock(page, 3)).toContain('memmap (boot) on node 0');
    expect(await hoverBlock(page, 40)).toContain('memmap (boot) on node 1');
    await page.mouse.move(0, 0);
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
    expect(b65).toContain('memmap in the altmap @ pfn 0x200000 (memory64), pages 512–1023 of 4096 · MEMMAP IN REMOVED MEMORY');
    expect(await hoverBlock(page, 64)).toContain('held the altmap at pfn 0x200000 (4096 vmemmap pages) with the struct pages of memory65–71');
    await page.mouse.move(0, 0);
    // the altmap's pages are drawn where they were, in the removed range
    expect(await cellPixels(page, 64, VIOLET_LOST)).toBeGreaterThan(50);
    expect(await cellPixels(page, 64, VIOLET)).toBe(0);
    expect(await invariant(page, 'memmap-in-present-memory')).toBe('broken');
    expect(await invariant(page, 'no-fault')).toBe('ok');
    await hoverBlock(page, 66);
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
    expect(await page.textContent('[data-testid=diff]')).toContain('faults[0]');
    await shot(page, '02-seed-fault');
  });

  it('steps back: the fault is gone again, the removed range stays', async () => {
    const faulted = await redPixels(page, 65);
    await page.keyboard.press('ArrowLeft');
    await waitSeq(page, lastSeq - 2);
    // seq 302 is the touch op itself: map, change and invariants all show the world after it
    expect(await page.textContent('[data-testid=map-at]')).toContain(`after the operation (seq ${lastSeq})`);
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/1 removed range\(s\) · 1 fault\(s\)/);
    expect(await page.textContent('[data-testid=inv-at]')).toBe(`after the operation (seq ${lastSeq})`);
    expect(await invariant(page, 'no-fault')).toBe('broken');
    // one key back: the world before the operation
    await page.keyboard.press('ArrowLeft');
    await waitSeq(page, lastSeq - 3);
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/1 removed range\(s\) · 0 fault\(s\)/);
    expect(await hoverBlock(page, 65)).not.toContain('FAULT');
    await page.mouse.move(0, 0);
    expect(await redPixels(page, 65)).toBeLessThan(faulted);
    expect(await page.textContent('[data-testid=inv-at]')).toBe(`at seq ${lastSeq - 3}`);
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
    // every state and transition label has its own place
    expect(await page.locator('#chart text.edge-label').count()).toBe(14); // memory_block: 14 transitions, SET_ONLINE_TYPE and FAKE_OFFLINE while offline and while online among them
    expect(await statechartOverlaps(page)).toEqual([]);
    // inside the ONLINE operation the block is online before its section: a transient break, healed at the op's end
    expect(await invariant(page, 'block-sections-agree')).toBe('transient');
    expect(await page.textContent('[data-testid=invariants] li[data-invariant="block-sections-agree"]')).toContain('holds at seq 290');
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
    // the button shows a pause icon (drawn, not a font glyph that may be missing) while playing
    await page.waitForFunction(() => document.querySelector('#play')!.classList.contains('playing'));
    expect(await page.isVisible('#play .icon-pause')).toBe(true);
    expect(await page.textContent('#play')).toContain('pause');
    await waitSeq(page, 12);
    await page.waitForFunction(() => !document.querySelector('#play')!.classList.contains('playing'));
    expect(await page.textContent('#play')).toContain('play');
    expect(await seqLabel(page)).toBe(`seq 12 / ${lastSeq}`);
    expect(await page.textContent('[data-testid=status]')).toBe('stopped at breakpoint, seq 12');
    // Home: the status says where the cursor went, not what the last breakpoint search found
    await page.keyboard.press('Home');
    await waitSeq(page, 0);
    expect(await page.textContent('[data-testid=status]')).toBe('start of the log');
    await page.click('[data-testid=rows] .row[data-seq="12"] .bp'); // drop it
  });

  it('plays faster with the speed control, and pauses', async () => {
    await page.selectOption('[data-testid=speed]', '100');
    // choosing a speed hands the keys back to the timeline
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('rows');
    await page.selectOption('[data-testid=speed]', '30');
    await page.click('#play');
    await page.waitForFunction(() => Number(/^seq (\d+)/.exec(document.querySelector('[data-testid=seq-label]')!.textContent!)![1]) > 60);
    await page.click('#play');
    await page.waitForFunction(() => !document.querySelector('#play')!.classList.contains('playing'));
    const at = Number(/^seq (\d+)/.exec(await seqLabel(page))![1]);
    expect(await page.textContent('[data-testid=status]')).toBe(`paused at seq ${at}`);
    await page.selectOption('[data-testid=speed]', '10');
  });

  it('moves the cursor from the accounting plot', async () => {
    const box = (await page.locator('[data-testid=plot]').boundingBox())!;
    const before = await seqLabel(page);
    // one column per operation, between the 58 px axis and a 10 px margin: the last operation is the touch
    await page.mouse.click(box.x + box.width - 14, box.y + box.height / 2);
    await page.waitForFunction((b) => document.querySelector('[data-testid=seq-label]')!.textContent !== b, before);
    const seq = Number(/^seq (\d+)/.exec(await seqLabel(page))![1]);
    await waitSeq(page, seq);
    expect(await page.textContent('[data-testid=event-title]')).toBe(`seq ${seq} · touch block=65 → -14 EFAULT`);
    await page.mouse.move(0, 0);
    expect(await page.textContent('#plot-legend')).toContain('node1');
    // the hotplug machine's chart is readable too
    await page.keyboard.press('End');
    await waitSeq(page, lastSeq);
    expect(await page.textContent('[data-testid=actor-name]')).toBe('hotplug · tainted');
    await shot(page, '14-seed-hotplug-chart');
    expect(await statechartOverlaps(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('seed log: reading it', { timeout: 30_000 }, () => {
  it('says how the log ends in the header, and jumps to each', async () => {
    const outcome = (await page.textContent('[data-testid=outcome]'))!;
    expect(outcome).toContain('1 fault');
    expect(outcome).toContain(`tainted from seq ${lastSeq}`);
    expect(outcome).toContain('1 failed op');
    await page.click('[data-outcome=fault] summary');
    expect(await page.textContent('[data-outcome=fault] li')).toContain('memory65 section65: BUG: unable to handle page fault');
    await page.click('[data-outcome=fault] li button');
    await waitSeq(page, lastSeq - 1);
    await page.click('[data-outcome=failed] summary');
    await page.click('[data-outcome=failed] li button');
    await waitSeq(page, lastSeq - 2);
    await page.click('[data-outcome=taint]');
    await waitSeq(page, lastSeq);
    await shot(page, '10-seed-outcome');
  });

  it('selects an operation as the world after it, with the world before it one key away', async () => {
    const add = 264; // add_memory 1 GiB DEVICE: its effects make memory64–71
    await filterText(page, 'add_memory');
    await clickRow(page, add);
    await waitSeq(page, add);
    await filterText(page, '');
    expect(await page.textContent('[data-testid=map-at]')).toContain('after the operation (seq 282)');
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/^72 blocks/);
    expect(await hoverBlock(page, 70)).toContain('memory70 @ 0x230000000 · offline');
    expect(await page.textContent('[data-testid=diff]')).toMatch(/blocks\[64\] added/);
    expect(await page.textContent('[data-testid=inv-at]')).toBe('after the operation (seq 282)');
    expect(await page.textContent('[data-testid=step-op]')).toContain('← before it (seq 263)');
    await shot(page, '11-seed-op-after');
    await page.keyboard.press('ArrowLeft');
    await waitSeq(page, add - 1);
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/^64 blocks/);
    expect(await hoverBlock(page, 70)).toContain('no memory');
    expect(await page.textContent('[data-testid=map-at]')).toBe(`at seq ${add - 1}`);
    await page.mouse.move(0, 0);
  });

  it('plots accounting by operation, with values on hover, zoom, and a table at the cursor', async () => {
    const add = 264;
    await filterText(page, 'add_memory');
    await clickRow(page, add);
    await waitSeq(page, add);
    await filterText(page, '');
    expect(await page.textContent('[data-testid=plot-range]')).toMatch(/^all \d+ operations/);
    // the table: per node and zone, the cells this operation changed highlighted
    const table = page.locator('[data-testid=acct-table]');
    expect(await table.locator('tr[data-row="node0"] th').textContent()).toBe('node0');
    expect(await table.locator('tr[data-row="0/DMA32"]').count()).toBe(1);
    expect(await table.locator('th').allTextContents()).toEqual(expect.arrayContaining(['present', 'managed', 'memmap', 'spanned']));
    // a DEVICE add puts no pages online: nothing in the counters changes until 64 comes online
    await page.keyboard.press('End');
    await waitSeq(page, lastSeq);
    await filterText(page, 'online_movable');
    await clickRow(page, 283);
    await waitSeq(page, 283);
    await filterText(page, '');
    const changed = await table.locator('td.changed').allTextContents();
    expect(changed.some((t) => t.includes('(+32768)'))).toBe(true);
    expect(await table.locator('tr[data-row="0/Movable"] td.changed').count()).toBeGreaterThan(0);
    // hover: the operation and its values
    const box = (await page.locator('[data-testid=plot]').boundingBox())!;
    await page.mouse.move(box.x + box.width - 20, box.y + box.height / 2);
    await page.waitForSelector('[data-testid=plot-tip]:not([hidden])');
    const tip = (await page.textContent('[data-testid=plot-tip]'))!;
    expect(tip).toMatch(/^op \d+ · seq \d+–\d+/);
    expect(tip).toMatch(/node0 present: [\d,]+ pages/);
    await shot(page, '12-seed-accounting-hover');
    // the wheel zooms into operations; the whole log is one button away
    await page.mouse.wheel(0, -300);
    await page.waitForFunction(() => /^operations \d+–\d+ of \d+$/.test(document.querySelector('[data-testid=plot-range]')!.textContent!));
    await page.click('#plot-reset');
    await page.waitForFunction(() => document.querySelector('[data-testid=plot-range]')!.textContent!.startsWith('all '));
    // a click on the plot selects that operation
    await page.mouse.click(box.x + box.width - 20, box.y + box.height / 2);
    await page.waitForFunction(() => document.body.dataset.shownSeq !== '283');
    await page.mouse.move(0, 0);
  });

  it('hands the keys back after choosing a type, shows breakpoint dots, and shows a fault\'s whole reason', async () => {
    await page.keyboard.press('End');
    await waitSeq(page, lastSeq);
    // breakpoint dots are visible before hovering
    const color = await page.$eval('[data-testid=rows] .row .bp', (e) => getComputedStyle(e).color);
    expect(color).not.toBe('rgba(0, 0, 0, 0)');
    await page.selectOption('#f-type', 'fault');
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]')!.textContent === '1 matching');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('rows');
    await page.keyboard.press('ArrowLeft');
    await waitSeq(page, lastSeq - 1);
    expect(await page.inputValue('#f-type')).toBe('fault');
    await page.selectOption('#f-type', '');
    const msg = (await page.textContent('[data-testid=diff] .fault-msg'))!;
    expect(msg).toMatch(/^BUG: unable to handle page fault/);
    expect(msg).not.toContain('…');
  });

  it('lets the selection go once the cursor steps past its removal', async () => {
    await page.keyboard.press('Home');
    await waitSeq(page, 0);
    await filterActor(page, 'section64', 'transition');
    const rm = Number(await page.$$eval('[data-testid=rows] .row', (rs) => rs.find((r) => r.querySelector('.event')!.textContent === 'REMOVE')!.getAttribute('data-seq')));
    await clickRow(page, rm);
    await waitSeq(page, rm);
    await filterActor(page, '');
    expect(await page.textContent('[data-testid=actor-name]')).toBe('section64 · removed');
    await page.keyboard.press('ArrowRight');
    await waitSeq(page, rm + 1);
    expect(await page.textContent('[data-testid=actor-name]')).toBe('');
    expect(await page.textContent('[data-testid=chart]')).toContain(`section64 was removed at seq ${rm}`);
  });

  it('at 1440 px the cursor\'s row and long diff values can be read in full', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await filterText(page, 'remove_memory');
    await clickRow(page, 296);
    await waitSeq(page, 296);
    await filterText(page, '');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await waitSeq(page, 299);
    // the cursor's row wraps instead of cutting its text
    const cut = await page.$eval('[data-testid=rows] .row.cur', (r) => [...r.children].some((c) => (c as HTMLElement).scrollWidth > (c as HTMLElement).clientWidth + 1));
    expect(cut).toBe(false);
    await filterText(page, 'remove_memory');
    await clickRow(page, 296);
    await waitSeq(page, 296);
    await filterText(page, '');
    const more = page.locator('[data-testid=diff] .more').first();
    const short = (await more.textContent())!;
    expect(short.endsWith('…')).toBe(true);
    await more.click();
    const long = (await more.textContent())!;
    expect(long.length).toBeGreaterThan(short.length);
    expect(long.endsWith('…')).toBe(false);
    await shot(page, '13-seed-1440-expanded');
    await page.setViewportSize({ width: 1680, height: 1050 });
    expect(errors).toEqual([]);
  });

  it('draws the same map patch by patch as all at once', async () => {
    // the map redraws only what a patch changed; a resize redraws every cell: both must give the same pixels
    const mapImage = () => page.evaluate(() => document.querySelector<HTMLCanvasElement>('[data-testid=map]')!.toDataURL());
    const frames = () => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    const size = page.viewportSize()!;
    await page.mouse.move(0, 0);
    for (const seq of [0, bootEnd, 263, 264, 270, 282, 283, 290, 296, 300, lastSeq - 3, lastSeq - 2, lastSeq - 1, lastSeq, 290, bootEnd + 1, lastSeq]) {
      await page.evaluate((s) => { const r = document.querySelector<HTMLInputElement>('#scrubber')!; r.value = String(s); r.dispatchEvent(new Event('input')); }, seq);
      await waitSeq(page, seq);
      await frames();
      const patched = await mapImage();
      // paint it over: only a full redraw brings the map back
      await page.evaluate(() => { const c = document.querySelector<HTMLCanvasElement>('[data-testid=map]')!; const x = c.getContext('2d')!; x.setTransform(1, 0, 0, 1, 0, 0); x.fillStyle = '#f0f'; x.fillRect(0, 0, c.width, c.height); });
      await page.setViewportSize({ width: size.width - 160, height: size.height });
      await frames();
      await page.setViewportSize(size);
      await frames();
      expect(await mapImage(), `map at seq ${seq}`).toBe(patched);
    }
  });
});
