/**
 * The simulated sysfs as a FUSE mount: the kernel's requests are served by
 * FuseServer on a worker thread (fuse-worker.ts) from the sysfs renderer
 * (src/sysfs/tree.ts — the same code that `sysfs export` writes to disk);
 * every write(2) becomes a `write` operation on the live system, here on the
 * main thread, and returns the kernel's errno.
 *
 * memhp speaks the FUSE protocol itself on /dev/fuse (src/fuse/abi.ts) and
 * mounts with mount(8), passing the descriptor as `fd=` the way fusermount
 * does: no libfuse, no native addon, one thread between the kernel and the
 * renderer, and the kernel's caches kept until the world changes
 * (docs/sysfs.md explains the cost of the alternatives).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, stat } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sysfsView } from '../engine/sysfs/view.ts';
import type { World } from '../engine/world.ts';
import type { SysfsOptions } from '../sysfs/tree.ts';
import { CTL_GENERATION, CTL_SLOTS, CTL_WRITTEN, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.ts';

/** The live system behind the mount. */
export interface LiveSysfs {
  /** The current world (the server renders from its sysfs part, worker-protocol.ts). */
  world(): World;
  /** A write(2) to /sys/<path>, decided and made durable before it returns. */
  write(path: string, value: string): { ret: number };
  /** Calls `listener` whenever the world changes (a write, the inspector's operations); returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

export interface MountOptions extends SysfsOptions {
  /** Called after every write with its result (for progress lines, tests). */
  onWrite?: (path: string, value: string, ret: number) => void;
}

/** The worker beside this module: .ts when run from the sources (tsx), .js from dist/. */
const WORKER = new URL(`./fuse-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * A name that never exists at the mount's root: looking it up wakes the
 * server, which takes the new world and tells the kernel what changed.
 */
export const WAKE_NAME = '.memhp-world-changed';

/** How long an unmounted server may take to see its connection end. */
const END_GRACE_MS = 500;

function run(cmd: string, args: string[], extraFd?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe', ...(extraFd === undefined ? [] : [extraFd])] });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${err.trim() || `exit ${code}`}`))));
  });
}

export class SysfsFuse {
  private fd: number | null = null;
  private worker: Worker | null = null;
  private ended: Promise<void> | null = null;
  private mountpoint: string | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly live: LiveSysfs,
    private readonly opts: MountOptions = {},
  ) {}

  /** Mounts at `mountpoint` (an existing empty directory); needs root and /dev/fuse. */
  async mount(mountpoint: string): Promise<void> {
    const fd = openSync('/dev/fuse', 'r+');
    this.fd = fd;
    const control = new SharedArrayBuffer(CTL_SLOTS * 4);
    const ctl = new Int32Array(control);
    const { onWrite: _onWrite, ...options } = this.opts;
    const init: WorkerInit = { fd, control, view: sysfsView(this.live.world()), options };
    const worker = new Worker(WORKER, { workerData: init });
    this.worker = worker;
    const toWorker = (msg: ToWorker) => worker.postMessage(msg);

    // A new world goes to the worker first, then the counter it watches moves. A change
    // that did not come through the mount (the inspector's) also wakes the server, so the
    // kernel forgets what it keeps of the old world now, not at the next request.
    let writing = false;
    this.unsubscribe = this.live.onChange(() => {
      toWorker({ type: 'view', view: sysfsView(this.live.world()) });
      Atomics.add(ctl, CTL_GENERATION, 1);
      if (!writing && this.mountpoint) stat(join(this.mountpoint, WAKE_NAME), () => {});
    });
    this.ended = new Promise<void>((resolve) => {
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'write') {
          let ret: number;
          writing = true;
          try {
            ret = this.live.write(msg.path, msg.value).ret;
            this.opts.onWrite?.(msg.path, msg.value, ret);
          } catch (err) {
            process.stderr.write(`memhp: write to /sys/${msg.path} failed inside memhp: ${(err as Error).message}\n`);
            ret = -5; // EIO
          } finally {
            writing = false;
          }
          toWorker({ type: 'written', ret });
          Atomics.store(ctl, CTL_WRITTEN, 1);
          Atomics.notify(ctl, CTL_WRITTEN);
        } else if (msg.type === 'failed') {
          this.serverFailed(msg.message);
        }
      });
      worker.on('error', (err) => this.serverFailed(err.stack ?? err.message));
      worker.on('exit', () => resolve());
    });

    // As fusermount does: the kernel takes the open /dev/fuse as fd= in the mounting process.
    const opts = ['fd=3', 'rootmode=40000', 'user_id=0', 'group_id=0', 'allow_other', 'default_permissions'].join(',');
    try {
      await run('mount', ['-i', '-t', 'fuse.memhp', '-o', opts, 'memhp', mountpoint], fd);
    } catch (err) {
      await this.stopWorker();
      throw err;
    }
    this.mountpoint = mountpoint;
  }

  /**
   * The server thread died while mounted: nothing would ever answer the kernel, and every
   * tool touching the mount would hang. Unmounting ends the connection (their calls fail
   * with ENOTCONN); the log holds every write that returned.
   */
  private serverFailed(why: string): void {
    process.stderr.write(`memhp: the FUSE server stopped: ${why}\nmemhp: unmounting ${this.mountpoint ?? ''}\n`);
    void this.unmount().catch(() => {});
  }

  /**
   * Unmounts and stops the server. `umount -f` first: for FUSE it aborts the connection, so
   * the server's read() returns and tools still inside get ENOTCONN instead of waiting on a
   * server that is going away; if a tool still holds the mount (a shell whose directory is in
   * it) the forced unmount is refused, and `umount -l` detaches it instead.
   */
  async unmount(): Promise<void> {
    const mnt = this.mountpoint;
    this.mountpoint = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    let failure: unknown = null;
    if (mnt) {
      const forced = await run('umount', ['-f', mnt]).then(
        () => true,
        () => false,
      );
      if (!forced) await run('umount', ['-l', mnt]).catch((err: unknown) => (failure = err));
    }
    await this.stopWorker();
    if (failure) throw failure;
  }

  private async stopWorker(): Promise<void> {
    const ended = this.ended;
    if (!this.worker || !ended) return this.closeFd();
    const timedOut = await Promise.race([ended.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), END_GRACE_MS).unref())]);
    // The connection is gone after `umount -f`; a server still reading is stopped as well as a
    // thread inside a system call can be.
    if (timedOut) await this.worker.terminate();
    this.worker = null;
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
