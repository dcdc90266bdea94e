/**
 * The kernel's sysfs store functions: a string written to a file, parsed as
 * the kernel parses it (src/kernel/parse.ts), then the operation behind it.
 * Serves the raw `write` operation (what `memhp mount` records for every
 * write(2)) and the typed `state` / `online` operations, so both fail the
 * same way: a file the renderer does not show is -ENOENT, a read-only one
 * -EACCES, a value the parser rejects -EINVAL, all recorded in the log.
 */
import { configOf, optionRule } from '../../kernel/config.ts';
import { fail } from '../../kernel/errno.ts';
import { cString, kstrtobool, kstrtoull, onlineTypeFromStr } from '../../kernel/parse.ts';
import { RUNTIME_PARAMS, type RuntimeParam } from '../../kernel/types.ts';
import { lookupSysfs } from '../../sysfs/tree.ts';
import { toView } from '../to-view.ts';
import type { Tx } from '../tx.ts';
import { addMemory } from './add.ts';
import { block } from './common.ts';
import { injectStore, setParam } from './knobs.ts';
import { offlineBlock } from './offline.ts';
import { onlineBlock } from './online.ts';
import { isBlockAlignedRange } from '../../kernel/geometry.ts';

function requireBlock(tx: Tx, id: number, file: string): void {
  // open() of memoryN/<file> fails before the store runs when the block is not there.
  if (!block(tx, id)) fail('ENOENT', `memory${id}/${file} does not exist (no memory${id})`);
}

/**
 * state_store(): mhp_online_type_from_str() (sysfs_streq, case-sensitive),
 * then device_online()/device_offline(); the device core returning 1
 * (already in that state) becomes -EINVAL.
 */
export function stateStore(tx: Tx, id: number, buf: string): void {
  requireBlock(tx, id, 'state');
  const r = onlineTypeFromStr(buf);
  if (!r.ok) fail(r.errno, `memory${id}/state: ${r.reason}`);
  return r.value === 'offline' ? offlineBlock(tx, id) : onlineBlock(tx, id, r.value);
}

/** online_store() (drivers/base/core.c): kstrtobool(), then device_online()/device_offline(); already there is success. */
export function onlineStore(tx: Tx, id: number, buf: string): void {
  requireBlock(tx, id, 'online');
  const r = kstrtobool(buf);
  if (!r.ok) fail(r.errno, `memory${id}/online: ${r.reason}`);
  return r.value ? onlineBlock(tx, id, 'online', true) : offlineBlock(tx, id, true);
}

/**
 * probe_store(): one memory block at a physical address, MHP_NONE, node by
 * address (memory_add_physaddr_to_nid). The address is kstrtoull(base 0):
 * `0x…` hex, a leading 0 octal, else decimal.
 */
export function probe(tx: Tx, addr: number): void {
  requireProbeFile(tx);
  if (!isBlockAlignedRange(tx.g, addr, tx.g.blockSize)) fail('EINVAL', `probe: address 0x${addr.toString(16)} is not block-aligned`);
  let nid = 0;
  let end = 0;
  for (const n of tx.system.boot) {
    end += n.size;
    if (addr < end) {
      nid = n.node;
      break;
    }
  }
  return addMemory(tx, nid, addr, tx.g.blockSize, []);
}

/** The probe file exists only with CONFIG_ARCH_MEMORY_PROBE (machine.config): open() fails without it. */
function requireProbeFile(tx: Tx): void {
  if (!configOf(tx.system).ARCH_MEMORY_PROBE)
    fail('ENOENT', `/sys/devices/system/memory/probe does not exist: CONFIG_ARCH_MEMORY_PROBE is off (${optionRule('ARCH_MEMORY_PROBE', tx.system.arch, tx.system.kernel).why})`);
}

export function probeStore(tx: Tx, buf: string): void {
  requireProbeFile(tx);
  const r = kstrtoull(buf, 0);
  if (!r.ok) fail(r.errno, `probe: ${r.reason}`);
  if (r.value > BigInt(Number.MAX_SAFE_INTEGER)) fail('EINVAL', `probe: address 0x${r.value.toString(16)} is beyond any physical memory`);
  return probe(tx, Number(r.value));
}

const BLOCK_FILE = /^devices\/system\/memory\/memory(\d+)\/(state|online)$/;
const PARAM_FILE = /^(?:devices\/system\/memory|module\/memory_hotplug\/parameters)\/(\w+)$/;
const INJECT_FILE = /^kernel\/debug\/notifier-error-inject\/memory\/actions\/(MEM_GOING_ONLINE|MEM_GOING_OFFLINE)\/error$/;

/** Paths below /sys as the op carries them: no leading or doubled slash, no `.`/`..`. */
function normalise(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) fail('ENOENT', `${path}: ".." is not followed in a sysfs path`);
  return parts.join('/');
}

/**
 * write(2) of `value` to /sys/<path>. The file must be one the sysfs
 * renderer shows for this world (the renderer alone decides what exists),
 * writable by mode; then its store function runs.
 */
export function sysfsWrite(tx: Tx, rawPath: string, value: string): void {
  const path = normalise(rawPath);
  const entry = lookupSysfs(toView(tx.world), `sys/${path}`);
  if (!entry) fail('ENOENT', `/sys/${path} does not exist`);
  if (entry.kind === 'dir') fail('EISDIR', `/sys/${path} is a directory`);
  if (entry.kind === 'file' && (entry.mode & 0o222) === 0) fail('EACCES', `/sys/${path} is read-only (mode ${entry.mode.toString(8)})`);
  if (entry.kind === 'symlink') fail('EINVAL', `/sys/${path} is a link`);
  const buf = value;
  const m = BLOCK_FILE.exec(path);
  if (m) {
    const id = Number(m[1]);
    return m[2] === 'state' ? stateStore(tx, id, buf) : onlineStore(tx, id, buf);
  }
  if (path === 'devices/system/memory/probe') return probeStore(tx, buf);
  const inj = INJECT_FILE.exec(path);
  if (inj) return injectStore(tx, inj[1] as 'MEM_GOING_ONLINE' | 'MEM_GOING_OFFLINE', buf);
  const p = PARAM_FILE.exec(path);
  if (p && (RUNTIME_PARAMS as readonly string[]).includes(p[1]!)) return setParam(tx, p[1] as RuntimeParam, cString(buf));
  // A file the renderer marks writable but no store here handles: say so rather than pretend.
  fail('EACCES', `/sys/${path}: memhp has no store function for this file`);
}
