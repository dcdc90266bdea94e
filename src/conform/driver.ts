/**
 * Runs guest actions (mapping.ts) on a booted guest and observes the result:
 * DIMMs and virtio-mem devices over QMP, writes through the guest shell with
 * their errno, each with a deadline. Also puts the guest back to its boot
 * state between sequences (unplug what was plugged, restore parameters).
 */
import { errnoFromMessage } from './errno-text.ts';
import type { GuestAction, MachineShape } from './mapping.ts';
import { parseObs, type Observed } from './observation.ts';
import type { Guest } from './qemu.ts';
import { QmpError, type QmpEvent } from './qmp.ts';

/** What the guest made of one action. */
export interface GuestOutcome {
  /** ok: the kernel did it; failed: it refused (errno when user space sees one); timeout: no answer in time; refused: QEMU refused before the guest saw it. */
  status: 'ok' | 'failed' | 'timeout' | 'refused';
  errno?: string | null;
  /** What the host saw: the shell's message, the ACPI _OST status, QEMU's error. */
  detail?: string;
}

/** Seconds a guest write may take before it is interrupted (offline_pages() returns -EINTR on a signal). */
export const WRITE_DEADLINE_S = 20;
const ADD_DEADLINE_MS = 30_000;
const EJECT_DEADLINE_MS = 40_000;
const VIRTIO_DEADLINE_MS = 40_000;

/** The guest's memory block size (the corpus machine's 128 MiB). */
const MEMORY_BLOCK = 128 * 1024 ** 2;
const OST_SOURCE_INSERT = 1; // ACPI_NOTIFY_DEVICE_CHECK
const OST_SOURCE_EJECT = 3; // ACPI_NOTIFY_EJECT_REQUEST
/** _OST status 0x84: "ejection in progress" (Linux reports it before evaluating _EJ0); not an answer yet. */
const OST_EJECT_IN_PROGRESS = 0x84;

interface OstInfo {
  device?: string;
  slot?: string;
  'slot-type'?: string;
  source?: number;
  status?: number;
}

function ostOf(e: QmpEvent): OstInfo {
  return ((e.data as { info?: OstInfo } | undefined)?.info ?? {}) as OstInfo;
}

const dimmId = (slot: number) => `dimm${slot}`;
const dimmMem = (slot: number) => `mem-dimm${slot}`;
const vmemId = (i: number) => `vmem${i}`;
const vmemMem = (i: number) => `mem-vmem${i}`;

export class GuestDriver {
  /** DIMM slots and virtio-mem devices present on the QEMU side. */
  readonly dimms = new Set<number>();
  readonly vmems = new Map<number, { addr: number; size: number; blockSize: number | null }>();

  constructor(
    readonly guest: Guest,
    public shape: MachineShape,
  ) {}

  async observe(): Promise<Observed> {
    const r = await this.guest.shell.sh('obs', 60_000);
    return parseObs(r.out);
  }

  async run(action: GuestAction): Promise<GuestOutcome> {
    switch (action.kind) {
      case 'write':
        return this.write(action.path, action.value);
      case 'dimm_add':
        return this.dimmAdd(action.slot, action.node, action.addr, action.size);
      case 'dimm_eject':
        return this.dimmEject(action.slot);
      case 'virtio_mem_add':
        return this.virtioMemAdd(action);
      case 'virtio_mem_resize':
        return this.virtioMemResize(action.index, action.requested);
      case 'none':
        return { status: 'refused', detail: action.reason };
    }
  }

  async write(path: string, value: string): Promise<GuestOutcome> {
    if (/[\n'\\]/.test(value) || /['\s\\]/.test(path)) return { status: 'refused', detail: 'a value with a newline, quote or backslash is not sent through the guest shell' };
    const r = await this.guest.shell.sh(`mw ${WRITE_DEADLINE_S} '/sys/${path}' '${value}'`, (WRITE_DEADLINE_S + 30) * 1000);
    const m = /W\t(\d+)\t(.*)/.exec(r.out);
    if (!m) throw new Error(`guest write helper printed no result: ${JSON.stringify(r.out)}`);
    const rc = Number(m[1]);
    const msg = m[2]!.trim();
    if (rc === 0) return { status: 'ok', errno: null };
    const errno = errnoFromMessage(msg);
    if (errno === null && (rc === 124 || rc === 130 || rc === 143)) return { status: 'timeout', detail: `no answer within ${WRITE_DEADLINE_S} s; interrupted` };
    return { status: 'failed', errno, detail: msg };
  }

  private async qmpOk(command: string, args: Record<string, unknown>): Promise<string | null> {
    try {
      await this.guest.qmp.execute(command, args);
      return null;
    } catch (err) {
      if (err instanceof QmpError) return err.desc;
      throw err;
    }
  }

  async dimmAdd(slot: number, node: number, addr: number, size: number): Promise<GuestOutcome> {
    const qmp = this.guest.qmp;
    qmp.drainEvents();
    let err = await this.qmpOk('object-add', { 'qom-type': 'memory-backend-ram', id: dimmMem(slot), size });
    if (err) return { status: 'refused', detail: `QEMU: ${err}` };
    err = await this.qmpOk('device_add', { driver: 'pc-dimm', id: dimmId(slot), memdev: dimmMem(slot), slot, addr, ...(this.shape.numa.length ? { node } : {}) });
    if (err) {
      await this.qmpOk('object-del', { id: dimmMem(slot) });
      return { status: 'refused', detail: `QEMU: ${err}` };
    }
    this.dimms.add(slot);
    // The guest's ACPI hotplug work ends with _OST for the device check: status 0 is success.
    const ev = await qmp.waitEvent((e) => e.event === 'ACPI_DEVICE_OST' && ostOf(e).source === OST_SOURCE_INSERT, ADD_DEADLINE_MS);
    if (!ev) return { status: 'timeout', detail: `no _OST from the guest within ${ADD_DEADLINE_MS / 1000} s` };
    const st = ostOf(ev).status ?? -1;
    return st === 0 ? { status: 'ok', errno: null } : { status: 'failed', errno: null, detail: `_OST status ${st}` };
  }

  async dimmEject(slot: number): Promise<GuestOutcome> {
    const qmp = this.guest.qmp;
    if (!this.dimms.has(slot)) return { status: 'refused', detail: `no DIMM in slot ${slot}` };
    qmp.drainEvents();
    const err = await this.qmpOk('device_del', { id: dimmId(slot) });
    if (err) return { status: 'refused', detail: `QEMU: ${err}` };
    const ev = await qmp.waitEvent(
      (e) => (e.event === 'DEVICE_DELETED' && (e.data as { device?: string })?.device === dimmId(slot)) || (e.event === 'ACPI_DEVICE_OST' && ostOf(e).source === OST_SOURCE_EJECT && ![0, OST_EJECT_IN_PROGRESS].includes(ostOf(e).status ?? 0)),
      EJECT_DEADLINE_MS,
    );
    if (!ev) return { status: 'timeout', detail: `neither DEVICE_DELETED nor a failed _OST within ${EJECT_DEADLINE_MS / 1000} s` };
    if (ev.event === 'DEVICE_DELETED') {
      this.dimms.delete(slot);
      await this.qmpOk('object-del', { id: dimmMem(slot) });
      return { status: 'ok', errno: null };
    }
    return { status: 'failed', errno: null, detail: `_OST status ${ostOf(ev).status}` };
  }

  private async vmemSize(i: number): Promise<number> {
    return (await this.guest.qmp.execute<number>('qom-get', { path: `/machine/peripheral/${vmemId(i)}`, property: 'size' })) ?? 0;
  }

  /** Bytes of "System RAM (virtio_mem)" the guest's /proc/iomem shows inside the device's region. */
  private async guestAdded(i: number): Promise<number> {
    const dev = this.vmems.get(i)!;
    const r = await this.guest.shell.sh("grep 'System RAM (virtio_mem)' /proc/iomem", 30_000);
    let sum = 0;
    for (const m of r.out.matchAll(/([0-9a-f]+)-([0-9a-f]+) : System RAM \(virtio_mem\)/g)) {
      const start = parseInt(m[1]!, 16);
      const end = parseInt(m[2]!, 16) + 1;
      if (start >= dev.addr && end <= dev.addr + dev.size) sum += end - start;
    }
    return sum;
  }

  /**
   * Waits until the device has plugged `requested` bytes (QEMU's `size`) and the guest has
   * added (or removed) them: the driver asks the device to plug a block before it calls
   * add_memory_driver_managed(), so QEMU's figure runs ahead of the guest's memory blocks.
   */
  private async waitPlugged(i: number, requested: number): Promise<GuestOutcome> {
    const deadline = Date.now() + VIRTIO_DEADLINE_MS;
    // Sub Block Mode (a device block below a memory block): the guest adds whole memory blocks
    // that may be partly plugged, so what it shows is at least the plugged size and settles
    // once the driver has added or removed the last block; wait for it to hold still.
    const dev = this.vmems.get(i);
    const sbm = dev?.blockSize != null && dev.blockSize < MEMORY_BLOCK;
    let size = -1;
    let added = -1;
    let still = 0;
    while (Date.now() < deadline) {
      size = await this.vmemSize(i);
      if (size === requested) {
        const was = added;
        added = await this.guestAdded(i);
        if (!sbm && added === requested) return { status: 'ok', errno: null };
        still = sbm && added === was && added >= requested && (requested > 0 || added === 0) ? still + 1 : 0;
        if (still >= 3) return { status: 'ok', errno: null };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return { status: 'timeout', detail: `plugged ${size} bytes (guest shows ${added}), requested ${requested}, after ${VIRTIO_DEADLINE_MS / 1000} s` };
  }

  async virtioMemAdd(a: Extract<GuestAction, { kind: 'virtio_mem_add' }>): Promise<GuestOutcome> {
    let err = await this.qmpOk('object-add', { 'qom-type': 'memory-backend-ram', id: vmemMem(a.index), size: a.size });
    if (err) return { status: 'refused', detail: `QEMU: ${err}` };
    err = await this.qmpOk('device_add', {
      driver: 'virtio-mem-pci',
      id: vmemId(a.index),
      memdev: vmemMem(a.index),
      memaddr: a.addr,
      'requested-size': a.requested,
      ...(a.blockSize ? { 'block-size': a.blockSize } : {}),
      ...(this.shape.numa.length ? { node: a.node } : {}),
    });
    if (err) {
      await this.qmpOk('object-del', { id: vmemMem(a.index) });
      return { status: 'refused', detail: `QEMU: ${err}` };
    }
    this.vmems.set(a.index, { addr: a.addr, size: a.size, blockSize: a.blockSize });
    return this.waitPlugged(a.index, a.requested);
  }

  async virtioMemResize(i: number, requested: number): Promise<GuestOutcome> {
    if (!this.vmems.has(i)) return { status: 'refused', detail: `no virtio-mem device virtio${i}` };
    const err = await this.qmpOk('qom-set', { path: `/machine/peripheral/${vmemId(i)}`, property: 'requested-size', value: requested });
    if (err) return { status: 'refused', detail: `QEMU: ${err}` };
    return this.waitPlugged(i, requested);
  }

  /**
   * Back to the state after boot: every DIMM ejected, every virtio-mem device
   * emptied and removed, the runtime parameters and notifier injections reset.
   * Returns false when something could not be undone (the guest must be rebooted).
   */
  async reset(): Promise<boolean> {
    for (const i of [...this.vmems.keys()]) {
      const r = await this.virtioMemResize(i, 0);
      if (r.status !== 'ok') return false;
      this.guest.qmp.drainEvents();
      if (await this.qmpOk('device_del', { id: vmemId(i) })) return false;
      const ev = await this.guest.qmp.waitEvent((e) => e.event === 'DEVICE_DELETED' && (e.data as { device?: string })?.device === vmemId(i), EJECT_DEADLINE_MS);
      if (!ev) return false;
      this.vmems.delete(i);
      await this.qmpOk('object-del', { id: vmemMem(i) });
    }
    for (const slot of [...this.dimms]) {
      const r = await this.dimmEject(slot);
      if (r.status !== 'ok') return false;
    }
    for (const action of ['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE']) {
      const r = await this.write(`kernel/debug/notifier-error-inject/memory/actions/${action}/error`, '0');
      if (r.status !== 'ok' && r.errno !== 'ENOENT') return false;
    }
    for (const p of this.shape.runtimeParams) {
      const r = await this.write(p.path, p.value);
      if (r.status !== 'ok') return false;
    }
    return true;
  }
}
