/**
 * `tsx src/inspector/build-cli.ts [--if-stale]`: build the inspector page into
 * dist/inspector. Meant for a `prepare`/`postinstall` script; the inspector
 * also builds itself on first use, so this is only to save that first wait.
 */
import { buildInspector, ensureInspectorBuilt } from './server/build.ts';

const ifStale = process.argv.includes('--if-stale');
try {
  await (ifStale ? ensureInspectorBuilt() : buildInspector());
} catch (e) {
  process.stderr.write(`memhp: building the inspector page failed: ${(e as Error).message}\n`);
  process.exit(1);
}
