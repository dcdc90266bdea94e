/**
 * npm run build [-- --if-stale]   (`prepare` runs it with --if-stale at npm install)
 *
 * Compiles src/ and machines/ to dist/ (JavaScript and .d.ts, tsc with
 * tsconfig.build.json) and builds the inspector page into dist/inspector
 * (Vite). This is what bin/memhp.js runs and what the package exports; tests
 * build it the same way before they start (test/global-setup.ts), so a
 * spawned `memhp` is always the current source, compiled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { newestMtime } from '../src/inspector/server/build.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** Written after a successful compile; older than any input means compile again. */
const STAMP = join(ROOT, 'dist', '.build-stamp');
const INPUTS = ['src', 'machines', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => join(ROOT, p));

export function codeBuildIsFresh(): boolean {
  return existsSync(STAMP) && statSync(STAMP).mtimeMs >= Math.max(...INPUTS.map(newestMtime));
}

/**
 * tsc never deletes what it emitted for a source file that is gone (renamed, removed), and
 * such a file would still be loadable and packed: drop every dist/src or dist/machines file
 * whose source is not there any more.
 */
function pruneOrphans(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      pruneOrphans(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      continue;
    }
    const source = join(ROOT, path.slice(join(ROOT, 'dist').length + 1)).replace(/(\.d)?\.js$|\.d\.ts$/, '.ts');
    if (!existsSync(source)) rmSync(path);
  }
}

/** tsc -p tsconfig.build.json; its diagnostics go to stderr, a failure throws. */
function compile(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = Date.now();
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${r.status ?? r.signal})`);
  for (const dir of ['src', 'machines']) pruneOrphans(join(ROOT, 'dist', dir));
  writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
}

export async function build(opts: { ifStale?: boolean } = {}): Promise<void> {
  if (!opts.ifStale || !codeBuildIsFresh()) compile();
  const { buildInspector, ensureInspectorBuilt } = await import('../src/inspector/server/build.ts');
  await (opts.ifStale ? ensureInspectorBuilt() : buildInspector());
  // the exported trace's engine bundles most of src/: built when missing and by a full build; an
  // export rebuilds it when it is older than the sources (src/inspector/trace/build.ts)
  const { buildTraceEngine, TRACE_ENGINE } = await import('../src/inspector/trace/build.ts');
  if (!opts.ifStale || !existsSync(TRACE_ENGINE)) await buildTraceEngine();
}

if (import.meta.filename === process.argv[1]) {
  try {
    await build({ ifStale: process.argv.includes('--if-stale') });
  } catch (e) {
    process.stderr.write(`memhp: build failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
