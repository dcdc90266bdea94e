/**
 * The command channel to the guest: a busybox shell on the guest's second
 * serial port (the first carries the kernel console), reached through a unix
 * socket. Each command is one shell line followed by an end marker with its
 * exit status; every command has a deadline, because a kernel operation can
 * hang (offlining a block that holds unmovable pages retries until signalled).
 */
import { createConnection, type Socket } from 'node:net';

export class GuestTimeout extends Error {}

export interface ShellResult {
  out: string;
  status: number;
}

export class GuestChannel {
  private buf = '';
  private waiter: (() => void) | null = null;
  private closed = false;
  private n = 0;

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (c: string) => {
      this.buf += c;
      this.waiter?.();
    });
    const end = () => {
      this.closed = true;
      this.waiter?.();
    };
    sock.on('close', end);
    sock.on('error', end);
  }

  static async connect(path: string): Promise<GuestChannel> {
    const sock = createConnection(path);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    return new GuestChannel(sock);
  }

  /** Waits until `marker` has been printed; returns what came before it and the match. */
  async waitFor(marker: RegExp, timeoutMs: number): Promise<{ before: string; match: RegExpExecArray }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = marker.exec(this.buf);
      if (m) {
        const before = this.buf.slice(0, m.index);
        this.buf = this.buf.slice(m.index + m[0].length);
        return { before, match: m };
      }
      if (this.closed) throw new Error(`guest channel closed while waiting for ${String(marker)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new GuestTimeout(`guest did not answer within ${timeoutMs} ms (waiting for ${String(marker)})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          this.waiter = null;
          resolve();
        };
      });
    }
  }

  /** Runs one shell line in the guest; its output and exit status. */
  async sh(line: string, timeoutMs = 30_000): Promise<ShellResult> {
    if (line.includes('\n')) throw new Error('guest commands are single lines');
    const tag = `@@memhp-${++this.n}:`;
    this.sock.write(`${line}; echo "${tag}$?@@"\n`);
    const { before, match } = await this.waitFor(new RegExp(`${tag}(\\d+)@@\\n?`), timeoutMs);
    return { out: before, status: Number(match[1]) };
  }

  close(): void {
    this.sock.destroy();
  }
}
