/**
 * What a kernel developer tripped over on the page (issue 21), done again the
 * way they did it, in real headless Chromium: the command box, the page at
 * 1280×800 and 1920×1080, the cursor row in the timeline, the plot zoomed into
 * a hotplug cycle, branches side by side, the map's zoom and removed blocks,
 * and a `set` in "What changed".
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startInspector, type RunningInspector } from '../../src/inspector/index.ts';
import { backendFromLog } from '../../src/inspector/engine-backend.ts';
import { launch, shot } from './helpers/browser.ts';
import { cycleOps, SEED, tempDir, writeScenarioLog } from './helpers/logs.ts';
import { blockPoint, clickRow, seqLabel, waitSeq } from './helpers/page.ts';
import { cutText, overflowing, outsideViewport, splitWords } from './helpers/layout.ts';

let browser: Browser;
let seed: RunningInspector;
let cycle: RunningInspector;
let page: Page;
let errors: string[];
let logPath: string;
let lastSeq: number;

const dir = tempDir();
const lines = (p: string) => readFileSync(p, 'utf8').trim().split('\n').length;

/** A machine whose counters are millions of pages, cycling 1 GiB (262,144 pages) on node 1. */
function writeCycleLog(): string {
  const scenario = {
    name: 'cycle 1 GiB beside 64 GiB',
    kernel: '6.8', arch: 'x86_64',
    machine: { hypervisor: true, memoryBlockSize: '128M', sparsemem: 'vmemmap', possibleNodes: 2 },
    boot: [{ node: 0, size: '64G', used: '1G' }, { node: 1, size: '64G' }],
    params: { memmap_on_memory: 'on', auto_online_blocks: 'offline' },
    ops: [],
  };
  const file = join(dir, 'cycle.json');
  writeFileSync(file, JSON.stringify(scenario));
  return writeScenarioLog(file, dir, cycleOps(7000, 128 * 1024 ** 3, 1)).path;
}

async function open(url: string, width: number, height: number): Promise<Page> {
  const p = await browser.newPage({ viewport: { width, height } });
  p.on('pageerror', (e) => errors.push(String(e)));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await p.goto(url);
  await p.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  return p;
}

/** Type a line into the command box as a user does (click, type, Enter) and wait for the result line to change. */
async function type(line: string, fork?: 'yes' | 'no'): Promise<string> {
  const before = await page.textContent('[data-testid=live-result]');
  await page.click('[data-testid=live-cmd]');
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  if (fork) {
    await page.waitForSelector('[data-testid=fork-ask]:not([hidden])');
    await page.click(`[data-testid=fork-${fork}]`);
  }
  await page.waitForFunction((b) => document.querySelector('[data-testid=live-result]')!.textContent !== b, before);
  return (await page.textContent('[data-testid=live-result]')) ?? '';
}

beforeAll(async () => {
  const log = writeScenarioLog(SEED, dir);
  logPath = log.path;
  lastSeq = log.lastSeq;
  seed = await startInspector({ backend: backendFromLog(log.path) });
  cycle = await startInspector({ backend: backendFromLog(writeCycleLog()) });
  browser = await launch();
  errors = [];
  page = await open(seed.url, 1280, 800);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await seed?.close();
  await cycle?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('issue 21, as the user did it', { timeout: 120_000 }, () => {
  it('opens with the cursor\'s row on screen in the timeline', async () => {
    const at = Number(/^seq (\d+)/.exec(await seqLabel(page))![1]);
    await page.waitForSelector(`[data-testid=rows] .row.cur[data-seq="${at}"]`);
    expect(await page.getAttribute('[data-testid=rows] .row.cur', 'aria-current')).toBe('step');
    expect(await rowInView(at)).toBe(true);
  });

  it('fits the header and the timeline at 1280×800: nothing overflows, nothing is cut without a tooltip', async () => {
    await checkLayout('1280');
    await shot(page, '10-layout-1280');
  });

  it('keeps the cursor row when the type filter changes or is cleared, and never shows a stale count', async () => {
    const at = Number(/^seq (\d+)/.exec(await seqLabel(page))![1]);
    await page.evaluate(() => {
      const w = window as unknown as { __counts: string[] };
      w.__counts = [];
      new MutationObserver(() => w.__counts.push(document.querySelector('[data-testid=row-count]')!.textContent!))
        .observe(document.querySelector('[data-testid=row-count]')!, { childList: true, characterData: true, subtree: true });
    });
    await page.selectOption('#f-type', 'fault');
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]')!.textContent === '1 matching');
    await page.selectOption('#f-type', 'transition');
    await page.waitForFunction(() => /^\d+ matching$/.test(document.querySelector('[data-testid=row-count]')!.textContent!) && document.querySelector('[data-testid=row-count]')!.textContent !== '1 matching');
    // the first transition at or after the cursor is on screen, not row 1
    const first = Number(await page.getAttribute('[data-testid=rows] .row', 'data-seq'));
    expect(first).toBeGreaterThan(at - 40);
    await page.selectOption('#f-type', '');
    await page.waitForFunction((n) => document.querySelector('[data-testid=row-count]')!.textContent === `${n} events`, lastSeq);
    await page.waitForSelector(`[data-testid=rows] .row.cur[data-seq="${at}"]`);
    expect(await rowInView(at)).toBe(true);
    const counts = await page.evaluate(() => (window as unknown as { __counts: string[] }).__counts);
    // a count is only ever the filter's own: never all 304 events called "matching"
    expect(counts.filter((c) => c === `${lastSeq} matching`)).toEqual([]);
    expect(counts).toContain('1 matching');
  });

  it('goes to the next and previous row matching the filter with n and N', async () => {
    await page.selectOption('#f-type', 'op');
    await page.waitForFunction(() => /matching$/.test(document.querySelector('[data-testid=row-count]')!.textContent!));
    await page.focus('[data-testid=rows]');
    const at = Number(/^seq (\d+)/.exec(await seqLabel(page))![1]);
    await page.keyboard.press('n');
    await waitSeq(page, 264);
    expect(at).toBeLessThan(264);
    expect(await page.textContent('[data-testid=event-title]')).toContain('add_memory');
    await page.keyboard.press('n');
    await page.waitForFunction(() => !/^seq 264 /.test(document.querySelector('[data-testid=seq-label]')!.textContent!));
    await page.keyboard.press('N');
    await waitSeq(page, 264);
    await page.selectOption('#f-type', '');
    await page.waitForFunction((n) => document.querySelector('[data-testid=row-count]')!.textContent === `${n} events`, lastSeq);
  });

  it('reads the story\'s vmemmap rows whole at 1280 px, and never breaks a word of the cursor\'s row', async () => {
    await goto(299);
    for (const seq of [299, 300]) {
      const cell = `[data-testid=rows] .row[data-seq="${seq}"] .event`;
      const full = await page.$eval(cell, (e) => e.scrollWidth <= e.clientWidth + 1);
      expect(full, `row ${seq}`).toBe(true);
    }
    expect(await page.textContent('[data-testid=rows] .row[data-seq="299"] .event')).toBe('vmemmap put');
    expect(await page.textContent('[data-testid=rows] .row[data-seq="300"] .event')).toBe('vmemmap orphan');
    await clickRow(page, 300);
    await waitSeq(page, 300);
    expect(await splitWords(page, '[data-testid=rows] .row.cur')).toEqual([]);
    expect(await splitWords(page, '[data-testid=diff]')).toEqual([]);
  });

  it('refuses a command with words left over, before anything is sent, and says why', async () => {
    await goto(lastSeq);
    const before = lines(logPath);
    const out = await type('offline 65 bogus words here');
    expect(out).toMatch(/^offline: too many words \("bogus" "words" "here" left over\): offline <block>/);
    expect(lines(logPath)).toBe(before);
    // the refused line stays in the box to be fixed, marked invalid
    expect(await page.inputValue('[data-testid=live-cmd]')).toBe('offline 65 bogus words here');
    expect(await page.getAttribute('[data-testid=live-cmd]', 'aria-invalid')).toBe('true');
    await page.fill('[data-testid=live-cmd]', '');
    for (const [line, reason] of [['online 65 movable now', /too many words/], ['set v2_remove_guard', /value is missing/], ['remove 8G', /size is missing/], ['frobnicate 1', /unknown command "frobnicate"/]] as const) {
      expect(await type(line), line).toMatch(reason);
      await page.fill('[data-testid=live-cmd]', '');
    }
    expect(lines(logPath)).toBe(before);
  });

  it('clears the box after a send, so the next command is not typed into the last one; ↑ brings it back', async () => {
    const before = lines(logPath);
    expect(await type('set v2_remove_guard true')).toMatch(/^set param=v2_remove_guard value=true → 0/);
    expect(await page.inputValue('[data-testid=live-cmd]')).toBe('');
    // what the user did: click into the box and type the next command
    const out = await type('remove 8G 128M');
    expect(out).toMatch(/^remove_memory start=8G size=128M → /);
    const events = readFileSync(logPath, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as { type: string; op?: { op: string; value?: unknown } });
    const ops = events.filter((e) => e.type === 'op').slice(-2).map((e) => e.op);
    expect(ops).toEqual([{ op: 'set', param: 'v2_remove_guard', value: true }, expect.objectContaining({ op: 'remove_memory' })]);
    expect(lines(logPath)).toBeGreaterThan(before);
    await page.click('[data-testid=live-cmd]');
    await page.keyboard.press('ArrowUp');
    expect(await page.inputValue('[data-testid=live-cmd]')).toBe('remove 8G 128M');
    await page.keyboard.press('ArrowUp');
    expect(await page.inputValue('[data-testid=live-cmd]')).toBe('set v2_remove_guard true');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.inputValue('[data-testid=live-cmd]')).toBe('');
    await page.keyboard.press('Escape');
  });

  it('shows the parameter a `set` changed in "What changed"', async () => {
    expect(await type('set auto_online_blocks online')).toMatch(/→ 0/);
    // the set's own row: the last op event in the log (a record's seq is its place in the file)
    const records = readFileSync(logPath, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as { type: string; seq?: number });
    const op = records.map((r, i) => ({ r, seq: r.seq ?? i + 1 })).filter((x) => x.r.type === 'op').pop()!.seq;
    await goto(op);
    expect(await page.textContent('[data-testid=event-title]')).toContain('set param=auto_online_blocks value=online');
    const diff = (await page.textContent('[data-testid=diff]'))!;
    expect(diff).toMatch(/^params auto_online_blocks: "offline" → "online"/);
    expect(diff).not.toContain('…');
  });

  it('names when a removed block was removed, and goes there', async () => {
    const end = Number(await page.getAttribute('#scrubber', 'max'));
    await goto(end);
    const p = await blockPoint(page, 64);
    await page.mouse.click(p.x, p.y);
    expect(await page.textContent('[data-testid=map-detail]')).toContain('REMOVED (released from iomem at seq 301)');
    await page.click('[data-testid=map-actions] button[data-seq="301"]');
    await waitSeq(page, 301);
    expect(await page.textContent('[data-testid=event-title]')).toContain('iomem · resource release');
  });

  it('shows the map and the selected actor at the same moment on an operation\'s row', async () => {
    await page.mouse.click((await blockPoint(page, 65)).x, (await blockPoint(page, 65)).y);
    await page.waitForFunction(() => document.querySelector('[data-testid=actor-name]')!.textContent!.startsWith('memory65'));
    // the touch of block 65 faults; its row shows the world after it: the map has the fault, so does the actor's history
    await goto(302);
    expect(await page.textContent('[data-testid=map-summary]')).toContain('1 fault(s)');
    const cur = await page.textContent('[data-testid=actor-history] li.cur');
    const future = await page.$$eval('[data-testid=actor-history] li.future', (ls) => ls.map((l) => l.textContent));
    // nothing the map already shows is in the actor's future
    expect(future.filter((t) => /^\d+ /.test(t!) && Number(t!.split(' ')[0]) <= lastSeq)).toEqual([]);
    expect(cur).not.toBeNull();
  });

  it('compares two branches side by side, naming the first event where they part', async () => {
    await goto(295);
    expect(await type('offline 65', 'yes')).toContain('forked a new log at seq 295');
    expect(await page.isVisible('[data-testid=banner]')).toBe(true);
    await page.click('[data-testid=branches] button[data-compare="0"]');
    await page.waitForSelector('[data-testid=compare]:not([hidden])');
    const first = (await page.textContent('[data-testid=compare-first]'))!;
    expect(first).toBe('They part at seq 296: branch 1 seq 296 state block=65 value=offline → 0; branch 0 seq 296 remove_memory start=8G size=128M → 0.');
    // the two worlds there, and what differs: block 64 is gone on branch 0, block 65 offline on branch 1
    const diff = (await page.textContent('[data-testid=compare-diff]'))!;
    expect(diff).toContain('blocks[64]');
    expect(diff).toMatch(/blocks\[65\] state: "offline" → "online"/);
    expect(await page.textContent('[data-testid=compare] .side[data-branch="0"]')).toContain('the world after it (seq 301)');
    await shot(page, '11-branches-compared');
    // switching keeps the event: past the fork point the other branch's seq is another event, so it goes back to where they part
    await goto(Number(await page.getAttribute('#scrubber', 'max')));
    await page.click('[data-testid=branches] li[data-branch="0"] button');
    await page.waitForFunction(() => document.querySelector('[data-testid=branches] li.current')?.getAttribute('data-branch') === '0');
    await waitSeq(page, 295);
    expect(await page.textContent('[data-testid=status]')).toContain('the last step branch 1 and branch 0 share');
    // the fork's banner is about the branch left behind
    expect(await page.isVisible('[data-testid=banner]')).toBe(false);
    await page.click('[data-testid=compare] button[aria-label="close the comparison"]');
  });

  it('fits the header and the timeline at 1920×1080 too', async () => {
    const wide = await open(seed.url, 1920, 1080);
    const saved = page;
    page = wide;
    try {
      await page.waitForSelector('[data-testid=rows] .row.cur');
      await checkLayout('1920');
      await shot(page, '12-layout-1920');
    } finally {
      page = saved;
      await wide.close();
    }
  });

  it('fits the plot\'s y axis to the operations in view: a 1 GiB cycle beside 64 GiB is not a flat line', async () => {
    const p = await open(cycle.url, 1280, 800);
    try {
      const axis = () => p.$eval('[data-testid=plot]', (c) => ({ min: Number(c.dataset.yMin), max: Number(c.dataset.yMax), scale: c.dataset.yScale!, view: c.dataset.view! }));
      await p.waitForFunction(() => document.querySelector<HTMLCanvasElement>('[data-testid=plot]')!.dataset.view?.startsWith('0-'));
      // zoom into a few cycles with the wheel, as the user did
      await p.locator('[data-testid=plot]').scrollIntoViewIfNeeded();
      const box = (await p.locator('[data-testid=plot]').boundingBox())!;
      await p.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
      for (let i = 0; i < 6; i++) { await p.mouse.wheel(0, -100); await p.waitForTimeout(100); }
      await p.waitForFunction(() => {
        const [a, b] = document.querySelector<HTMLCanvasElement>('[data-testid=plot]')!.dataset.view!.split('-').map(Number);
        return b! - a! < 60;
      });
      await p.waitForTimeout(500);
      const zoomed = await axis();
      // a cycle adds and removes 262,144 pages; the axis spans about that, not 0 to 16M pages
      expect(zoomed.scale).toBe('change');
      expect(zoomed.max - zoomed.min).toBeGreaterThanOrEqual(262_144);
      expect(zoomed.max - zoomed.min).toBeLessThan(2 * 262_144);
      expect(await p.textContent('[data-testid=plot-range]')).toMatch(/^operations \d+–\d+ of \d+$/);
      expect(await p.textContent('[data-testid=plot-axis]')).toMatch(/^y: change since op \d+$/);
      // as values (the user's choice), the axis spans the counters in view: node memmap (262,144) up to present (~17M)
      await p.selectOption('[data-testid=plot-y]', 'values');
      await p.waitForFunction(() => document.querySelector<HTMLCanvasElement>('[data-testid=plot]')!.dataset.yScale === 'values');
      const values = await axis();
      expect(values.min).toBeLessThanOrEqual(262_144);
      expect(values.max).toBeGreaterThan(16_777_216);
      expect(values.max).toBeLessThan(16_777_216 * 1.1);
      await p.selectOption('[data-testid=plot-y]', 'auto');
      // the hover box stays inside the plot at its right edge
      await p.locator('[data-testid=plot]').scrollIntoViewIfNeeded();
      const at = (await p.locator('[data-testid=plot]').boundingBox())!;
      await p.mouse.move(at.x + at.width - 3, at.y + at.height / 2);
      await p.waitForSelector('[data-testid=plot-tip]:not([hidden])');
      const tip = (await p.locator('[data-testid=plot-tip]').boundingBox())!;
      const wrap = (await p.locator('#plot-wrap').boundingBox())!;
      expect(tip.x).toBeGreaterThanOrEqual(wrap.x - 1);
      expect(tip.x + tip.width).toBeLessThanOrEqual(wrap.x + wrap.width + 1);
      await shot(p, '13-plot-zoomed');
    } finally {
      await p.close();
    }
  });

  it('zooms the map (buttons, keys, Ctrl+wheel) and moves a block cursor with the arrow keys', async () => {
    const p = await open(cycle.url, 1280, 800);
    try {
      const cell = () => p.$eval('[data-testid=map]', (c) => Number(c.dataset.cell));
      const fit = await cell();
      await p.click('#map-zoom-in');
      await p.waitForFunction((f) => Number(document.querySelector<HTMLCanvasElement>('[data-testid=map]')!.dataset.cell) > f, fit);
      const zoomed = await cell();
      expect(zoomed).toBeGreaterThanOrEqual(fit * 1.5);
      await p.focus('[data-testid=map-scroll]');
      await p.keyboard.press('-');
      await p.waitForFunction((f) => Number(document.querySelector<HTMLCanvasElement>('[data-testid=map]')!.dataset.cell) === f, fit);
      const box = (await p.locator('[data-testid=map]').boundingBox())!;
      await p.mouse.move(box.x + box.width / 2, box.y + 20);
      await p.keyboard.down('Control');
      await p.mouse.wheel(0, -100);
      await p.keyboard.up('Control');
      await p.waitForFunction((f) => Number(document.querySelector<HTMLCanvasElement>('[data-testid=map]')!.dataset.cell) > f, fit);
      await p.focus('[data-testid=map-scroll]');
      await p.keyboard.press('Home');
      await p.keyboard.press('ArrowRight');
      await p.keyboard.press('ArrowRight');
      expect(await p.textContent('[data-testid=map-detail]')).toMatch(/^memory2 @ 0x10000000 · online/);
      await p.keyboard.press('ArrowDown');
      const cols = await p.$eval('[data-testid=map]', (c) => Number(c.dataset.cols));
      expect(await p.textContent('[data-testid=map-detail]')).toContain(`memory${2 + cols} @`);
      await p.keyboard.press('Enter');
      await p.waitForFunction((id) => document.querySelector('[data-testid=actor-name]')!.textContent!.startsWith(`memory${id} `), 2 + cols);
    } finally {
      await p.close();
    }
    expect(errors).toEqual([]);
  });
});

/** Move the cursor with the scrubber, as a drag would, and wait until the page shows the step. */
async function goto(seq: number): Promise<void> {
  await page.evaluate((s) => { const r = document.querySelector<HTMLInputElement>('#scrubber')!; r.value = String(s); r.dispatchEvent(new Event('input')); }, seq);
  await waitSeq(page, seq);
}

async function rowInView(seq: number): Promise<boolean> {
  return page.evaluate((s) => {
    const row = document.querySelector(`[data-testid=rows] .row[data-seq="${s}"]`);
    const box = document.querySelector('[data-testid=rows]')!.getBoundingClientRect();
    if (!row) return false;
    const r = row.getBoundingClientRect();
    return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  }, seq);
}

async function checkLayout(name: string): Promise<void> {
  // the header: every part inside the window, nothing wider than its box
  expect(await outsideViewport(page, '#bar *'), name).toEqual([]);
  expect(await overflowing(page, '#bar, #bar *'), name).toEqual([]);
  // the controls are one row (the toolbar does not wrap)
  const tops = await page.$$eval('#bar .bar-controls > *, #bar .transport > *', (els) => els.map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)));
  expect(Math.max(...tops) - Math.min(...tops), name).toBeLessThanOrEqual(3);
  // text cut with "…" says all of it on hover
  expect(await cutText(page, '#bar *, [data-testid=rows] .row > span'), name).toEqual([]);
  // the timeline's columns and the accounting table fit their panels
  expect(await overflowing(page, '#timeline-panel, #rows, [data-testid=rows] .row, #map-panel, #side-panel'), name).toEqual([]);
  const table = await page.$eval('#acct-table', (t) => ({ w: t.getBoundingClientRect().right, panel: t.closest('.panel')!.getBoundingClientRect().right }));
  expect(table.w, name).toBeLessThanOrEqual(table.panel);
  // the fault list, open, covers none of the step buttons
  await page.click('[data-outcome=fault] summary');
  const list = (await page.locator('[data-outcome=fault] ul').boundingBox())!;
  for (const id of ['#to-start', '#back', '#play', '#fwd', '#to-end']) {
    const b = (await page.locator(id).boundingBox())!;
    const hit = list.x < b.x + b.width && b.x < list.x + list.width && list.y < b.y + b.height && b.y < list.y + list.height;
    expect(hit, `${name}: the fault list covers ${id}`).toBe(false);
  }
  await page.click('[data-outcome=fault] summary');
}
