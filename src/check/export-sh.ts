/**
 * `memhp explore --export sh`: a counterexample (any operation sequence) as a
 * POSIX shell script to try on a real machine or VM. Each operation becomes what
 * user space does for it — a write to /sys (memoryN/state and online, probe,
 * auto_online_blocks, /sys/module/memory_hotplug/parameters/*, the
 * notifier-error-inject files in debugfs) or QMP commands for the hypervisor
 * (object-add, device_add, device_del, qom-set as JSON lines piped to the
 * command in $MEMHP_QMP, e.g. socat to the monitor's socket) — followed by a
 * check of memhp's prediction: the write's result (0 or the errno's message),
 * then the state and valid_zones of every block involved. The script reports
 * each step where the machine parts from memhp; its exit status is 0 when none
 * did, 1 when one did, 2 when it stopped, all as predicted, at a step it cannot
 * make (MEMHP_PAUSE=1 waits for the user to make it another way instead).
 *
 * Operations with no user-space form (remove_memory, touch, pin, signal, an
 * add_memory other than a probe write) are printed as steps the script cannot
 * make. add_memory is written as a probe write only when memhp decides that
 * write to the same world (same resource, same node).
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { decide } from '../engine/decide.ts';
import { TableGate } from '../engine/gate.ts';
import { tableToArray } from '../engine/table.ts';
import { blockView } from '../engine/to-view.ts';
import { attrNamed } from '../engine/sysfs/attrs.ts';
import { configOf } from '../kernel/config.ts';
import { ERRNO, errnoName } from '../kernel/errno.ts';
import { geometryOf } from '../kernel/geometry.ts';
import type { Op } from '../kernel/ops.ts';
import type { SystemSpec } from '../kernel/types.ts';
import type { World } from '../engine/world.ts';
import { canonicalKey } from './canonical.ts';
import { describeOps } from './counterexample.ts';
import { bootedWorld } from './invariants/index.ts';

/** strerror() text of each errno (glibc's wording, which busybox and the shells print after "write error:"). */
const STRERROR: Record<keyof typeof ERRNO, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EINTR: 'Interrupted system call',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EFAULT: 'Bad address',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  ENOSYS: 'Function not implemented',
  EINVAL: 'Invalid argument',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ERANGE: 'Numerical result out of range',
  ENOSPC: 'No space left on device',
  EOPNOTSUPP: 'Operation not supported',
  E2BIG: 'Argument list too long',
  EHWPOISON: 'Memory page has hardware error',
};

/** A word in single quotes, safe for any shell. */
export const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** What the script does for one operation. */
type Action =
  | { kind: 'write'; file: string; value: string; newline: boolean }
  | { kind: 'writes'; writes: { file: string; value: string; expect: number }[] }
  | { kind: 'qmp'; lines: object[]; settle: boolean }
  | { kind: 'command'; argv: string[] }
  | { kind: 'wait'; why: string }
  | { kind: 'none'; why: string };

/** QEMU ids: a letter, then letters, digits, -, . or _ (a ':' in a PNP0C80:01 name is not allowed). */
const qemuId = (device: string) => `memhp-${device.replace(/[^A-Za-z0-9._-]/g, '-')}`;

/** Paths are relative to $SYS (default /sys), so the script also runs against a mounted copy. */
function actionOf(spec: SystemSpec, before: World, op: Op, after: World, step: number): Action {
  // a memory backend per add (named by its step): an ejected DIMM's backend stays until object-del, so a re-add needs a new one
  const backend = (id: string) => `${id}-mem${step}`;
  // a hot-plugged memory device: its RAM backend, then the device on it (the driver's own arguments last)
  const deviceAdd = (id: string, size: number, driver: string, node: number, args: Record<string, unknown>): Action => ({
    kind: 'qmp',
    settle: true,
    lines: [
      { execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: backend(id), size } },
      { execute: 'device_add', arguments: { driver, id, memdev: backend(id), node, ...args } },
    ],
  });
  const mem = (b: number, f: string) => `devices/system/memory/memory${b}/${f}`;
  switch (op.op) {
    case 'state':
      return { kind: 'write', file: mem(op.block, 'state'), value: op.value, newline: true };
    case 'online':
      return { kind: 'write', file: mem(op.block, 'online'), value: typeof op.value === 'boolean' ? (op.value ? '1' : '0') : op.value, newline: true };
    case 'probe':
      return { kind: 'write', file: 'devices/system/memory/probe', value: `0x${op.addr.toString(16)}`, newline: true };
    case 'write':
      return { kind: 'write', file: op.path, value: op.value, newline: false };
    case 'set': {
      const k = { kernel: spec.kernel, config: configOf(spec) };
      if (attrNamed('memory', op.param, k)) return { kind: 'write', file: `devices/system/memory/${op.param}`, value: String(op.value), newline: true };
      if (attrNamed('params', op.param, k)) return { kind: 'write', file: `module/memory_hotplug/parameters/${op.param}`, value: String(op.value), newline: true };
      return { kind: 'none', why: `${op.param} has no file in this kernel` };
    }
    case 'inject':
      return { kind: 'write', file: `kernel/debug/notifier-error-inject/memory/actions/${op.action}/error`, value: String(op.error), newline: true };
    case 'add_memory':
      return probeWrites(spec, before, op, after);
    case 'acpi_dimm_add':
      return deviceAdd(qemuId(op.device), op.size, 'pc-dimm', op.node, { addr: op.start });
    case 'acpi_dimm_eject':
      return { kind: 'qmp', settle: true, lines: [{ execute: 'device_del', arguments: { id: qemuId(op.device) } }] };
    case 'virtio_mem_add':
      return deviceAdd(qemuId(op.device), op.size, 'virtio-mem-pci', op.node, {
        memaddr: op.start,
        'requested-size': op.requested,
        ...(op.blockSize ? { 'block-size': op.blockSize } : {}),
      });
    case 'virtio_mem_resize':
      return { kind: 'qmp', settle: true, lines: [{ execute: 'qom-set', arguments: { path: `/machine/peripheral/${qemuId(op.device)}`, property: 'requested-size', value: op.requested } }] };
    case 'dax_kmem_add':
      return { kind: 'command', argv: ['daxctl', 'reconfigure-device', '--mode=system-ram', op.device] };
    case 'dax_kmem_remove':
      return { kind: 'command', argv: ['daxctl', 'reconfigure-device', '--mode=devdax', '--force', op.device] };
    case 'remove_memory':
    case 'offline_and_remove_memory':
      return { kind: 'none', why: `${op.op}() is called by drivers inside the kernel; user space reaches it only through a device removal (an ACPI eject, a virtio-mem unplug)` };
    case 'touch':
      return { kind: 'none', why: 'memhp models the kernel reading the block\'s struct pages (a pfn walker); there is no one write that does it' };
    case 'pin':
    case 'unpin':
      return { kind: 'none', why: 'pinning a page (an unmovable allocation) in a chosen block has no user-space interface' };
    case 'signal':
      return { kind: 'none', why: 'a signal to the offlining task is timing-dependent: send it by hand while the offline runs' };
    case 'boot':
      return { kind: 'none', why: 'the machine is already booted' };
    case 'agent':
      // an onlining agent runs by itself on a real machine (docs/drivers.md "Onlining agents"): wait for what it does
      return { kind: 'wait', why: `the machine's ${op.agent} onlining agent handles ${op.target ?? 'its oldest reaction'} by itself: waiting for it` };
  }
}

/** add_memory(node, start, size, no flags) as probe writes, one per block, when memhp decides them to the same world. */
function probeWrites(spec: SystemSpec, before: World, op: Extract<Op, { op: 'add_memory' }>, after: World): Action {
  const why = `add_memory() is called by drivers inside the kernel; probe writes (CONFIG_ARCH_MEMORY_PROBE) add the same memory only when memhp decides them to the same world`;
  if (!configOf(spec).ARCH_MEMORY_PROBE || op.flags.length) return { kind: 'none', why };
  const bs = geometryOf(spec).blockSize;
  const gate = new TableGate();
  let w = before;
  const writes: { file: string; value: string; expect: number }[] = [];
  for (let a = op.start; a < op.start + op.size; a += bs) {
    const r = decide(w, gate, { op: 'probe', addr: a });
    writes.push({ file: 'devices/system/memory/probe', value: `0x${a.toString(16)}`, expect: r.ret });
    w = r.world;
  }
  return canonicalKey(w) === canonicalKey(after) ? { kind: 'writes', writes } : { kind: 'none', why };
}

/** The blocks whose state the script checks: every block hot-added at some step, and every block an operation names. */
function blocksToCheck(worlds: readonly World[], ops: readonly Op[]): number[] {
  const ids = new Set<number>();
  for (const w of worlds) for (const b of tableToArray(w.blocks)) if (!b.early) ids.add(b.id);
  for (const op of ops) if ('block' in op && typeof op.block === 'number') ids.add(op.block);
  return [...ids].sort((a, b) => a - b);
}

const PRELUDE = String.raw`set -u
SYS=\${MEMHP_SYSFS:-/sys}
parted=0
step=0

say() { printf '%s\n' "$*"; }
part() { parted=$((parted + 1)); say "  PARTED at step $step: $*"; }

# expect_write FILE VALUE ERRNO MESSAGE: write VALUE and a newline to $SYS/FILE, compare the result with memhp's
# (printf runs as a command, not the shell's builtin: dash's builtin reports every failed write as "I/O error")
expect_write() {
  if _err=$({ env printf '%s\n' "$2" > "$SYS/$1"; } 2>&1); then _ok=1; else _ok=0; fi
  _compare "$1" "$3" "$4"
}
# expect_write_raw FILE VALUE ERRNO MESSAGE: the same, VALUE written as is (a raw write(2))
expect_write_raw() {
  if _err=$({ env printf '%s' "$2" > "$SYS/$1"; } 2>&1); then _ok=1; else _ok=0; fi
  _compare "$1" "$3" "$4"
}
# expect_run ERRNO COMMAND...: run a command; memhp predicts success (0) or failure
expect_run() {
  _want=$1; shift
  if _err=$("$@" 2>&1); then _ok=1; else _ok=0; fi
  _compare "$*" "$_want" ''
}
_compare() {
  if [ "$_ok" = 1 ]; then
    [ "$2" = 0 ] || part "$1: succeeded, memhp predicted $2 ($3)"
  elif [ "$2" = 0 ]; then
    part "$1: failed ($_err), memhp predicted success"
  else
    case $_err in
      *"$3"*) ;;
      *nonexistent*) [ "$2" = ENOENT ] || part "$1: failed with '$_err', memhp predicted $2 ($3)" ;;
      *) part "$1: failed with '$_err', memhp predicted $2 ($3)" ;;
    esac
  fi
  return 0
}
# expect_block N STATE VALID_ZONES: memoryN's state and valid_zones (absent: no memoryN)
expect_block() {
  _d=$SYS/devices/system/memory/memory$1
  if [ "$2" = absent ]; then
    [ ! -e "$_d" ] || part "memory$1 exists ($(cat "$_d/state")), memhp predicted it absent"
    return 0
  fi
  if [ ! -e "$_d" ]; then part "memory$1 is absent, memhp predicted $2"; return 0; fi
  _s=$(cat "$_d/state")
  [ "$_s" = "$2" ] || part "memory$1 is $_s, memhp predicted $2"
  if [ -n "$3" ] && [ -r "$_d/valid_zones" ]; then
    _z=$(cat "$_d/valid_zones")
    [ "$_z" = "$3" ] || part "memory$1 valid_zones is '$_z', memhp predicted '$3'"
  fi
  return 0
}
# qmp: the JSON lines on stdin to the VM's monitor through $MEMHP_QMP (e.g. MEMHP_QMP='socat -t2 - UNIX-CONNECT:/run/qmp.sock')
qmp() {
  if [ -z "\${MEMHP_QMP:-}" ]; then
    say "  set MEMHP_QMP to a command that passes its input to the VM's QMP socket; the commands:"
    sed 's/^/    /'
    cannot "no QMP monitor (MEMHP_QMP is not set)"
    return 1
  fi
  { say '{"execute":"qmp_capabilities"}'; cat; } | sh -c "$MEMHP_QMP" > /dev/null
}
# settle N: give the guest up to N seconds to finish an ACPI or virtio-mem change (a device_del ejects asynchronously)
settle() {
  _t=0
  while [ "$_t" -lt "$1" ]; do
    [ "$(settled)" = yes ] && return 0
    sleep 1; _t=$((_t + 1))
  done
  return 0
}
# cannot WHY: a step this script cannot make; what follows depends on it, so stop here
# (or, with MEMHP_PAUSE=1 on a terminal, wait while the user makes it another way)
cannot() {
  say "  cannot make step $step here: $*"
  if [ "\${MEMHP_PAUSE:-}" = 1 ] && [ -r /dev/tty ]; then
    say "  make it another way, then press Enter"
    read -r _ < /dev/tty
    return 0
  fi
  if [ "$parted" -gt 0 ]; then say "stopped at step $step; before it this machine parted from memhp $parted time(s)"; exit 1; fi
  say "stopped at step $step; every step before it went as memhp predicted"
  exit 2
}
`.replace(/\\\$\{/g, '${');

export interface ShellExportOptions {
  /** Where the counterexample's log is (named in the header). */
  logFile?: string;
  /** Seconds a device step waits for the guest to settle (default 30). */
  settleSeconds?: number;
}

/** The script for `ops` on `spec`, each step's prediction decided by memhp (the machines, from boot). */
export function exportShell(spec: SystemSpec, ops: readonly Op[], opts: ShellExportOptions = {}): string {
  const gate = new TableGate();
  const bs = geometryOf(spec).blockSize;
  const steps = describeOps(spec, ops);
  const worlds: World[] = [bootedWorld(spec)];
  const decisions = ops.map((op) => {
    const r = decide(worlds.at(-1)!, gate, op);
    worlds.push(r.world);
    return r;
  });
  const blocks = blocksToCheck(worlds, ops);
  const actions = ops.map((op, i) => actionOf(spec, worlds[i]!, op, worlds[i + 1]!, i + 1));
  const blockLines = (w: World) =>
    blocks.map((id) => {
      const b = tableToArray(w.blocks).find((x) => x.id === id);
      return b ? `expect_block ${id} ${b.state} ${shQuote(blockView(w, b).validZones)}` : `expect_block ${id} absent ''`;
    });
  const out = [
    '#!/bin/sh',
    '# shellcheck disable=SC2317 # the helpers this sequence does not need are never called',
    `# memhp counterexample as a script: ${spec.arch}, kernel ${spec.kernel} (memhp's model), memory block size ${bs} bytes.`,
    ...(opts.logFile ? [`# The log: ${opts.logFile} (memhp inspect / memhp step / memhp conform it).`] : []),
    '# Run it as root on a machine or VM laid out like memhp\'s (the same boot memory and block size,',
    '# hot-pluggable space at the same addresses); it makes each operation and checks memhp\'s prediction.',
    '# $MEMHP_SYSFS replaces /sys; $MEMHP_QMP is the command that reaches the VM\'s QMP monitor for device steps.',
    '# Exit status: 0 every step as memhp predicted, 1 the machine parted from memhp, 2 it stopped at a step it cannot make\n# (before it, all as predicted; MEMHP_PAUSE=1 waits for you to make such a step by hand instead).',
    PRELUDE,
    ...(actions.some(waits) ? [`settled() { ${settledBody(blocks, worlds, actions)} }`] : []),
    '',
    'step=0',
    `say "step 0: the machine: memory block size ${bs.toString(16)}"`,
    `[ "$(cat "$SYS/devices/system/memory/block_size_bytes")" = ${bs.toString(16)} ] || { part "block_size_bytes is $(cat "$SYS/devices/system/memory/block_size_bytes"), memhp's machine has ${bs.toString(16)}: the addresses below do not apply"; exit 1; }`,
    ...blockLines(worlds[0]!),
  ];
  ops.forEach((_op, i) => {
    const d = decisions[i]!;
    const errno = d.ret === 0 ? '0' : errnoName(d.ret);
    const msg = d.ret === 0 ? '' : STRERROR[errnoName(d.ret) as keyof typeof ERRNO] ?? errnoName(d.ret);
    out.push('', `step=${i + 1}`, `say ${shQuote(`step ${steps[i]}  (memhp: ${d.ret === 0 ? 'ok' : `${errno}${d.message ? `: ${d.message}` : ''}`})`)}`);
    const a = actions[i]!;
    switch (a.kind) {
      case 'write':
        out.push(`${a.newline ? 'expect_write' : 'expect_write_raw'} ${shQuote(a.file)} ${shQuote(a.value)} ${errno} ${shQuote(msg)}`);
        break;
      case 'writes':
        for (const w of a.writes) {
          const e = w.expect === 0 ? '0' : errnoName(w.expect);
          out.push(`expect_write ${shQuote(w.file)} ${shQuote(w.value)} ${e} ${shQuote(w.expect === 0 ? '' : STRERROR[e as keyof typeof ERRNO] ?? e)}`);
        }
        break;
      case 'qmp':
        out.push('qmp <<\'QMP\' && settle ' + String(opts.settleSeconds ?? 30), ...a.lines.map((l) => JSON.stringify(l)), 'QMP');
        break;
      case 'command':
        out.push(`if command -v ${a.argv[0]} > /dev/null; then expect_run ${errno} ${a.argv.map(shQuote).join(' ')}; else cannot ${shQuote(`${a.argv[0]} is not installed (${a.argv.join(' ')})`)}; fi`);
        break;
      case 'wait':
        out.push(`say ${shQuote(`  ${a.why}`)}`, `settle ${opts.settleSeconds ?? 30}`);
        break;
      case 'none':
        out.push(`cannot ${shQuote(a.why)}`);
        break;
    }
    out.push(...blockLines(worlds[i + 1]!));
  });
  out.push(
    '',
    'if [ "$parted" -gt 0 ]; then say "this machine parted from memhp $parted time(s)"; exit 1; fi',
    'say "every step went as memhp predicted"',
    'exit 0',
    '',
  );
  return out.join('\n');
}

/** Steps after which the script waits for the machine: a device change, an onlining agent. */
const waits = (a: Action) => a.kind === 'qmp' || a.kind === 'wait';

/** "yes" once every block is in the state memhp predicts after the device or agent step `$step`. */
function settledBody(blocks: readonly number[], worlds: readonly World[], actions: readonly Action[]): string {
  const cases = worlds.slice(1).flatMap((w, i) => {
    if (!waits(actions[i]!)) return [];
    const tests = blocks.map((id) => {
      const b = tableToArray(w.blocks).find((x) => x.id === id);
      const d = `"$SYS/devices/system/memory/memory${id}"`;
      return b ? `[ "$(cat ${d}/state 2>/dev/null)" = ${b.state} ]` : `[ ! -e ${d} ]`;
    });
    return [`${i + 1}) ${tests.length ? tests.join(' && ') : 'true'} ;;`];
  });
  return `case $step in ${cases.join(' ')} *) false ;; esac && echo yes || echo no;`;
}

/** The script's path beside a counterexample log: memhp-counterexample.jsonl → memhp-counterexample.sh. */
export function scriptPathFor(logFile: string): string {
  return logFile.endsWith('.jsonl') ? `${logFile.slice(0, -'.jsonl'.length)}.sh` : `${logFile}.sh`;
}

/** Writes the script (replacing the file, executable) and returns its path. */
export function writeShellExport(file: string, spec: SystemSpec, ops: readonly Op[], opts: ShellExportOptions = {}): string {
  writeFileSync(file, exportShell(spec, ops, opts), { mode: 0o755 });
  chmodSync(file, 0o755); // an existing file keeps its mode through writeFileSync
  return file;
}
