/**
 * Builds the page with Vite when dist/inspector is missing or older than its
 * sources, so a newcomer never needs a separate build step. An installed
 * package ships the built page and not its sources (nor Vite): there the
 * shipped page is the page.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../../package-root.ts';

const REPO = PACKAGE_ROOT;
/** The page's sources (in a checkout; the built code in dist/src/… has no web/ beside it). */
export const WEB_DIR = join(REPO, 'src', 'inspector', 'web');
export const DIST_DIR = join(REPO, 'dist', 'inspector');
/** Files outside web/ the page imports (event-text.ts is code; the rest are types, erased but still inputs). */
const EXTRA_SOURCES = ['inspector/protocol.ts', 'inspector/branch-prefix.ts', 'timeline/event-text.ts', 'engine/op-text.ts', 'inspector/backend.ts', 'inspector/graph.ts', 'engine/events.ts', 'kernel/types.ts'].map((p) => join(REPO, 'src', p));

/** The newest modification time of a file or of anything below a directory. */
export function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

export function inspectorBuildIsFresh(): boolean {
  const index = join(DIST_DIR, 'index.html');
  if (!existsSync(index)) return false;
  if (!existsSync(WEB_DIR)) return true; // an installed package: the shipped page is all there is
  const built = statSync(index).mtimeMs;
  const sources = Math.max(newestMtime(WEB_DIR), ...EXTRA_SOURCES.map(newestMtime));
  return built >= sources;
}

let pending: Promise<void> | null = null;

/** Build dist/inspector (always). Another process building at the same time is harmless. */
export function buildInspector(): Promise<void> {
  pending ??= (async () => {
    const { build } = await import('vite');
    const tmp = join(REPO, 'dist', `.inspector-build-${process.pid}`);
    mkdirSync(dirname(tmp), { recursive: true });
    try {
      await build({ configFile: join(WEB_DIR, 'vite.config.ts'), build: { outDir: tmp, emptyOutDir: true }, logLevel: 'warn' });
      const old = join(REPO, 'dist', `.inspector-old-${process.pid}`);
      if (existsSync(DIST_DIR)) renameSync(DIST_DIR, old);
      try {
        renameSync(tmp, DIST_DIR);
      } catch (e) {
        // Another process put a fresh build there first: use theirs.
        if (!existsSync(join(DIST_DIR, 'index.html'))) throw e;
      }
      rmSync(old, { recursive: true, force: true });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  })().finally(() => { pending = null; });
  return pending;
}

export async function ensureInspectorBuilt(): Promise<void> {
  if (!inspectorBuildIsFresh()) await buildInspector();
}
