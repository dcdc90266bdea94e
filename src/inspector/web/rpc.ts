/** WebSocket request/reply client for the inspector API. */
import type { Method, Push, Reply, RequestMap } from '../protocol.ts';

export class Api {
  private ws: WebSocket;
  private nextId = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private ready: Promise<void>;
  onPush: (p: Push) => void = () => {};
  onClose: () => void = () => {};

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ready = new Promise((resolve, reject) => {
      this.ws.addEventListener('open', () => resolve());
      this.ws.addEventListener('error', () => reject(new Error('cannot connect to the inspector server')));
    });
    this.ws.addEventListener('close', () => {
      for (const w of this.waiting.values()) w.reject(new Error('connection closed'));
      this.waiting.clear();
      this.onClose();
    });
    this.ws.addEventListener('message', (m) => {
      const msg = JSON.parse(String(m.data)) as Reply | Push;
      if ('type' in msg) return this.onPush(msg);
      const w = msg.id === null ? undefined : this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id!);
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new Error(msg.error.message));
    });
  }

  async call<M extends Method>(method: M, params: RequestMap[M]['params']): Promise<RequestMap[M]['result']> {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }
}

/**
 * Runs at most one request at a time and drops superseded ones: scrubbing asks for the latest step only.
 * `done` may show its result in several tasks (returning a promise): the next request waits for it,
 * and `stale()` says a newer one is already waiting, so the rest of an outdated result can be skipped.
 */
export function latestOnly<A, R>(fn: (a: A) => Promise<R>, done: (r: R, a: A, stale: () => boolean) => void | Promise<void>, fail: (e: Error) => void): (a: A) => void {
  let running = false;
  let queued: { a: A } | null = null;
  const stale = () => queued !== null;
  const run = async (a: A): Promise<void> => {
    running = true;
    try {
      await done(await fn(a), a, stale);
    } catch (e) {
      fail(e as Error);
    }
    running = false;
    if (queued) {
      const next = queued.a;
      queued = null;
      void run(next);
    }
  };
  return (a: A) => {
    if (running) queued = { a };
    else void run(a);
  };
}
