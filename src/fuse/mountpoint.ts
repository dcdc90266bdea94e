/**
 * The directory a mount goes on: made if missing, refused if it is not an
 * empty directory, and a mount left behind by a killed memhp (the kernel
 * answers ENOTCONN, "Transport endpoint is not connected") detached first.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

export class MountpointError extends Error {}

interface MountInfo {
  mountpoint: string;
  fstype: string;
  source: string;
}

/** /proc/self/mountinfo, with its octal escapes (\040 for a space) undone. */
export function mounts(): MountInfo[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [pre, post] = line.split(' - ');
      const f = pre!.split(' ');
      const g = (post ?? '').split(' ');
      return { mountpoint: unescape(f[4] ?? ''), fstype: g[0] ?? '', source: unescape(g[1] ?? '') };
    });
}

/** A FUSE mount whose server died answers every request with ENOTCONN. */
function serverGone(mnt: string): boolean {
  try {
    statfsSync(mnt);
    return false;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOTCONN' || code === 'ECONNABORTED';
  }
}

function detach(mnt: string): void {
  execFileSync('umount', ['-l', mnt], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Returns notes for the user (a stale mount cleared, a directory made). */
export function prepareMountpoint(path: string): { mountpoint: string; notes: string[] } {
  const mnt = resolve(path);
  const notes: string[] = [];
  try {
    statSync(mnt);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTCONN' || code === 'ECONNABORTED') {
      try {
        detach(mnt);
      } catch (e) {
        throw new MountpointError(`${path}: a FUSE mount left by a process that died (ENOTCONN) is still there and umount -l failed (${(e as Error).message.split('\n')[0]}); run: umount -l ${mnt}`);
      }
      notes.push(`${path}: cleared a stale FUSE mount left by a killed process (it answered ENOTCONN)`);
    } else if (code === 'ENOENT') {
      mkdirSync(mnt, { recursive: true });
      notes.push(`${path}: created the directory`);
    } else {
      throw new MountpointError(`${path}: cannot use it as a mountpoint (${code})`);
    }
  }
  const here = mounts().filter((m) => m.mountpoint === mnt);
  const ours = here.find((m) => m.fstype.startsWith('fuse') && m.source === 'memhp');
  if (ours) {
    // The kernel may still answer stat from its cache for a dead server; statfs always asks it.
    if (!serverGone(mnt)) throw new MountpointError(`${path}: a memhp mount is already there (a running memhp mount or exec serves it); stop that one, or if it is gone: umount -l ${mnt}`);
    try {
      detach(mnt);
    } catch (e) {
      throw new MountpointError(`${path}: a FUSE mount left by a process that died (ENOTCONN) is still there and umount -l failed (${(e as Error).message.split('\n')[0]}); run: umount -l ${mnt}`);
    }
    notes.push(`${path}: cleared a stale FUSE mount left by a killed process (it answered ENOTCONN)`);
  }
  if (!statSync(mnt).isDirectory()) throw new MountpointError(`${path}: is not a directory`);
  if (readdirSync(mnt).length > 0) throw new MountpointError(`${path}: is not empty; mount memhp on an empty directory`);
  return { mountpoint: mnt, notes };
}
