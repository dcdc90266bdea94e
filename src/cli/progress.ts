/**
 * Progress for long runs: a cli-progress bar on stderr, only when stderr is
 * a terminal (piped or redirected stderr gets nothing), and only when the
 * job is long enough for a bar to help.
 */
import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';

/** cli-progress, loaded only when a bar is drawn (never when stderr is piped: tests, scripts). */
const loadCliProgress = (): typeof CliProgress => createRequire(import.meta.url)('cli-progress') as typeof CliProgress;

export interface Progress {
  tick(n?: number): void;
  stop(): void;
}

const NONE: Progress = { tick() {}, stop() {} };

/** Jobs shorter than this finish before a bar would be read. */
const MIN_TOTAL = 200;

export function startProgress(label: string, total: number, opts: { enabled?: boolean } = {}): Progress {
  if (!process.stderr.isTTY || opts.enabled === false || total < MIN_TOTAL) return NONE;
  const cliProgress = loadCliProgress();
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total}`, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let done = 0;
  return {
    tick(n = 1) {
      done += n;
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}
