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

/** The branch and outcome lists follow a move of the cursor: wait for them as a user would look again. */
const LISTS = { timeout: 60_000, interval: 50 };

const lines = (p: string) => readFileSync(p, 'utf8').trim().split('\n').length;

async function send(command: string, fork?: 'yes' | 'no'): Promise<string> {
  const before = await page.textContent('[data-testid=live-result]');
  await page.fill('[data-testid=live-cmd]', command);
  await page.press('[data-testid=live-cmd]', 'Enter');
  if (fork) {
    // at a past step the page asks before it forks
    await page.waitForSelector('[data-testid=fork-ask]:not([hidden])');
    await shot(page, '07a-live-fork-ask');
    await page.click(`[data-testid=fork-${fork}]`);
  }
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

describe('live mode', () => {
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
    expect(await send('remove 8G 1G', 'no')).toBe('not sent: nothing forked');
    expect(await page.textContent('[data-testid=fork-ask]')).toContain('The original log stays as it is');
    const result = await send('remove 8G 1G', 'yes');
    expect(result).toContain('forked a new log at seq 295: ');
    const forked = /forked a new log at seq 295: (.+)$/m.exec(result)![1]!;
    expect(existsSync(forked)).toBe(true);
    expect(readFileSync(logPath, 'utf8')).toBe(original);
    const fork = readLog(forked).events;
    expect(fork.slice(0, 295)).toEqual(readLog(logPath).events.slice(0, 295));
    expect(fork[295]).toMatchObject({ type: 'op', op: { op: 'remove_memory', start: 8 * 1024 ** 3, size: 1024 ** 3 } });
    expect(await seqLabel(page)).toBe(`seq ${fork.length} / ${fork.length}`);
    // the new log's whole path, not cut off; the banner says how to go back
    expect(await page.textContent('[data-testid=log-path]')).toBe(forked);
    const full = await page.$eval('[data-testid=log-path]', (e) => e.scrollWidth <= e.clientWidth + 1);
    expect(full).toBe(true);
    expect(await page.textContent('[data-testid=banner]')).toContain('The original log is unchanged');
    // both branches listed, the fork with where it left its parent (the list comes after the cursor moved)
    await expect.poll(() => page.textContent('[data-testid=branches]'), LISTS).toContain('branch 1 forked from branch 0 after seq 295');
    const branches = (await page.textContent('[data-testid=branches]'))!;
    expect(branches).toContain('branch 0 the log as opened');
    expect(branches).toContain(logPath);
    await shot(page, '07-live-fork');
  });

  it('switches back to the original branch with nothing lost, and on to the fork again', async () => {
    const originalLast = readLog(logPath).events.length;
    await page.click('[data-testid=branches] li[data-branch="0"] button');
    await page.waitForFunction((l) => document.querySelector('[data-testid=seq-label]')!.textContent!.endsWith(`/ ${l}`), originalLast);
    expect(await page.textContent('[data-testid=log-path]')).toBe(logPath);
    // the original's removal and fault are still there
    await page.keyboard.press('End');
    await waitSeq(page, originalLast);
    await expect.poll(() => page.textContent('[data-testid=outcome]'), LISTS).toContain('fault');
    await filterText(page, 'touch');
    expect(await page.locator('[data-testid=rows] .row.op').count()).toBeGreaterThan(0);
    await filterText(page, '');
    await shot(page, '07b-live-original-branch');
    // an operation at its end appends to the original log, not the fork
    const lines0 = lines(logPath);
    expect(await send('signal')).toContain('signal → 0');
    expect(lines(logPath)).toBeGreaterThan(lines0);
    await page.click('[data-testid=branches] li[data-branch="1"] button');
    await page.waitForFunction(() => document.querySelector('[data-testid=branches] li.current')?.getAttribute('data-branch') === '1');
    expect(await page.textContent('[data-testid=log-path]')).toContain('.fork-295');
    expect(errors).toEqual([]);
  });

  it('keeps a step taken while a branch switch is still bringing its lists', async () => {
    // a slow server, made on purpose: the replies to `outcome` (one of the lists a branch switch asks for after
    // it has placed the cursor) are held until the test lets them go
    const held: (() => void)[] = [];
    let holding = false;
    const { page: slow, errors: slowErrors } = await openPage(browser, inspector.url, async (p) => {
      await p.routeWebSocket(/\/ws$/, (ws) => {
        const server = ws.connectToServer();
        const outcomeIds = new Set<number>();
        ws.onMessage((m) => {
          const req = JSON.parse(String(m)) as { id: number; method: string };
          if (req.method === 'outcome') outcomeIds.add(req.id);
          server.send(m);
        });
        server.onMessage((m) => {
          const reply = JSON.parse(String(m)) as { id?: number };
          if (holding && reply.id !== undefined && outcomeIds.has(reply.id)) held.push(() => ws.send(m));
          else ws.send(m);
        });
      });
    });
    try {
      const branch0Last = readLog(logPath).events.length;
      // the page opened on branch 1 (the server's current one); back to branch 0, whose last step is past the fork
      holding = true;
      await slow.click('[data-testid=branches] li[data-branch="0"] button');
      await slow.waitForFunction((l) => document.querySelector('[data-testid=seq-label]')!.textContent!.endsWith(`/ ${l}`), branch0Last);
      await expect.poll(() => held.length, LISTS).toBeGreaterThan(0);
      // the lists have not come; the user goes to the end meanwhile
      await slow.keyboard.press('End');
      await waitSeq(slow, branch0Last);
      holding = false;
      for (const release of held.splice(0)) release();
      await expect.poll(() => slow.textContent('[data-testid=branches] li.current'), LISTS).toContain('branch 0');
      // the lists came after the step: the cursor stays where the user put it
      await waitSeq(slow, branch0Last);
      expect(await seqLabel(slow)).toBe(`seq ${branch0Last} / ${branch0Last}`);
      expect(slowErrors).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});
