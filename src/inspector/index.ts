/**
 * The inspector: a loopback web page for stepping through hotplug
 * transitions. `startInspector` builds the page if needed, serves it and the
 * API on 127.0.0.1, and optionally streams live XState inspection events to
 * a Stately inspector over WebSocket.
 */
import { createWebSocketInspector } from '@statelyai/inspect';
import type { InspectorBackend } from './backend.ts';
import { loadAssets } from './server/assets.ts';
import { DIST_DIR, buildInspector, ensureInspectorBuilt } from './server/build.ts';
import { serve } from './server/server.ts';
import { inProcessHandler } from './server/handler.ts';
import { workerHandler, LoadError } from './server/worker-handler.ts';

export { LoadError };

export type { InspectorBackend } from './backend.ts';
export { statechartFromMachine, type StatechartNode, type StatechartEdge } from './graph.ts';
export { buildInspector };

export interface InspectorOptions {
  backend: InspectorBackend;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Only loopback is accepted. */
  host?: '127.0.0.1' | 'localhost' | '::1';
  /** ws:// URL of a Stately inspector (`@statelyai/inspect` WebSocket receiver). */
  stately?: string;
}

export interface RunningInspector {
  url: string;
  close(): Promise<void>;
}

export async function startInspector(opts: InspectorOptions): Promise<RunningInspector> {
  await ensureInspectorBuilt();
  const server = await serve({ handler: inProcessHandler(opts.backend), assets: loadAssets(DIST_DIR), host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  let stopStately = () => {};
  if (opts.stately) {
    if (!/^wss?:\/\//.test(opts.stately)) {
      await server.close();
      throw new Error(`--stately: ${JSON.stringify(opts.stately)} is not a ws:// or wss:// URL`);
    }
    const inspector = createWebSocketInspector({ url: opts.stately });
    if (!opts.backend.attachInspect) {
      await server.close();
      throw new Error('--stately: this log is not live (no actors to inspect); use a live session');
    }
    opts.backend.attachInspect(inspector.inspect as (e: unknown) => void);
    stopStately = () => inspector.stop();
  }
  return {
    url: server.url,
    close: async () => {
      stopStately();
      await server.close();
    },
  };
}

export interface FileInspector extends RunningInspector {
  /** Settles once the file is read (its warnings), or rejects with a LoadError saying why it could not be. */
  loaded: Promise<{ warnings: readonly string[] }>;
}

/**
 * The inspector on a scenario or log file, serving at once: the URL is known
 * before the file is read, and a worker thread reads it while the page loads
 * (a million-event log takes seconds). Operations sent from the page are
 * appended to the log, as with startInspector.
 */
export async function startInspectorOnFile(file: string, opts: Pick<InspectorOptions, 'port' | 'host'> = {}): Promise<FileInspector> {
  await ensureInspectorBuilt();
  const handler = workerHandler(file);
  let server;
  try {
    server = await serve({ handler, assets: loadAssets(DIST_DIR), host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  } catch (e) {
    await handler.close();
    throw e;
  }
  return { url: server.url, loaded: handler.ready, close: () => server.close() };
}
