/**
 * Live mode in real headless Chromium: an operation sent from the page is
 * appended to the log file; one sent at a past step forks a new log and
 * leaves the original untouched.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startInspector, type RunningInspector } from '../../src/inspector/index.ts';
import { backendFromLog, type EngineBackend } from '../../src/inspector/engine-backend.ts';
import { readLog } from '../../src/log/index.ts';
import { launch, openPage, shot } from './helpers/browser.ts';
import { SEED, tempDir, writeScenarioLog } from './helpers/logs.ts';
import { clickRow, filterText, hoverBlock, seqLabel, waitSeq } from './helpers/page.ts';

let browser: Browser;
let inspector: RunningInspector;
let backend: EngineBackend;
let page: Page;
let errors: string[];
let logPath: string;
let lastSeq: number;

const lines = (p: string) => readFileSync(p, 'utf8').trim().split('\n').length;

async function send(command: string): Promise<string> {
  const before = await page.textContent('[data-testid=live-result]');
  await page.fill('[data-testid=live-cmd]', command);
  await page.press('[data-testid=live-cmd]', 'Enter');
  await page.waitForFunction((b) => document.querySelector('[data-testid=live-result]')!.textContent !== b, before);
  return (await page.textContent('[data-testid=live-result]')) ?? '';
}

const dir = tempDir();

beforeAll(async () => {
  const log = writeScenarioLog(SEED, dir);
  logPath = log.path;
  lastSeq = log.lastSeq;
  backend = backendFromLog(logPath);
  inspector = await startInspector({ backend });
  browser = await launch();
  ({ page, errors } = await openPage(browser, inspector.url));
}, 120_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await browser?.close();
  await inspector?.close();
  backend?.close();
});

describe('live mode', { timeout: 30_000 }, () => {
  it('appends an operation sent at the end of the log to the log file', async () => {
    await page.keyboard.press('End');
    await waitSeq(page, lastSeq);
    const fileLines = lines(logPath);
    const result = await send('add 1 16G 128M');
    expect(result).toBe('add_memory node=1 start=16G size=128M → 0');
    const now = Number(/\/ (\d+)$/.exec(await seqLabel(page))![1]);
    expect(now).toBeGreaterThan(lastSeq);
    await waitSeq(page, now);
    expect(lines(logPath)).toBe(fileLines + (now - lastSeq));
    expect(readLog(logPath).events.at(-1)!.seq).toBe(now);
    expect(await hoverBlock(page, 128)).toContain('memory128 @ 0x400000000 · offline · node 1');
    const online = await send('online 128 movable');
    expect(online).toContain('state block=128 value=online_movable → 0');
    await shot(page, '06-live-append');
  });

  it('reports a kernel error as a result, and a typo as a message', async () => {
    expect(await send('online 66')).toMatch(/→ -\d+ E[A-Z]+/);
    expect(await send('online x')).toBe('block: expected an integer, got "x"');
  });

  it('forks a new log when an operation is sent at a past step', async () => {
    const original = readFileSync(logPath, 'utf8');
    await filterText(page, 'remove_memory');
    await clickRow(page, 296);
    await waitSeq(page, 296);
    await filterText(page, '');
    await page.keyboard.press('ArrowLeft');
    await waitSeq(page, 295);
    const result = await send('remove 8G 1G');
    expect(result).toContain('forked a new log at seq 295: ');
    const forked = /forked a new log at seq 295: (.+)$/m.exec(result)![1]!;
    expect(existsSync(forked)).toBe(true);
    expect(readFileSync(logPath, 'utf8')).toBe(original);
    const fork = readLog(forked).events;
    expect(fork.slice(0, 295)).toEqual(readLog(logPath).events.slice(0, 295));
    expect(fork[295]).toMatchObject({ type: 'op', op: { op: 'remove_memory', start: 8 * 1024 ** 3, size: 1024 ** 3 } });
    expect(await seqLabel(page)).toBe(`seq ${fork.length} / ${fork.length}`);
    expect(await page.textContent('[data-testid=log-name]')).toContain(forked);
    await shot(page, '07-live-fork');
    expect(errors).toEqual([]);
  });
});
