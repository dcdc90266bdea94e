/**
 * Keeps one guest per machine shape: a scenario whose shape (boot memory,
 * nodes, boot-only parameters) matches the running guest reuses it after a
 * reset (unplug back, parameters restored); otherwise, or when the reset
 * fails, the guest is rebooted. Booting under TCG costs ≈10 s; a reset ≈1 s.
 */
import type { Scenario } from '../kernel/ops.ts';
import { GuestDriver } from './driver.ts';
import type { GuestKernel } from './kernels.ts';
import { eraOfRelease, machineShape, shapeKey, type MachineShape } from './mapping.ts';
import { Guest, qemuVersion } from './qemu.ts';
import { recordSequence } from './sequence.ts';
import type { Transcript, TranscriptStep } from './transcript.ts';
import { buildInitramfs } from './initramfs.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunnerOptions {
  accel: 'tcg' | 'kvm';
  /** Called when a guest boots (for progress output). */
  onBoot?: (cmdline: string) => void;
}

export class GuestRunner {
  private guest: Guest | null = null;
  private driver: GuestDriver | null = null;
  private key = '';
  private release = '';
  private initrd: Buffer | null = null;
  readonly qemu = qemuVersion();
  boots = 0;
  restores = 0;
  private readonly snapshots = new Map<string, { file: string; cmdline: string[] }>();
  private snapDir: string | null = null;

  constructor(
    readonly kernel: GuestKernel,
    readonly opts: RunnerOptions,
  ) {}

  /** The guest's `uname -r` (after the first boot). */
  get kernelRelease(): string {
    return this.release;
  }

  /**
   * A guest in its boot state: restored from this shape's snapshot when there is one,
   * else booted, saved as the shape's snapshot and restored from it (so that every
   * sequence of a shape starts from the same saved boot).
   */
  private async boot(shape: MachineShape): Promise<void> {
    await this.close();
    this.initrd ??= buildInitramfs(this.kernel.modulesDir);
    const key = shapeKey(shape);
    const cmdline = [...shape.bootParams, ...shape.runtimeParams.map((p) => p.cmdline)];
    const gshape = { memMiB: shape.memMiB, slots: shape.slots, maxMemMiB: shape.maxMemMiB, numa: shape.numa, cmdline, accel: this.opts.accel };
    if (!this.snapshots.has(key)) {
      this.opts.onBoot?.(cmdline.join(' '));
      const g = await Guest.boot(this.kernel, gshape, this.initrd);
      this.boots++;
      if (!this.release) this.release = (await g.shell.sh('uname -r')).out.trim();
      this.snapDir ??= mkdtempSync(join(tmpdir(), 'memhp-conform-snap-'));
      const file = join(this.snapDir, `shape-${this.snapshots.size}.mig`);
      await g.save(file);
      await g.close();
      this.snapshots.set(key, { file, cmdline });
    }
    const s = this.snapshots.get(key)!;
    this.guest = await Guest.boot(this.kernel, { ...gshape, cmdline: s.cmdline }, this.initrd, s.file);
    this.restores++;
    this.driver = new GuestDriver(this.guest, shape);
    this.key = key;
  }

  /** A guest in its boot state for `shape`; true when it was booted for it. */
  private async ready(shape: MachineShape): Promise<boolean> {
    if (this.guest && this.driver && this.key === shapeKey(shape) && this.guest.proc.exitCode === null) {
      this.driver.shape = shape;
      try {
        if (await this.driver.reset()) return false;
      } catch {
        // a guest that does not answer is rebooted below
      }
    }
    await this.boot(shape);
    // a snapshot keeps the command line of the boot that made it: set this scenario's runtime parameters
    if (!(await this.driver!.reset())) throw new Error('a guest restored from its snapshot did not take the runtime parameters');
    return true;
  }

  /** Runs a scenario on the real kernel and returns its transcript. */
  async record(scenario: Scenario, id: string, seed?: number, onStep?: (index: number, step: TranscriptStep) => void): Promise<Transcript> {
    const shape = machineShape(scenario);
    if ('reason' in shape) throw new Error(`${id}: not runnable on a guest: ${shape.reason}`);
    const fresh = await this.ready(shape);
    const kernel = { name: this.kernel.name, release: this.release, era: eraOfRelease(this.release) };
    const argv = this.guest!.argv.map((a) => a.split(this.guest!.dir).join('$DIR'));
    const t = await recordSequence(this.driver!, shape, scenario, { id, ...(seed !== undefined ? { seed } : {}), kernel, qemu: { version: this.qemu, argv }, fresh }, onStep);
    if (t.aborted) await this.close();
    return t;
  }

  /** Stops the guest; with `all`, also deletes the snapshots. */
  async close(all = false): Promise<void> {
    if (all && this.snapDir) {
      rmSync(this.snapDir, { recursive: true, force: true });
      this.snapDir = null;
      this.snapshots.clear();
    }
    if (this.guest) await this.guest.close();
    this.guest = null;
    this.driver = null;
    this.key = '';
  }
}
