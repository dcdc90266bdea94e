/**
 * One appender per log: `<log>.lock` names the process appending.
 *
 * Taking the lock: the lock file is written whole under a temporary name and
 * hard-linked into place; link() fails if the name exists, so taking a free
 * lock is atomic and a lock file is never seen half-written.
 *
 * Taking over a stale lock (its process died without releasing it) must be
 * atomic as well, or two processes that both find the same dead pid both
 * "remove the stale lock" — the second removing the first one's fresh lock —
 * and both append (issue 13: records lost). Node has no flock(), so the
 * takeover is made exclusive with the same link() trick: every lock file
 * carries an owner token (pid and a random nonce, unique forever), and only
 * the process that creates `<log>.lock.takeover.<nonce>` by link() may remove
 * a file owned by that token. While it holds that marker nobody else can
 * remove the file, so "re-read it, still the dead owner's, unlink it" cannot
 * remove anything but the stale file. A marker whose own holder died is
 * stale in turn and is removed by the same rule, one level up (bounded).
 * Markers are removed as soon as the takeover is done, so none is left behind
 * unless a process is killed within those few microseconds — and that one is
 * cleaned up by the next takeover.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { LogLockedError } from './errors.ts';

export interface LogLock {
  readonly lockFile: string;
  /** True while the lock file on disk is still this process's own (nobody took it over). */
  stillHeld(): boolean;
  release(): void;
}

export function lockPathOf(logPath: string): string {
  return `${logPath}.lock`;
}

/** Who owns a lock or marker file: its pid, and the token that names its takeover marker. */
interface Owner {
  pid: number;
  /** The nonce written with the pid; lock files of older memhp versions hold only a pid. */
  token: string;
  text: string;
}

function parseOwner(text: string): Owner | null {
  const m = /^(\d+)(?:\s+([0-9a-f]{8,64}))?\s*$/.exec(text);
  if (!m) return null;
  const pid = Number(m[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  return { pid, token: m[2] ?? `pid-${pid}`, text };
}

function readOwner(file: string): Owner | null | 'gone' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  return parseOwner(text);
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

/** link() that answers false when the name is taken. */
function linkExclusive(from: string, to: string): boolean {
  try {
    fs.linkSync(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function unlinkIfPresent(file: string): void {
  fs.rmSync(file, { force: true });
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** A short synchronous wait while another process finishes a takeover (no busy loop). */
function sleepMs(ms: number): void {
  Atomics.wait(pause, 0, 0, ms);
}

/** How many stale markers deep a takeover goes before giving up (each level needs a process killed mid-takeover). */
const MAX_MARKER_DEPTH = 4;

/**
 * Removes `file` if it still belongs to `stale` (whose process is dead), as the one process
 * allowed to: the creator of `<lock>.takeover.<stale.token>`. Returns without removing
 * anything when another live process is already taking it over; the caller then retries.
 */
function removeStale(lockFile: string, file: string, stale: Owner, mine: string, depth: number): void {
  const marker = `${lockFile}.takeover.${stale.token}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (linkExclusive(mine, marker)) {
      try {
        // Nobody else may remove `file` while it is `stale`'s and we hold the marker.
        const now = readOwner(file);
        if (now !== 'gone' && now !== null && now.text === stale.text) unlinkIfPresent(file);
      } finally {
        unlinkIfPresent(marker);
      }
      return;
    }
    const taker = readOwner(marker);
    if (taker === 'gone') continue;
    if (taker === null || isAlive(taker.pid)) return; // someone is on it (or a marker we cannot read): let them finish
    if (depth >= MAX_MARKER_DEPTH) return;
    // The process taking it over died mid-takeover: its marker is stale too.
    removeStale(lockFile, marker, taker, mine, depth + 1);
  }
}

export function acquireLock(logPath: string): LogLock {
  const lockFile = lockPathOf(logPath);
  const nonce = randomBytes(12).toString('hex');
  const ownText = `${process.pid} ${nonce}\n`;
  const tmp = `${lockFile}.${process.pid}.${nonce}.tmp`;
  try {
    fs.writeFileSync(tmp, ownText, { flag: 'wx' });
  } catch (e) {
    throw new Error(`cannot lock memhp log ${logPath}: ${(e as Error).message}`);
  }
  try {
    // Each round either takes the lock, reports its live holder, or removes a stale lock
    // (or waits for another process removing it); a few hundred rounds is ample.
    for (let attempt = 0; ; attempt++) {
      if (linkExclusive(tmp, lockFile)) break;
      const holder = readOwner(lockFile);
      if (holder === 'gone') continue;
      if (holder === null) {
        throw new Error(`memhp log ${logPath}: lock file ${lockFile} holds no pid; if no memhp is appending to this log, remove it`);
      }
      if (isAlive(holder.pid) || attempt >= 200) throw new LogLockedError(logPath, lockFile, holder.pid);
      // Stale: its appender died without releasing it.
      removeStale(lockFile, lockFile, holder, tmp, 0);
      if (attempt > 0) sleepMs(Math.min(1 + attempt, 10));
    }
  } finally {
    unlinkIfPresent(tmp);
  }
  let held = true;
  const stillHeld = (): boolean => {
    const now = readOwner(lockFile);
    return now !== 'gone' && now !== null && now.text === ownText;
  };
  return {
    lockFile,
    stillHeld,
    release() {
      if (!held) return;
      held = false;
      // Remove it only if it is still ours (never someone else's after a takeover).
      if (stillHeld()) unlinkIfPresent(lockFile);
    },
  };
}
