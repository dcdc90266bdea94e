/**
 * `memhp inspect <scenario|log> [--port N] [--stately ws-url]`: what the CLI
 * subcommand runs. A file whose first line is a memhp log header opens as a
 * log (live operations append to it); anything else is read as a scenario.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { backendFromLog, backendFromScenario } from './engine-backend.ts';
import { startInspector, type RunningInspector } from './index.ts';

export interface InspectCommandOptions {
  port?: number;
  stately?: string;
  /** Where to print the URL (default: stdout). */
  print?: (line: string) => void;
}

function looksLikeLog(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8').includes('"format":"memhp-log"');
  } finally {
    closeSync(fd);
  }
}

export async function runInspect(path: string, opts: InspectCommandOptions = {}): Promise<RunningInspector> {
  if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535)) {
    throw new Error(`--port: ${opts.port} is not a TCP port (0-65535)`);
  }
  const backend = looksLikeLog(path) ? backendFromLog(path) : backendFromScenario(path);
  const running = await startInspector({ backend, port: opts.port ?? 0, host: '127.0.0.1', ...(opts.stately ? { stately: opts.stately } : {}) });
  (opts.print ?? ((l) => process.stdout.write(l + '\n')))(`memhp inspector: ${running.url}`);
  return {
    url: running.url,
    close: async () => {
      await running.close();
      backend.close();
    },
  };
}
