/**
 * What the server asks of whoever answers the page: a raw WebSocket message
 * in, the raw reply out, pushes when the log grows. Answered in this process
 * over a backend object (a live mount's session, the tests), or by a worker
 * thread that loads the log itself (worker-handler.ts: `memhp inspect` serves
 * the page at once and loads a big log in the background).
 */
import type { InspectorBackend, InspectorInfo } from '../backend.ts';
import type { Push, Reply } from '../protocol.ts';
import { parseRequest } from './validate.ts';
import { Rpc } from './rpc.ts';

export interface RequestHandler {
  /** The reply to one message from the page (a request, validated here), as JSON text. */
  handle(raw: string): Promise<string>;
  info(): Promise<InspectorInfo>;
  /** Null once the log is loaded; else what the page is told while it waits. */
  loading(): string | null;
  /** Pushes (the log grew, another branch is shown), as JSON text. */
  onPush(listener: (text: string) => void): () => void;
  /** A head start on what every page's first step needs, once the server listens. */
  warm(): void;
  close(): Promise<void>;
}

/** Validate, answer from the backend, and write the reply (or an error naming the JSON path). */
export async function answer(rpc: Rpc, raw: string): Promise<string> {
  const parsed = parseRequest(raw);
  if (!parsed.ok) return JSON.stringify({ id: parsed.id, ok: false, error: { code: 'bad-request', message: parsed.message } } satisfies Reply);
  try {
    return JSON.stringify({ id: parsed.req.id, ok: true, result: await rpc.handle(parsed.req) } satisfies Reply);
  } catch (e) {
    return JSON.stringify({ id: parsed.req.id, ok: false, error: { code: 'failed', message: (e as Error).message } } satisfies Reply);
  }
}

/** The backend in this process. */
export function inProcessHandler(backend: InspectorBackend): RequestHandler {
  const rpc = new Rpc(backend);
  return {
    handle: (raw) => answer(rpc, raw),
    info: async () => backend.info(),
    loading: () => null,
    onPush: (listener) => backend.onAppend?.(() => listener(JSON.stringify({ type: 'appended', info: backend.info() } satisfies Push))) ?? (() => {}),
    warm: () => rpc.warm(),
    close: async () => {},
  };
}
