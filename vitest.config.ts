import { defineConfig } from 'vitest/config';

// Many suites spawn the real CLI, real lsmem or a real Chromium: on a shared
// 2-core machine a test may wait long for the CPU. Limits here guard against
// hangs, not slowness (speed is the benchmark's job).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // spawned `memhp` commands run the compiled dist/: build it first when a source changed
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
