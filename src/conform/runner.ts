/**
 * Keeps one guest per machine shape: a scenario whose shape (boot memory,
 * nodes, boot-only parameters) matches the running guest reuses it after a
 * reset (unplug back, parameters restored); otherwise, or when the reset
 * fails, the guest is rebooted. Booting under TCG costs ≈10 s; a reset ≈1 s.
 */
import type { Scenario } from '../kernel/types.ts';
import { GuestDriver } from './driver.ts';
import type { GuestKernel } from './kernels.ts';
import { eraOfRelease, machineShape, shapeKey, type MachineShape } from './mapping.ts';
import { Guest, qemuVersion } from './qemu.ts';
import { recordSequence } from './sequence.ts';
import type { Transcript, TranscriptStep } from './transcript.ts';
import { buildInitramfs } from './initramfs.ts';

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

  constructor(
    readonly kernel: GuestKernel,
    readonly opts: RunnerOptions,
  ) {}

  /** The guest's `uname -r` (after the first boot). */
  get kernelRelease(): string {
    return this.release;
  }

  private async boot(shape: MachineShape): Promise<void> {
    await this.close();
    this.initrd ??= buildInitramfs(this.kernel.modulesDir);
    const cmdline = [...shape.bootParams, ...shape.runtimeParams.map((p) => p.cmdline)];
    this.opts.onBoot?.(cmdline.join(' '));
    this.guest = await Guest.boot(this.kernel, { memMiB: shape.memMiB, slots: shape.slots, maxMemMiB: shape.maxMemMiB, numa: shape.numa, cmdline, accel: this.opts.accel }, this.initrd);
    this.driver = new GuestDriver(this.guest, shape);
    this.key = shapeKey(shape);
    this.boots++;
    if (!this.release) this.release = (await this.guest.shell.sh('uname -r')).out.trim();
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

  async close(): Promise<void> {
    if (this.guest) await this.guest.close();
    this.guest = null;
    this.driver = null;
    this.key = '';
  }
}
