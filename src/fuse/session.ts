/**
 * A mount from start to finish: check that FUSE is usable (before anything
 * is created), load the scenario or log, prepare the mountpoint, open the
 * live system and its log, mount, and on SIGINT/SIGTERM/SIGHUP unmount and
 * close the log. Shared by `memhp mount` and `memhp exec`.
 */
import { resolve } from 'node:path';
import { InputError } from '../input/errors.ts';
import { checkLogPath, loadSource } from '../session/source.ts';
import { checkFuseDevice, FuseUnavailable, onPath } from './platform.ts';
import { openLive, defaultLogPath, type Live } from './live.ts';
import { MountpointError, prepareMountpoint } from './mountpoint.ts';
import { SysfsFuse } from './sysfs-fs.ts';

export interface MountRequest {
  file: string;
  mountpoint: string;
  logPath?: string;
}

export interface MountSession {
  mountpoint: string;
  notes: string[];
  live: Live;
  /** Resolves on the first SIGINT, SIGTERM or SIGHUP. */
  untilSignal(): Promise<NodeJS.Signals>;
  /** Unmounts and closes the log (idempotent). */
  close(): Promise<void>;
}

/** FUSE present and usable, else FuseUnavailable naming what is missing. Nothing is created. */
export function checkFuse(): void {
  checkFuseDevice();
  for (const tool of ['mount', 'umount']) {
    if (!onPath(tool)) throw new FuseUnavailable(`${tool} is not on PATH: install util-linux (Debian: mount)`);
  }
}

export async function startMount(req: MountRequest): Promise<MountSession> {
  checkFuse();
  const source = loadSource(req.file);
  const notes = [...source.warnings];
  const logPath = req.logPath ?? defaultLogPath(source);
  const continuing = source.kind === 'log' && resolve(logPath) === resolve(source.path);
  if (!continuing) checkLogPath(logPath);
  let mp: ReturnType<typeof prepareMountpoint>;
  try {
    mp = prepareMountpoint(req.mountpoint);
  } catch (err) {
    if (err instanceof MountpointError) throw new InputError(err.message);
    throw err;
  }
  notes.push(...mp.notes);
  const live = openLive(source, logPath);
  const fs = new SysfsFuse(live, source.spec.machine.possibleNodes ? { possibleNodes: source.spec.machine.possibleNodes } : {});
  try {
    await fs.mount(mp.mountpoint);
  } catch (err) {
    live.close();
    throw new Error(`FUSE mount at ${mp.mountpoint} failed: ${(err as Error).message}`);
  }
  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= fs
      .unmount()
      .catch((err: unknown) => {
        process.stderr.write(`memhp: warning: unmounting ${mp.mountpoint}: ${(err as Error).message}; run: umount -l ${mp.mountpoint}\n`);
      })
      .finally(() => live.close()));
  return {
    mountpoint: mp.mountpoint,
    notes,
    live,
    untilSignal: () =>
      new Promise((resolveSignal) => {
        const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
        const on = (sig: NodeJS.Signals) => {
          for (const s of signals) process.off(s, on);
          resolveSignal(sig);
        };
        for (const s of signals) process.on(s, on);
      }),
    close,
  };
}
