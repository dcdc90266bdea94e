/**
 * The kernel's sysfs store functions: a string written to a file, parsed as
 * the kernel parses it (src/kernel/parse.ts), then the operation behind it.
 * Serve the sysfs attribute table (src/engine/sysfs/attrs.ts, which the raw
 * `write` operation goes through) and the typed `state` / `online` / `probe`
 * operations, so both fail the same way: a value the parser rejects is
 * -EINVAL, recorded in the log.
 */
import { bootNodeAt } from '../../kernel/boot-layout.ts';
import { configOf, optionRule } from '../../kernel/config.ts';
import { fail, KernelError, refusal } from '../../kernel/errno.ts';
import { kstrtobool, kstrtoull, onlineTypeFromStr } from '../../kernel/parse.ts';
import type { Tx } from '../tx.ts';
import { addMemory } from './add.ts';
import { block } from './common.ts';
import { offlineBlock } from './offline.ts';
import { deviceOnline, onlineBlock } from './online.ts';
import { isBlockAlignedRange } from '../../kernel/geometry.ts';

/** open() of memoryN/<file> fails before the store runs when the block is not there. */
function missingBlock(tx: Tx, id: number, file: string): KernelError | undefined {
  return block(tx, id) ? undefined : refusal('ENOENT', `memory${id}/${file} does not exist (no memory${id})`, 'kernfs_iop_lookup');
}

/**
 * state_store(): mhp_online_type_from_str() (sysfs_streq, case-sensitive),
 * then device_online()/device_offline(); the device core returning 1
 * (already in that state) becomes -EINVAL.
 */
export function stateStore(tx: Tx, id: number, buf: string): KernelError | void {
  const missing = missingBlock(tx, id, 'state');
  if (missing) return missing;
  const r = onlineTypeFromStr(buf);
  if (!r.ok) return refusal(r.errno, `memory${id}/state: ${r.reason}`, 'state_store');
  if (r.value === 'offline') return offlineBlock(tx, id);
  const b = block(tx, id)!;
  if (b.state === 'online') {
    // mem->online_type = online_type; device_online() returns 1 without calling
    // memory_subsys_online(), so nothing resets it: a later device_online() (the `online` file, an
    // eject's rollback) uses it (docs/kernel-model.md §4.4)
    if (b.online_type !== r.value) tx.transition('memory_block', id, { type: 'SET_ONLINE_TYPE', set: { online_type: r.value } });
    return refusal('EINVAL', `memory${id} is already online`, 'state_store');
  }
  return onlineBlock(tx, id, r.value);
}

/** online_store() (drivers/base/core.c): kstrtobool(), then device_online()/device_offline(); already there is success. */
export function onlineStore(tx: Tx, id: number, buf: string): KernelError | void {
  const missing = missingBlock(tx, id, 'online');
  if (missing) return missing;
  const r = kstrtobool(buf);
  if (!r.ok) return refusal(r.errno, `memory${id}/online: ${r.reason}`, 'online_store');
  return r.value ? deviceOnline(tx, id, true) : offlineBlock(tx, id, true);
}

/**
 * probe_store(): one memory block at a physical address, MHP_NONE, node by
 * address (memory_add_physaddr_to_nid). The address is kstrtoull(base 0):
 * `0x…` hex, a leading 0 octal, else decimal.
 */
export function probe(tx: Tx, addr: number): KernelError | void {
  requireProbeFile(tx);
  if (!isBlockAlignedRange(tx.g, addr, tx.g.blockSize)) fail('EINVAL', `probe: address 0x${addr.toString(16)} is not block-aligned`, 'probe_store');
  // memory_add_physaddr_to_nid(): the node whose memory holds the address, else node 0
  const nid = bootNodeAt(tx.system, addr) ?? 0;
  return addMemory(tx, nid, addr, tx.g.blockSize, []);
}

/** The probe file exists only with CONFIG_ARCH_MEMORY_PROBE (machine.config): open() fails without it. */
function requireProbeFile(tx: Tx): void {
  if (!configOf(tx.system).ARCH_MEMORY_PROBE)
    fail('ENOENT', `/sys/devices/system/memory/probe does not exist: CONFIG_ARCH_MEMORY_PROBE is off (${optionRule('ARCH_MEMORY_PROBE', tx.system.arch, tx.system.kernel).why})`, 'kernfs_iop_lookup');
}

export function probeStore(tx: Tx, buf: string): KernelError | void {
  requireProbeFile(tx);
  const r = kstrtoull(buf, 0);
  if (!r.ok) fail(r.errno, `probe: ${r.reason}`, 'probe_store');
  if (r.value > BigInt(Number.MAX_SAFE_INTEGER)) fail('EINVAL', `probe: address 0x${r.value.toString(16)} is beyond any physical memory`, 'probe_store');
  return probe(tx, Number(r.value));
}
