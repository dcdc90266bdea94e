/**
 * One appender per log: `<log>.lock` holds the pid of the process appending.
 *
 * The lock file is written whole under a temporary name and then hard-linked
 * into place; link() fails if the name exists, so taking the lock is atomic
 * and a lock file is never seen half-written. A lock whose pid no longer
 * exists (the appender was killed) is stale and is taken over. Two processes
 * that find the same stale lock at the same instant could both remove it;
 * each re-reads it just before removing to keep that window to a few
 * microseconds, which is enough for a developer tool (no fcntl locks in Node).
 */
import fs from 'node:fs';
import { LogLockedError } from './errors.ts';

export interface LogLock {
  readonly lockFile: string;
  release(): void;
}

export function lockPathOf(logPath: string): string {
  return `${logPath}.lock`;
}

function readHolder(lockFile: string): number | null | 'gone' {
  let text: string;
  try {
    text = fs.readFileSync(lockFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export function acquireLock(logPath: string): LogLock {
  const lockFile = lockPathOf(logPath);
  const tmp = `${lockFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, `${process.pid}\n`);
  } catch (e) {
    throw new Error(`cannot lock memhp log ${logPath}: ${(e as Error).message}`);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, lockFile);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readHolder(lockFile);
      if (holder === 'gone') continue;
      if (holder === null) {
        throw new Error(`memhp log ${logPath}: lock file ${lockFile} holds no pid; if no memhp is appending to this log, remove it`);
      }
      if (isAlive(holder) || attempt >= 3) throw new LogLockedError(logPath, lockFile, holder);
      // Stale: its appender died without releasing it.
      if (readHolder(lockFile) === holder) fs.rmSync(lockFile, { force: true });
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  let held = true;
  return {
    lockFile,
    release() {
      if (!held) return;
      held = false;
      // Remove it only if it is still ours (never someone else's after a takeover).
      if (readHolder(lockFile) === process.pid) fs.rmSync(lockFile, { force: true });
    },
  };
}
