/**
 * Starting the inspector on a scenario or log and keeping it up until the
 * user stops the command (Ctrl-C / SIGTERM). The inspector is loaded only
 * here, so other commands do not pay for it.
 */
import type { MemhpEvent } from '../engine/events.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { InputError } from './errors.ts';

export interface ServeOptions {
  name: string;
  system: SystemSpec;
  events: readonly MemhpEvent[];
  logPath?: string;
  port: number;
  stately?: string;
}

export function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InputError(`--port: ${JSON.stringify(value)} is not a TCP port (0..65535; 0 picks a free one)`);
  return n;
}

/** Starts the inspector; resolves with its URL and a promise that settles when the process is asked to stop. */
export async function serveInspector(opts: ServeOptions): Promise<{ url: string; done: Promise<void> }> {
  const { startInspector } = await import('../inspector/index.ts');
  const { EngineBackend } = await import('../inspector/engine-backend.ts');
  const backend = new EngineBackend({ name: opts.name, system: opts.system, events: opts.events, ...(opts.logPath ? { logPath: opts.logPath } : {}) });
  const running = await startInspector({ backend, port: opts.port, ...(opts.stately ? { stately: opts.stately } : {}) });
  const done = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.close().finally(() => {
        backend.close();
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { url: running.url, done };
}
