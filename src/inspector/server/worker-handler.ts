/**
 * `memhp inspect <file>`: the server listens and serves the page at once;
 * a worker thread (worker.ts) reads the file and answers the page once it
 * has. The main thread only passes messages on, so it stays free to serve
 * the page (and says "loading" to it) while a big log is read, and while a
 * step's invariants are checked.
 */
import { Worker } from 'node:worker_threads';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { statSync } from 'node:fs';
import type { InspectorInfo } from '../backend.ts';
import type { RequestHandler } from './handler.ts';
import type { FromWorker, ToWorker } from './worker.ts';

/**
 * A worker on worker.js beside this file (the compiled package). In a checkout run through tsx the
 * file is worker.ts, and a worker thread does not inherit tsx's loader: it registers it first.
 */
function startWorker(file: string): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./worker${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(url, { workerData: { file } });
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData: { file } });
}

export interface WorkerHandler extends RequestHandler {
  /** Settles once the file is read: its warnings, or the reason it could not be read. */
  ready: Promise<{ warnings: readonly string[] }>;
}

export class LoadError extends Error {
  constructor(message: string, readonly input: boolean) {
    super(message);
  }
}

export function workerHandler(file: string): WorkerHandler {
  const worker = startWorker(file);
  const waiting = new Map<number, (text: string) => void>();
  const listeners = new Set<(text: string) => void>();
  let nextId = 1;
  let loaded = false;
  let size = 0;
  try { size = statSync(file).size; } catch { /* the worker reports a missing file */ }
  const loadingText = `reading ${basename(file)}${size > 8 * 1024 * 1024 ? ` (${Math.round(size / 1024 / 1024)} MB)` : ''}…`;
  let fail: (e: Error) => void = () => {};
  const ready = new Promise<{ warnings: readonly string[] }>((resolve, reject) => {
    fail = reject;
    worker.on('message', (m: FromWorker) => {
      if ('ready' in m) { loaded = true; resolve({ warnings: m.warnings }); }
      else if ('failed' in m) reject(new LoadError(m.failed, m.input));
      else if ('push' in m) for (const l of listeners) l(m.push);
      else { waiting.get(m.id)?.(m.text); waiting.delete(m.id); }
    });
  });
  // a worker that dies (out of memory, a bug) answers every request still waiting with the reason, and every later one
  let dead: string | null = null;
  const die = (why: string) => {
    dead ??= `the inspector's backend stopped: ${why}`;
    fail(new LoadError(dead, false));
    for (const [id, resolve] of waiting) { waiting.delete(id); resolve(''); }
  };
  worker.on('error', (e) => die(e.message));
  worker.on('exit', (code) => die(`its thread exited (${code})`));
  ready.catch(() => {});
  const ask = (msg: ToWorker & { id: number }): Promise<string> => new Promise((resolve) => {
    if (dead) return resolve('');
    waiting.set(msg.id, resolve);
    worker.postMessage(msg);
  });
  /** The page's request id in a raw message (for an error reply when the worker cannot answer). */
  const idOf = (raw: string): number | null => { try { const id = (JSON.parse(raw) as { id?: unknown }).id; return Number.isInteger(id) ? id as number : null; } catch { return null; } };
  const handle = async (raw: string): Promise<string> => {
    const text = await ask({ id: nextId++, raw });
    return text || JSON.stringify({ id: idOf(raw), ok: false, error: { code: 'failed', message: dead ?? 'no answer' } });
  };
  return {
    ready,
    handle,
    info: async () => {
      const text = await ask({ id: nextId++, info: true });
      if (!text) throw new Error(dead ?? 'no answer');
      return JSON.parse(text) as InspectorInfo;
    },
    loading: () => (loaded ? null : loadingText),
    onPush: (l) => { listeners.add(l); return () => listeners.delete(l); },
    warm: () => worker.postMessage({ warm: true } satisfies ToWorker),
    close: async () => { dead ??= 'closed'; await worker.terminate(); },
  };
}
