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

/** Below this a file is read before a bar would be read. */
const MIN_BYTES = 16 << 20;

export interface BytesProgress {
  /** For ReadOptions.onProgress. */
  (done: number, total: number): void;
  stop(): void;
}

/**
 * A bar for reading (verifying, parsing) a log file of `total` bytes, in MB,
 * on a terminal only, and only for files big enough to take a while.
 */
export function startBytesProgress(label: string, file: string): BytesProgress {
  let bar: CliProgress.SingleBar | null = null;
  const f = ((done: number, total: number) => {
    if (!process.stderr.isTTY || total < MIN_BYTES) return;
    if (bar === null) {
      const cliProgress = loadCliProgress();
      bar = new cliProgress.SingleBar(
        { format: `${label} ${file} [{bar}] {percentage}% of {size} MB`, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { size: Math.round(total / 2 ** 20) });
    }
    bar.update(done);
  }) as BytesProgress;
  f.stop = () => {
    bar?.stop();
    bar = null;
  };
  return f;
}
