/**
 * An exported trace (`memhp inspect <log> --export trace.html`) in real
 * headless Chromium, opened from file:// with the network off and every
 * request that is not the file itself refused: it steps, scrubs, shows the
 * map, the timeline and `why`, and asks for nothing. Figures (recorded, not
 * asserted): the seed story's file size and a 100,000-event log's open-to-map
 * time, in test-output/inspector/trace.json.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { exportTrace } from '../../src/inspector/trace/export.ts';
import { readLog } from '../../src/log/index.ts';
import { launch, OUT_DIR, shot } from './helpers/browser.ts';
import { cycleOps, SEED, tempDir, writeScenarioLog } from './helpers/logs.ts';
import { seqLabel, waitSeq } from './helpers/page.ts';
import { mapReadyMs } from './helpers/perf.ts';

let browser: Browser;
const dir = tempDir();
const figures: Record<string, number> = {};

/** A page on a context with no network: any request but the trace file is refused and remembered. */
async function openTrace(file: string): Promise<{ page: Page; context: BrowserContext; errors: string[]; refused: string[] }> {
  const context = await browser.newContext({ offline: true, viewport: { width: 1680, height: 1050 } });
  const refused: string[] = [];
  const url = `file://${file}`;
  await context.route('**/*', (r) => (r.request().url() === url ? r.continue() : (refused.push(r.request().url()), r.abort())));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, context, errors, refused };
}

/** Two 4 GiB nodes; cycleOps() adds, onlines, offlines and removes 1 GiB on node 1 until the log is long enough. */
function scenarioFile(): string {
  const file = join(dir, 'cycles.json');
  writeFileSync(file, JSON.stringify({
    name: '1 GiB cycled on node 1', kernel: '6.8', arch: 'x86_64',
    machine: { memoryBlockSize: '128M', possibleNodes: 2 },
    boot: [{ node: 0, size: '4G', used: '1G' }, { node: 1, size: '4G' }],
    params: { memmap_on_memory: 'on' }, ops: [],
  }));
  return file;
}

async function exportLog(log: string, out: string) {
  const { header, events } = readLog(log);
  return exportTrace({ name: header.system.name, source: log, system: header.system, events, out });
}

beforeAll(async () => {
  browser = await launch();
}, 120_000);

afterAll(async () => {
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(join(OUT_DIR, 'trace.json'), JSON.stringify(figures, null, 2) + '\n');
  rmSync(dir, { recursive: true, force: true });
  await browser?.close();
});

describe('exported trace of the seed story, from file:// with no network', { timeout: 180_000 }, () => {
  let page: Page;
  let errors: string[];
  let refused: string[];
  let lastSeq: number;
  let touchSeq: number;

  beforeAll(async () => {
    const log = writeScenarioLog(SEED, dir);
    lastSeq = log.lastSeq;
    touchSeq = readLog(log.path).events.find((e) => e.type === 'op' && e.op.op === 'touch')!.seq;
    const out = join(dir, 'seed-trace.html');
    const r = await exportLog(log.path, out);
    expect(statSync(out).size).toBe(r.bytes);
    figures.seedTraceBytes = r.bytes;
    figures.seedTraceDataBytes = r.dataBytes;
    figures.seedLogBytes = statSync(log.path).size;
    // one file: nothing in it points elsewhere
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="(?!data:)/);
    ({ page, errors, refused } = await openTrace(out));
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 120_000 });
  }, 180_000);

  it('opens on the booted machine with the map, the timeline and a read-only label', async () => {
    expect(await seqLabel(page)).toMatch(new RegExp(`^seq \\d+ / ${lastSeq}$`));
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/^64 blocks of 128M · 64 online/);
    expect(await page.textContent('[data-testid=row-count]')).toBe(`${lastSeq} events`);
    expect(await page.textContent('[data-testid=log-path]')).toContain('exported trace, read-only');
    expect(await page.textContent('[data-testid=log-name]')).not.toContain('live');
  });

  it('steps and scrubs: the map follows', async () => {
    await page.keyboard.press('End');
    await waitSeq(page, lastSeq);
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/1 removed range\(s\) · 1 fault\(s\)/);
    await page.keyboard.press('ArrowLeft');
    await waitSeq(page, lastSeq - 1);
    await page.$eval('#scrubber', (el, v) => { (el as HTMLInputElement).value = String(v); el.dispatchEvent(new Event('input')); }, touchSeq - 10);
    await waitSeq(page, touchSeq - 10);
    expect(await page.textContent('[data-testid=event-title]')).toMatch(new RegExp(`^seq ${touchSeq - 10}`));
  });

  it('answers why on the operation and on the block, as `memhp why` does', async () => {
    await page.$eval('#scrubber', (el, v) => { (el as HTMLInputElement).value = String(v); el.dispatchEvent(new Event('input')); }, touchSeq);
    await waitSeq(page, touchSeq);
    await page.click('[data-testid=why-op]');
    await page.waitForFunction(() => document.querySelector('[data-testid=why-summary]')?.textContent?.includes('touch block=65'));
    const why = (await page.textContent('[data-testid=why]'))!;
    expect(why).toContain('sections still using it: 65-71');
    expect(why).toContain('kernel-model §7.5');
    // the fault, one step on, selects the block it names
    await page.keyboard.press('ArrowRight');
    await waitSeq(page, touchSeq + 1);
    await page.click('[data-testid=why-block]');
    await page.waitForFunction(() => document.querySelector('[data-testid=why-summary]')?.textContent?.startsWith('memory65'));
    expect(await page.textContent('[data-testid=why-summary]')).toBe('memory65 (node 0) is online in ZONE_MOVABLE');
    expect(await page.textContent('[data-testid=why]')).toContain('online_movable always means ZONE_MOVABLE');
    await shot(page, 'trace-seed-why');
  });

  it('refuses to run operations (it is read-only) and asked the network for nothing', async () => {
    await page.fill('[data-testid=live-cmd]', 'online 66');
    await page.press('[data-testid=live-cmd]', 'Enter');
    await page.waitForFunction(() => /read-only/.test(document.body.textContent ?? ''));
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('a 100,000-event log as a trace', { timeout: 600_000 }, () => {
  it('opens from disk and draws its map (open-to-map time recorded)', async () => {
    const log = writeScenarioLog(scenarioFile(), dir, cycleOps(100_000));
    const out = join(dir, 'big-trace.html');
    const r = await exportLog(log.path, out);
    figures.bigTraceEvents = log.lastSeq;
    figures.bigTraceBytes = r.bytes;
    figures.bigLogBytes = statSync(log.path).size;
    const { page, context, errors, refused } = await openTrace(out);
    figures.bigOpenToMapMs = Math.round(await mapReadyMs(page));
    // where the time went: the data decompressed and parsed, then the engine built over it
    const marks = await page.evaluate(() => ['memhp:trace-data', 'memhp:trace-engine'].map((n) => performance.getEntriesByName(n)[0]?.startTime ?? -1));
    figures.bigDataReadMs = Math.round(marks[0]!);
    figures.bigEngineReadyMs = Math.round(marks[1]!);
    expect(await page.textContent('[data-testid=map-summary]')).toMatch(/^64 blocks of 128M · 64 online/);
    expect(await seqLabel(page)).toMatch(new RegExp(`/ ${log.lastSeq}$`));
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);
});
