/**
 * The page for a keyboard and a screen reader, in real headless Chromium,
 * read from Chromium's own accessibility tree (CDP Accessibility.getFullAXTree,
 * what a screen reader is given): every control has a name, the map and the
 * plot are reached with Tab and read from the keyboard, the current timeline
 * row is aria-current, breakpoint dots are buttons, and steps are announced.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { startInspector, type RunningInspector } from '../../src/inspector/index.ts';
import { backendFromLog } from '../../src/inspector/engine-backend.ts';
import { launch, openPage } from './helpers/browser.ts';
import { SEED, tempDir, writeScenarioLog } from './helpers/logs.ts';
import { waitSeq } from './helpers/page.ts';

interface AXNode {
  nodeId: string;
  ignored: boolean;
  role?: { value: string };
  name?: { value: string };
  description?: { value: string };
  properties?: Array<{ name: string; value: { value: unknown } }>;
  backendDOMNodeId?: number;
}

let browser: Browser;
let inspector: RunningInspector;
let page: Page;
let cdp: CDPSession;
let errors: string[];

const dir = tempDir();

/** Roles a user operates: each needs a name a screen reader can say. */
const CONTROLS = new Set(['button', 'textbox', 'combobox', 'slider', 'checkbox', 'link', 'application', 'listbox', 'menuitem', 'spinbutton', 'searchbox', 'switch', 'tab', 'DisclosureTriangle']);

async function tree(): Promise<AXNode[]> {
  const { nodes } = await cdp.send('Accessibility.getFullAXTree') as { nodes: AXNode[] };
  return nodes.filter((n) => !n.ignored);
}

const prop = (n: AXNode, name: string) => n.properties?.find((p) => p.name === name)?.value.value;

/** Tab until the element matching `sel` has the focus; the number of presses, or -1. */
async function tabTo(sel: string, max = 60): Promise<number> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, sel)) return i;
  }
  return -1;
}

const announced = () => page.textContent('[data-testid=announce]');

beforeAll(async () => {
  const log = writeScenarioLog(SEED, dir);
  inspector = await startInspector({ backend: backendFromLog(log.path) });
  browser = await launch();
  ({ page, errors } = await openPage(browser, inspector.url));
  cdp = await page.context().newCDPSession(page);
  await cdp.send('Accessibility.enable');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await inspector?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('keyboard and screen reader', { timeout: 120_000 }, () => {
  it('names every control in the accessibility tree', async () => {
    const nodes = await tree();
    const unnamed = nodes.filter((n) => CONTROLS.has(n.role?.value ?? '') && !(n.name?.value ?? '').trim()).map((n) => `${n.role!.value}#${n.backendDOMNodeId}`);
    expect(unnamed).toEqual([]);
    const buttons = nodes.filter((n) => n.role?.value === 'button').map((n) => n.name!.value);
    // the step buttons say what they do, not only |◀ ◀ ▶ ▶|
    for (const name of ['jump to start', 'step back', 'step forward', 'jump to end']) expect(buttons).toContain(name);
    // the command box: a short name, its syntax as the description
    const box = nodes.find((n) => n.role?.value === 'textbox' && n.name?.value === 'operation to send');
    expect(box).toBeDefined();
    expect(box!.description?.value).toMatch(/One operation per line[\s\S]*add <node> <start> <size>/);
    // the live region that announces steps and status
    const live = nodes.filter((n) => prop(n, 'live') === 'polite');
    expect(live.length).toBeGreaterThan(0);
  });

  it('reaches the map with Tab and moves a block cursor with the arrow keys, announcing the block', async () => {
    expect(await tabTo('#map-scroll')).toBeGreaterThan(0);
    const nodes = await tree();
    const map = nodes.find((n) => n.role?.value === 'application' && (n.name?.value ?? '').startsWith('Memory map: 64 blocks of 128M'));
    expect(map, 'the map in the accessibility tree').toBeDefined();
    expect(map!.name!.value).toContain('Arrow keys move the block cursor');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('[data-testid=announce]')!.textContent!.startsWith('memory1 @'));
    await page.keyboard.press('ArrowDown');
    const cols = await page.$eval('[data-testid=map]', (c) => Number(c.dataset.cols));
    await page.waitForFunction((id) => document.querySelector('[data-testid=announce]')!.textContent!.startsWith(`memory${id} @`), 1 + cols);
    expect(await announced()).toMatch(/online .* · node \d/);
    // the details are the map's description too
    const described = (await tree()).find((n) => n.role?.value === 'application' && (n.name?.value ?? '').startsWith('Memory map'));
    expect(described!.description?.value).toContain(`memory${1 + cols} @`);
    // Enter selects the block: its statechart and history
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.querySelector('[data-testid=actor-name]')!.textContent!.startsWith(`memory${id} `), 1 + cols);
  });

  it('reaches the plot with Tab and reads the operations from the keyboard', async () => {
    expect(await tabTo('#plot-wrap')).toBeGreaterThan(0);
    const plot = (await tree()).find((n) => n.role?.value === 'application' && (n.name?.value ?? '').startsWith('Accounting plot'));
    expect(plot, 'the plot in the accessibility tree').toBeDefined();
    expect(plot!.name!.value).toMatch(/operations 0 to \d+ of \d+/);
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => /^op 1 · seq \d+/.test(document.querySelector('[data-testid=announce]')!.textContent!));
    expect(await announced()).toMatch(/node0 present: [\d,]+ pages/);
    // Enter goes to that operation
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /add_memory/.test(document.querySelector('[data-testid=event-title]')!.textContent!));
  });

  it('marks the current timeline row, announces steps, and lets the keyboard set a breakpoint', async () => {
    await page.focus('[data-testid=rows]');
    const at = Number(/^seq (\d+)/.exec((await page.textContent('[data-testid=seq-label]'))!)![1]);
    await page.keyboard.press('ArrowRight');
    await waitSeq(page, at + 1);
    await page.waitForFunction((s) => document.querySelector('[data-testid=announce]')!.textContent!.startsWith(`seq ${s} `), at + 1);
    expect(await page.getAttribute('[data-testid=rows] [aria-current=step]', 'data-seq')).toBe(String(at + 1));
    const nodes = await tree();
    expect(nodes.some((n) => n.role?.value === 'list')).toBe(true);
    expect(nodes.filter((n) => n.role?.value === 'listitem').length).toBeGreaterThan(10);
    const dot = nodes.find((n) => n.role?.value === 'button' && n.name?.value === `breakpoint at seq ${at + 1}`);
    expect(dot, 'the breakpoint dot of the current row').toBeDefined();
    expect(prop(dot!, 'pressed')).toBe('false');
    // Tab reaches the dots; Enter sets one
    await page.focus(`[data-testid=rows] .row[data-seq="${at + 1}"] .bp`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-testid=rows] .row[data-seq="${at + 1}"] .bp[aria-pressed=true]`);
    expect(await page.textContent('[data-testid=bp-list]')).toContain(`at seq ${at + 1}`);
    // a status change is announced as well
    await page.focus('[data-testid=rows]');
    await page.keyboard.press('n');
    await page.waitForFunction(() => /set a filter first/.test(document.querySelector('[data-testid=announce]')!.textContent!));
    expect(errors).toEqual([]);
  });
});
