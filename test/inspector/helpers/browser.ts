/**
 * Real headless Chromium through playwright-core: Debian's /usr/bin/chromium
 * when the machine has it, else the headless Chromium that the npm package
 * @sparticuz/chromium (a devDependency) carries, unpacked once into the temp
 * directory — so `npm install` alone is enough. Never downloads a browser;
 * a Chromium that cannot start fails the test, it does not skip.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
export const OUT_DIR = join(process.cwd(), 'test-output', 'inspector');

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The packaged Chromium, unpacked into <tmp>/memhp-chromium-<version>/ (the
 * binary with its SwiftShader libraries beside it). @sparticuz/chromium unpacks
 * into os.tmpdir() and takes an existing file there as finished, so two test
 * workers starting at once could launch a half-written binary: each unpacks
 * into a private directory instead, marks it complete, and renames it into
 * place; whoever loses the rename uses the winner's copy.
 */
async function packagedChromium(): Promise<string> {
  const { version } = sparticuzPackage();
  const dir = join(tmpdir(), `memhp-chromium-${version}`);
  const binary = join(dir, 'chromium');
  if (existsSync(join(dir, '.complete'))) return binary;
  const work = mkdtempSync(join(tmpdir(), 'memhp-chromium-unpack-'));
  const { default: Chromium } = await import('@sparticuz/chromium');
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = work; // os.tmpdir() follows TMPDIR: the package unpacks into `work`
  try {
    const unpacked = await Chromium.executablePath();
    if (unpacked !== join(work, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not into ${work}`);
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
  writeFileSync(join(work, '.complete'), `${version}\n`);
  try {
    renameSync(work, dir);
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    if (!existsSync(join(dir, '.complete'))) throw e;
  }
  return binary;
}

/** @sparticuz/chromium's package.json (its `exports` do not list it: found above its main file). */
function sparticuzPackage(): { name: string; version: string } {
  for (let dir = dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string };
    if (pkg.name === '@sparticuz/chromium') return pkg;
  }
  throw new Error('@sparticuz/chromium: package.json not found (run npm install)');
}

/** The Chromium the browser tests use: the system's, else the packaged one. */
export async function chromiumPath(): Promise<string> {
  return existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : packagedChromium();
}

export async function launch(): Promise<Browser> {
  const executablePath = await chromiumPath();
  // the packaged build is chrome-headless-shell; it runs with its usual processes here (the package's own
  // --single-process is for AWS Lambda, and makes a busy page stall input under load)
  const extra = executablePath === SYSTEM_CHROMIUM ? [] : ['--headless=shell'];
  return chromium.launch({ executablePath, headless: true, args: [...ARGS, ...extra] });
}

/** A new page on `url`, ready; `before` runs first (e.g. to route the page's WebSocket before it connects). */
export async function openPage(browser: Browser, url: string, before?: (page: Page) => Promise<void>): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1680, height: 1050 } });
  await before?.(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, errors };
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
