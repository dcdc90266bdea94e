/**
 * The live sysfs over FUSE on the bench machine (4 TiB, 32,768 blocks of
 * 128 MiB): `mountReadsPerSec` (open+read+close of random memoryN/state
 * files through `memhp mount`) and `lsmemMountVsExport` (real lsmem
 * --sysroot over the live mount / over a static export of the same world).
 *
 * The mount runs in its own process (bin/memhp.js mount), as a user would
 * run it: this process reads it with blocking calls, which would deadlock a
 * FUSE server on its own main thread.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HotplugSystem } from '../../src/engine/system.ts';
import { writeLogFile } from '../../src/log/index.ts';
import { exportSysfs } from '../../src/sysfs/index.ts';
import { BENCH_SYSTEM, prng } from '../workload.ts';

export interface MountFigures {
  mountReadsPerSec: number | null;
  /** Median of three lsmem runs over the mount once the kernel holds what the first run read. */
  lsmemMountMs: number | null;
  /** Median of three lsmem runs over the export. */
  lsmemExportMs: number | null;
  lsmemMountVsExport: number | null;
  /** The first lsmem over a fresh mount: every name, attribute and page asked from memhp. */
  lsmemMountColdMs: number | null;
  lsmemMountColdVsExport: number | null;
  /** lsmem not pinned, the scheduler free to put it on the other CPU than the server (one run). */
  lsmemMountFloatingMs: number | null;
  lsmemMountFloatingVsExport: number | null;
  /** Median time of one write(2) to memoryN/state through the mount (offline, then online again), decided, logged and announced. */
  mountWriteMs: number | null;
  /** Why the figures are null (no root, no /dev/fuse, no lsmem). */
  mountSkipped?: string;
}

const BIN = resolve(import.meta.dirname, '../../bin/memhp.js');
const GiB = 2 ** 30;

/**
 * One lsmem run. Pinned (the default) it stays on CPU 0 for both the export and the mount: a
 * FUSE hand-off between two CPUs of this VM is an exit to the host, so unpinned the mount's
 * time depends mostly on where the scheduler happens to put lsmem relative to the server
 * (docs/sysfs.md); the server moves to the CPU of the tool it serves (src/fuse/pin.ts).
 */
function lsmemMs(sysroot: string, pinned = true): number {
  const lsmem = ['lsmem', '--sysroot', sysroot, '-b', '-o', 'RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES'];
  const [cmd, ...args] = pinned && existsSync('/usr/bin/taskset') ? ['taskset', '-c', '0', ...lsmem] : lsmem;
  const t = performance.now();
  execFileSync(cmd!, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LC_ALL: 'C' } });
  return performance.now() - t;
}

/**
 * Onlines and offlines again blocks spread over the machine (offline in the bench's world:
 * auto-onlining is off, and writing `offline` to an offline block is -EINVAL, as in the
 * kernel), one write(2) each; the median per write.
 */
export function medianWriteMs(mnt: string, ids: readonly number[], pairs = 10): number {
  const times: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const state = join(mnt, 'sys/devices/system/memory', `memory${ids[Math.floor(((i + 0.5) * ids.length) / pairs)]}`, 'state');
    for (const value of ['online', 'offline']) {
      const t = performance.now();
      writeFileSync(state, value);
      times.push(performance.now() - t);
    }
  }
  return +times.sort((a, b) => a - b)[times.length >> 1]!.toFixed(2);
}

export async function benchMount(dir: string, say: (s: string) => void): Promise<MountFigures> {
  const skipped = (why: string): MountFigures => ({
    mountReadsPerSec: null, lsmemMountMs: null, lsmemExportMs: null, lsmemMountVsExport: null, lsmemMountColdMs: null, lsmemMountColdVsExport: null,
    lsmemMountFloatingMs: null, lsmemMountFloatingVsExport: null, mountWriteMs: null, mountSkipped: why,
  });
  if (process.getuid?.() !== 0 || !existsSync('/dev/fuse')) return skipped('needs root and /dev/fuse');
  if (!existsSync('/usr/bin/lsmem')) return skipped('needs util-linux lsmem');

  say('mount: building the 4 TiB world…');
  const sys = new HotplugSystem(BENCH_SYSTEM, { actors: 'table' });
  for (let start = 64 * GiB; start < 4096 * GiB; start += 64 * GiB) sys.apply({ op: 'add_memory', node: 0, start, size: 64 * GiB, flags: ['MHP_MEMMAP_ON_MEMORY'] });
  const view = sys.view();
  const log = join(dir, 'mount-world.jsonl');
  writeLogFile(log, BENCH_SYSTEM, sys.events.map(({ seq: _seq, ...rest }) => rest as never), { createdAt: null });
  // sysfs lives in memory: so does the static export (tmpfs), or the baseline would time the disk.
  const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/memhp-bench-') : null;
  const exported = join(shm ?? dir, 'mount-export');
  exportSysfs(view, exported, { possibleNodes: 2 });

  say('mount: starting memhp mount…');
  const mnt = join(dir, 'mnt');
  const child = spawn(process.execPath, [BIN, 'mount', log, mnt, '--log', join(dir, 'mount-live.jsonl')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  try {
    await new Promise<void>((ready, fail) => {
      const t = setInterval(() => out.includes('press Ctrl-C') && (clearInterval(t), ready()), 50);
      void exited.then((c) => (clearInterval(t), fail(new Error(`memhp mount exited ${c}: ${err}`))));
    });

    // First contact: lsmem on the fresh mount asks memhp for every name, attribute and page.
    say('mount: lsmem over the fresh mount…');
    const coldMs = lsmemMs(mnt);

    say('mount: reading state files…');
    const rand = prng(11);
    const ids = view.blocks.map((b) => b.id);
    const buf = Buffer.alloc(64);
    const readState = () => {
      const fd = openSync(join(mnt, 'sys/devices/system/memory', `memory${ids[Math.floor(rand() * ids.length)]}`, 'state'), 'r');
      readSync(fd, buf, 0, buf.length, 0);
      closeSync(fd);
    };
    for (let i = 0; i < 200; i++) readState(); // warm up
    let reads = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 2000) {
      readState();
      reads++;
    }
    const mountReadsPerSec = Math.round((reads / (performance.now() - t0)) * 1000);

    say('mount: writing state files…');
    const mountWriteMs = medianWriteMs(mnt, ids);

    // Then as a tool that runs again and again (a monitoring loop, udev) sees it: the kernel keeps
    // what memhp told it until the world changes. The export, on tmpfs, is always in memory.
    say('mount: lsmem over the mount and over the export…');
    const median3 = (f: () => number) => [f(), f(), f()].sort((a, b) => a - b)[1]!;
    const exportMs = median3(() => lsmemMs(exported));
    const mountMs = median3(() => lsmemMs(mnt));
    // one run each: floating, the mount takes half a minute
    const exportFloatingMs = lsmemMs(exported, false);
    const floatingMs = lsmemMs(mnt, false);
    return {
      mountReadsPerSec,
      lsmemMountMs: Math.round(mountMs),
      lsmemExportMs: Math.round(exportMs),
      lsmemMountVsExport: +(mountMs / exportMs).toFixed(2),
      lsmemMountColdMs: Math.round(coldMs),
      lsmemMountColdVsExport: +(coldMs / exportMs).toFixed(2),
      lsmemMountFloatingMs: Math.round(floatingMs),
      lsmemMountFloatingVsExport: +(floatingMs / exportFloatingMs).toFixed(2),
      mountWriteMs,
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
    if (shm) rmSync(shm, { recursive: true, force: true });
  }
}
