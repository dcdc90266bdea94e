/**
 * Writes the sysfs tree of a WorldView under `<dir>/sys`, so that
 * `lsmem --sysroot <dir>` reads it as it would read a running kernel.
 *
 * The tree is built in a staging directory beside `<dir>/sys` and renamed
 * into place, so a reader sees the old tree or the new one, never a
 * half-written one, and no memoryN of an earlier export lingers.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, statfsSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SysfsWorld } from '../engine/sysfs/view.ts';
import { sysfsIndex, sysfsWalk, type SysfsEntry, type SysfsOptions } from './tree.ts';

/** Marks a `sys` directory as ours: only such a directory is ever replaced. */
export const EXPORT_MARKER = '.memhp-sysfs';

const SYSFS_MAGIC = 0x62656572;

export interface ExportResult {
  /** Absolute path of the written `sys` directory. */
  sysDir: string;
  files: number;
  dirs: number;
  symlinks: number;
}

export function exportSysfs(view: SysfsWorld, dir: string, opts: SysfsOptions = {}): ExportResult {
  // Validate the view before the disk is touched; the entries are then rendered as they are written.
  const entries = sysfsWalk(sysfsIndex(view, opts));

  mkdirSync(dir, { recursive: true });
  const root = realpathSync(dir);
  if (root === '/') throw new Error(`sysfs export: refusing to write into / (it would replace the real /sys)`);
  const target = join(root, 'sys');
  const replacing = existsSync(target) || isDanglingLink(target);
  if (replacing) assertReplaceable(target);

  const staging = mkdtempSync(join(root, '.sys-staging-'));
  let counts: Omit<ExportResult, 'sysDir'>;
  try {
    counts = writeEntries(staging, entries);
    writeFileSync(join(staging, EXPORT_MARKER), `${JSON.stringify({ version: view.version, seq: view.seq })}\n`, { mode: 0o644 });
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  // rename(2) may replace an empty directory: move the old tree aside in one step, then swap.
  const old = replacing ? mkdtempSync(join(root, '.sys-old-')) : null;
  try {
    if (old) renameSync(target, old);
    renameSync(staging, target);
  } catch (err) {
    if (old && !existsSync(target)) renameSync(old, target);
    // Now `old` is either gone (moved back) or the empty placeholder.
    if (old) rmSync(old, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  if (old) rmSync(old, { recursive: true, force: true });
  return { sysDir: target, ...counts };
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function assertReplaceable(target: string): void {
  const st = lstatSync(target);
  if (!st.isDirectory()) throw new Error(`sysfs export: ${target} exists and is not a directory; remove it first`);
  if (statfsSync(target).type === SYSFS_MAGIC) throw new Error(`sysfs export: ${target} is a real sysfs mount; refusing to replace it`);
  let marker = '';
  try {
    marker = readFileSync(join(target, EXPORT_MARKER), 'utf8');
  } catch {
    // fall through: no marker
  }
  if (marker === '') {
    throw new Error(`sysfs export: ${target} exists but was not written by memhp (no ${EXPORT_MARKER}); remove it or choose another directory`);
  }
}

/** The bits the process umask takes away, measured on a probe file (process.umask() without an argument is deprecated). */
function umaskBits(staging: string): number {
  const probe = join(staging, '.umask-probe');
  writeFileSync(probe, '', { mode: 0o777 });
  const granted = statSync(probe).mode & 0o777;
  unlinkSync(probe);
  return 0o777 & ~granted;
}

function writeEntries(staging: string, entries: Iterable<SysfsEntry>): Omit<ExportResult, 'sysDir'> {
  const counts = { files: 0, dirs: 0, symlinks: 0 };
  const umask = umaskBits(staging);
  for (const e of entries) {
    if (e.path === 'sys') continue; // the staging directory itself
    if (!e.path.startsWith('sys/')) throw new Error(`sysfs export: entry outside sys/: ${e.path}`);
    const path = join(staging, e.path.slice(4));
    if (e.kind === 'dir') {
      mkdirSync(path, { mode: 0o755 });
      counts.dirs++;
    } else if (e.kind === 'file') {
      writeFileSync(path, e.content, { mode: e.mode });
      // sysfs modes are exact; put back what the umask took away.
      if ((e.mode & umask) !== 0) chmodSync(path, e.mode);
      counts.files++;
    } else {
      symlinkSync(e.target, path);
      counts.symlinks++;
    }
  }
  return counts;
}
