/**
 * A client for QEMU's machine protocol (QMP) on a unix socket: one JSON object
 * per line, a greeting, `qmp_capabilities`, then commands answered in order and
 * asynchronous events (DEVICE_DELETED, ACPI_DEVICE_OST …) in between.
 */
import { createConnection, type Socket } from 'node:net';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: unknown;
}

export class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly cls: string,
    readonly desc: string,
  ) {
    super(`QMP ${command}: ${cls}: ${desc}`);
  }
}

export class Qmp {
  private buf = '';
  private pending: Array<{ command: string; resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private readonly events: QmpEvent[] = [];
  private waiters: Array<() => void> = [];
  private closed: Error | null = null;

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => this.onData(chunk));
    const fail = (err: Error) => {
      this.closed = err;
      for (const p of this.pending.splice(0)) p.reject(err);
      this.wake();
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('QMP connection closed')));
  }

  /** Connects, reads the greeting and enters command mode. */
  static async connect(path: string): Promise<Qmp> {
    const sock = createConnection(path);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const qmp = new Qmp(sock);
    await qmp.nextLine();
    await qmp.execute('qmp_capabilities');
    return qmp;
  }

  private greeting: ((v: unknown) => void) | null = null;
  private nextLine(): Promise<unknown> {
    return new Promise((resolve) => (this.greeting = resolve));
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line === '') continue;
      const msg = JSON.parse(line) as Record<string, unknown>;
      if ('QMP' in msg && this.greeting) {
        const g = this.greeting;
        this.greeting = null;
        g(msg);
      } else if ('event' in msg) {
        this.events.push(msg as unknown as QmpEvent);
        this.wake();
      } else {
        const p = this.pending.shift();
        if (!p) continue;
        if ('error' in msg) {
          const e = msg.error as { class: string; desc: string };
          p.reject(new QmpError(p.command, e.class, e.desc));
        } else p.resolve(msg.return);
      }
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ command, resolve: resolve as (v: unknown) => void, reject });
      this.sock.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    });
  }

  /** Forgets the events received so far (call before an action whose events you will wait for). */
  drainEvents(): QmpEvent[] {
    return this.events.splice(0);
  }

  /** The first event (received since the last drain) that `match` accepts, or null after `timeoutMs`. */
  async waitEvent(match: (e: QmpEvent) => boolean, timeoutMs: number): Promise<QmpEvent | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.events.findIndex(match);
      if (i >= 0) return this.events.splice(i, 1)[0]!;
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.sock.destroy();
  }
}
