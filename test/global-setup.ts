/**
 * Before any test file: make dist/ the current source, compiled (scripts/build.ts
 * --if-stale: nothing to do unless a source is newer than the last build). Tests
 * that spawn `memhp` run bin/memhp.js, i.e. this build — what users run — while
 * tests that import the library import src/ directly through vitest.
 */
import { build } from '../scripts/build.ts';

export default async function setup(): Promise<void> {
  await build({ ifStale: true });
}
