/**
 * decide: one operation against the world, through the machines, into
 * events. Kernel failures become the op's result (ret = -errno) and change
 * nothing except what the kernel itself does on that path (a cancelled
 * offline, a rollback, an oops).
 */
import { KernelError } from '../kernel/errno.ts';
import { asWritten } from '../kernel/parse.ts';
import type { Op } from '../kernel/ops.ts';
import type { MemhpEvent } from './events.ts';
import type { LifecycleGate } from './gate.ts';
import { addMemory } from './ops/add.ts';
import { reactAtOnce, runAgent } from './ops/agents.ts';
import { boot } from './ops/boot.ts';
import { inject, pin, setParam, signal, touch } from './ops/knobs.ts';
import { onlineStore, probe, stateStore } from './ops/store.ts';
import { sysfsWrite } from './sysfs/write.ts';
import { offlineAndRemoveMemory, removeMemory } from './ops/remove.ts';
import { fail } from '../kernel/errno.ts';
import { configOf } from '../kernel/config.ts';
import { opProblem } from '../kernel/features.ts';
import { Oops, Tx, type TxOptions } from './tx.ts';
import { acpiDimmAdd, acpiDimmEject } from './ops/drivers/acpi.ts';
import { daxKmemAdd, daxKmemRemove } from './ops/drivers/dax-kmem.ts';
import { virtioMemAdd, virtioMemResize } from './ops/drivers/virtio-mem.ts';
import type { World } from './world.ts';

export interface Decision {
  world: World;
  /** The op's events, its op event first; with `opEvents: 'ends'`, only that one and the last. */
  events: readonly MemhpEvent[];
  ret: number;
  message?: string;
  /** The kernel function whose check failed, when the error names it. */
  site?: string;
}

/** The operation; a refusal is returned or thrown (src/kernel/errno.ts `refusal`). */
function run(tx: Tx, op: Op): KernelError | void {
  switch (op.op) {
    case 'boot':
      if (tx.world.seq !== 0) fail('EINVAL', 'the system has already booted');
      return boot(tx);
    case 'add_memory':
      return addMemory(tx, op.node, op.start, op.size, op.flags);
    case 'probe':
      return probe(tx, op.addr);
    case 'state':
      return stateStore(tx, op.block, asWritten(op.value));
    case 'online':
      return onlineStore(tx, op.block, asWritten(op.value));
    case 'write':
      return sysfsWrite(tx, op.path, op.value);
    case 'remove_memory':
      // without CONFIG_MEMORY_HOTREMOVE remove_memory() is a stub returning -EBUSY (include/linux/memory_hotplug.h)
      if (!configOf(tx.system).MEMORY_HOTREMOVE) fail('EBUSY', 'remove_memory() is the !CONFIG_MEMORY_HOTREMOVE stub: nothing can be removed', 'remove_memory');
      return removeMemory(tx, op.start, op.size);
    case 'offline_and_remove_memory': {
      // the function does not exist in this kernel: scenario validation refuses the op; a
      // library caller gets -ENOSYS recorded rather than a kernel that has it
      const missing = opProblem(tx.system.kernel, configOf(tx.system), op.op);
      if (missing) fail('ENOSYS', missing, 'offline_and_remove_memory');
      return offlineAndRemoveMemory(tx, op.start, op.size);
    }
    case 'set':
      return setParam(tx, op.param, op.value);
    case 'inject':
      return inject(tx, op.action, op.error);
    case 'pin':
    case 'unpin':
      return pin(tx, op.block, op.op === 'pin');
    case 'signal':
      return signal(tx);
    case 'touch':
      return touch(tx, op.block);
    case 'acpi_dimm_add':
      return acpiDimmAdd(tx, op.device, op.node, op.start, op.size);
    case 'acpi_dimm_eject':
      return acpiDimmEject(tx, op.device);
    case 'virtio_mem_add':
      return virtioMemAdd(tx, op.device, op.node, op.start, op.size, op.blockSize, op.requested);
    case 'virtio_mem_resize':
      return virtioMemResize(tx, op.device, op.requested);
    case 'dax_kmem_add':
      return daxKmemAdd(tx, op.device, op.node, op.start, op.size, op.memmap_on_memory);
    case 'dax_kmem_remove':
      return daxKmemRemove(tx, op.device);
    case 'agent':
      return runAgent(tx, op.agent, op.target);
    default: {
      const never: never = op;
      fail('EINVAL', `unknown operation ${(never as Op).op}`);
    }
  }
}

export function decide(world: World, gate: LifecycleGate, op: Op, options: TxOptions = {}): Decision {
  const tx = new Tx(world, gate, op, options);
  let refused: KernelError | void;
  try {
    refused = run(tx, op);
    // user space's onlining agents react to the uevents the operation sent (docs/drivers.md "Onlining agents")
    if (refused === undefined) reactAtOnce(tx);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    refused = e;
  }
  if (refused !== undefined) return failed(tx, refused);
  const w = tx.finish(0);
  return { world: w, events: tx.events, ret: 0 };
}

/** The operation's result when the kernel failed it, returned or thrown: what it wrote stays, and the agents react unless it oopsed. */
function failed(tx: Tx, e: KernelError): Decision {
  if (!(e instanceof Oops)) reactAtOnce(tx);
  const w = tx.finish(-e.errno, e.reason, e.site);
  const d: Decision = { world: w, events: tx.events, ret: -e.errno, message: e.reason };
  if (e.site !== undefined) d.site = e.site;
  return d;
}
