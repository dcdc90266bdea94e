/**
 * Builds the trace's engine (src/inspector/trace/page, Vite) into
 * dist/inspector-trace/engine.js. It bundles most of memhp, so it is built
 * when it is missing (npm install), by a full `npm run build`, and when an
 * export finds it older than the sources — not by every incremental build.
 * An installed package ships it and has no sources: the shipped file is it.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../../package-root.ts';
import { newestMtime } from '../server/build.ts';

export const TRACE_DIST = join(PACKAGE_ROOT, 'dist', 'inspector-trace');
export const TRACE_ENGINE = join(TRACE_DIST, 'engine.js');
const CONFIG = join(PACKAGE_ROOT, 'src', 'inspector', 'trace', 'page', 'vite.config.ts');
const SOURCES = ['src', 'machines'].map((p) => join(PACKAGE_ROOT, p));

export function traceEngineIsFresh(): boolean {
  if (!existsSync(TRACE_ENGINE)) return false;
  if (!existsSync(CONFIG)) return true; // an installed package
  return statSync(TRACE_ENGINE).mtimeMs >= Math.max(...SOURCES.map(newestMtime));
}

export async function buildTraceEngine(): Promise<void> {
  const { build } = await import('vite');
  const tmp = join(PACKAGE_ROOT, 'dist', `.inspector-trace-build-${process.pid}`);
  mkdirSync(dirname(tmp), { recursive: true });
  try {
    await build({ configFile: CONFIG, build: { outDir: tmp, emptyOutDir: true }, logLevel: 'warn' });
    rmSync(TRACE_DIST, { recursive: true, force: true });
    try {
      renameSync(tmp, TRACE_DIST);
    } catch (e) {
      if (!existsSync(TRACE_ENGINE)) throw e; // another process put one there first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function ensureTraceEngineBuilt(): Promise<void> {
  if (!traceEngineIsFresh()) await buildTraceEngine();
}
