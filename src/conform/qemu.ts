/**
 * One QEMU guest: launched with TCG (or KVM where it works), a kernel, our
 * initramfs, the kernel console on the first serial port (kept in a file),
 * the command shell on the second and QMP on a unix socket.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuestChannel } from './channel.ts';
import { Qmp } from './qmp.ts';
import { buildInitramfs } from './initramfs.ts';
import type { GuestKernel } from './kernels.ts';

export interface GuestShape {
  /** Boot memory in MiB. */
  memMiB: number;
  /** DIMM slots and the most memory the machine may have (MiB). */
  slots: number;
  maxMemMiB: number;
  /** Boot memory per NUMA node in MiB (empty: no -numa). */
  numa: number[];
  /** Extra kernel command line words (parameters). */
  cmdline: string[];
  accel: 'tcg' | 'kvm';
}

export const QEMU_BINARY = 'qemu-system-x86_64';

/**
 * The TCG CPU model. `max` (all features TCG emulates) crashed 6.12 guests at random on
 * QEMU 7.2 here (oopses with garbage EFLAGS in rb_insert_color and kmem_cache_alloc during
 * boot and PCI hotplug); `qemu64` boots both kernels reliably (docs/conformance.md).
 */
export const TCG_CPU = process.env.MEMHP_TCG_CPU ?? 'qemu64,-cx16';

export function qemuVersion(): string {
  const out = execFileSync(QEMU_BINARY, ['--version'], { encoding: 'utf8' });
  return /version\s+(\S+)/.exec(out)?.[1] ?? out.split('\n')[0]!;
}

export class Guest {
  private constructor(
    readonly proc: ChildProcess,
    readonly dir: string,
    readonly qmp: Qmp,
    readonly shell: GuestChannel,
    readonly argv: string[],
  ) {}

  /**
   * Boots a guest and waits for its shell (TCG: ≈12 s), or, with `incoming`, resumes the
   * guest saved in that file by save() (a second or two): the same machine, kernel and
   * command line, restored where the snapshot was taken.
   */
  static async boot(kernel: GuestKernel, shape: GuestShape, initrd?: Buffer, incoming?: string): Promise<Guest> {
    const dir = mkdtempSync(join(tmpdir(), 'memhp-conform-'));
    const initrdPath = join(dir, 'initrd.gz');
    writeFileSync(initrdPath, initrd ?? buildInitramfs(kernel.modulesDir));
    const append = ['console=ttyS0', 'panic=-1', 'printk.time=1', ...shape.cmdline].filter(Boolean).join(' ');
    const argv = [
      '-machine', 'pc', '-accel', shape.accel, '-cpu', shape.accel === 'kvm' ? 'host' : TCG_CPU, '-smp', '1',
      '-m', `${shape.memMiB}M,slots=${shape.slots},maxmem=${shape.maxMemMiB}M`,
      ...numaArgs(shape.numa),
      '-nodefaults', '-display', 'none', '-no-reboot',
      '-kernel', kernel.bzImage, '-initrd', initrdPath, '-append', append,
      '-serial', `file:${join(dir, 'console.log')}`,
      '-serial', `unix:${join(dir, 'shell.sock')},server=on,wait=off`,
      '-qmp', `unix:${join(dir, 'qmp.sock')},server=on,wait=off`,
      ...(incoming ? ['-incoming', `exec:cat ${incoming}`] : []),
    ];
    const proc = spawn(QEMU_BINARY, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`QEMU exited (${code}) during boot: ${stderr.trim()}`))));
    try {
      const sockets = await Promise.race([waitConnect(dir), exited]);
      const guest = new Guest(proc, dir, sockets.qmp, sockets.shell, argv);
      if (incoming) {
        await Promise.race([waitMigration(sockets.qmp, ['completed'], 'query-migrate', 120_000), exited]);
        if ((await sockets.qmp.execute<{ status: string }>('query-status')).status !== 'running') await sockets.qmp.execute('cont');
        await Promise.race([sockets.shell.sh('true', 60_000), exited]);
      } else await Promise.race([sockets.shell.waitFor(/MEMHP-READY\r?\n/, 120_000), exited]);
      return guest;
    } catch (err) {
      proc.kill('SIGKILL');
      let tail = '';
      try {
        tail = readFileSync(join(dir, 'console.log'), 'utf8').split('\n').slice(-25).join('\n');
      } catch {
        // no console output
      }
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${(err as Error).message}${tail ? `\nlast kernel console lines:\n${tail}` : ''}`);
    }
  }

  consoleLog(): string {
    try {
      return readFileSync(join(this.dir, 'console.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * Saves the running guest's whole state to `file` (QEMU migration to a file), for
   * boot(…, incoming) to resume. The guest is stopped afterwards: close it.
   */
  async save(file: string): Promise<void> {
    await this.qmp.execute('migrate', { uri: `exec:cat > ${file}` });
    await waitMigration(this.qmp, ['completed'], 'query-migrate', 120_000);
  }

  async close(): Promise<void> {
    this.qmp.close();
    this.shell.close();
    if (this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGKILL');
      await done;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitConnect(dir: string): Promise<{ qmp: Qmp; shell: GuestChannel }> {
  for (let i = 0; ; i++) {
    try {
      const shell = await GuestChannel.connect(join(dir, 'shell.sock'));
      const qmp = await Qmp.connect(join(dir, 'qmp.sock'));
      return { qmp, shell };
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** -numa nodes: each with its share of boot memory (a memory backend), or memoryless. */
function numaArgs(numa: readonly number[]): string[] {
  const out: string[] = [];
  numa.forEach((mib, node) => {
    if (mib > 0) out.push('-object', `memory-backend-ram,id=ram-node${node},size=${mib}M`, '-numa', `node,nodeid=${node},memdev=ram-node${node}`);
    else out.push('-numa', `node,nodeid=${node}`);
  });
  return out;
}

async function waitMigration(qmp: Qmp, done: string[], command: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await qmp.execute<{ status?: string; 'error-desc'?: string }>(command);
    if (r.status && done.includes(r.status)) return;
    if (r.status === 'failed') throw new Error(`QEMU migration failed: ${r['error-desc'] ?? ''}`);
    if (Date.now() > deadline) throw new Error(`QEMU migration did not finish within ${timeoutMs / 1000} s (status ${r.status})`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
