/**
 * `memhp exec`: a command in a private mount namespace in which the
 * simulated sysfs is bind-mounted over the real paths, so tools that
 * hard-code /sys/devices/system/memory drive the simulation unmodified.
 *
 * FUSE callbacks run on this process's main thread, so the command must never
 * be waited for synchronously while it can touch the mount: this process
 * serves the mount and spawns `unshare --mount` asynchronously; the shell
 * inside makes the bind mounts and then execs the command.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants } from 'node:os';
import type { OpEvent } from '../engine/events.ts';
import { formatOp, formatResult } from '../engine/op-text.ts';
import { FuseUnavailable, onPath } from './platform.ts';
import { checkFuse, startMount } from './session.ts';
import { SHIMMED_TOOLS, writeShims } from './module-shims.ts';

/** Directories below /sys that the simulation replaces, when both it and the host have them. */
export const BIND_DIRS = ['devices/system/memory', 'devices/system/node', 'module/memory_hotplug', 'kernel/debug'] as const;

// $1: the mountpoint, $2: the module shims (module-shims.ts); the rest: the command. fd 3 tells
// the parent what was set up before the exec.
//  - debugfs: tools find it with \`mount -t debugfs\` (the kernel selftest does). Where none is
//    mounted, the kernel's own is mounted in this namespace only, and memhp's kernel/debug is
//    bound over it below, so the listing names /sys/kernel/debug and every path under it is memhp's.
//  - modules: the shims are laid over the sbin directory with a read-only overlay (or, without
//    overlayfs, bound over each tool that exists); if neither works while a modprobe exists,
//    nothing runs: a command here must never load or unload a host module.
const SCRIPT = `m=$1; s=$2; shift 2
if [ -d /sys/kernel/debug ] && [ -z "$(mount -t debugfs)" ]; then
  if mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null; then echo debugfs >&3; else echo nodebugfs >&3; fi
fi
sb=$(readlink -f /sbin)
if [ -d "$sb" ] && mount -t overlay memhp-modules -o "ro,lowerdir=$s:$sb" "$sb" 2>/dev/null; then echo "modules $sb" >&3
else
  for t in ${SHIMMED_TOOLS.join(' ')}; do
    for p in /sbin/$t /usr/sbin/$t /bin/$t /usr/bin/$t; do
      [ -e "$p" ] || continue
      mount --bind "$s/$t" "$(readlink -f "$p")" || { echo "failed modules $p" >&3; exit 125; }
      echo "modules $p" >&3
    done
  done
fi
for d in ${BIND_DIRS.join(' ')}; do
  if [ ! -d "$m/sys/$d" ]; then echo "absent $d" >&3; continue; fi
  if [ ! -d "/sys/$d" ]; then echo "nohost $d" >&3; continue; fi
  mount --bind "$m/sys/$d" "/sys/$d" || { echo "failed $d" >&3; exit 125; }
  echo "bound $d" >&3
done
echo ready >&3
exec 3>&-
exec "$@"`;

/** Everything exec needs, checked before anything is created; throws FuseUnavailable naming what is missing. */
export function checkExec(): void {
  checkFuse(); // /dev/fuse, root, mount(8)
  for (const tool of ['unshare', 'mount', 'umount']) {
    if (!onPath(tool)) throw new FuseUnavailable(`${tool} is not on PATH: install util-linux`);
  }
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (probe.status !== 0) {
    const why = probe.stderr?.toString().trim() || probe.error?.message || `exit ${probe.status}`;
    throw new FuseUnavailable(`mount namespaces are not available (unshare --mount: ${why}); in a container, give it CAP_SYS_ADMIN (e.g. --privileged)`);
  }
}

export interface ExecRequest {
  file: string;
  command: string[];
  logPath?: string;
}

export interface ExecOutcome {
  exitCode: number;
  ops: OpEvent[];
  logPath: string;
  bound: string[];
  notes: string[];
}

export async function execInNamespace(req: ExecRequest): Promise<ExecOutcome> {
  checkExec();
  const dir = mkdtempSync(join(tmpdir(), 'memhp-exec-'));
  let session: Awaited<ReturnType<typeof startMount>>;
  try {
    session = await startMount({ file: req.file, mountpoint: dir, ...(req.logPath ? { logPath: req.logPath } : {}) });
  } catch (err) {
    rmdirSync(dir);
    throw err;
  }
  const notes = session.notes.filter((n) => !n.endsWith('created the directory'));
  const bound: string[] = [];
  const shims = writeShims(session.mountpoint);
  let exitCode: number;
  let ops: OpEvent[] = [];
  try {
    exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', SCRIPT, 'memhp-exec', session.mountpoint, shims, ...req.command], {
        stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
      });
      let status = '';
      child.stdio[3]!.on('data', (d: Buffer) => (status += d.toString()));
      // Like a shell: Ctrl-C goes to the command (same process group); memhp waits for it and cleans up.
      const forward = (sig: NodeJS.Signals) => child.kill(sig);
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const s of signals) process.on(s, forward);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        for (const s of signals) process.off(s, forward);
        for (const line of status.split('\n')) {
          const [what, d] = line.split(' ');
          if (what === 'bound') bound.push(`/sys/${d}`);
          if (what === 'nohost') notes.push(`/sys/${d} does not exist on this machine, so it is not replaced (read it at ${session.mountpoint}/sys/${d})`);
          if (what === 'nodebugfs') notes.push(`debugfs could not be mounted in the namespace, so \`mount -t debugfs\` lists nothing there (memhp's notifier-error-inject files are at ${session.mountpoint}/sys/kernel/debug)`);
          if (what === 'failed' && d === 'modules') return reject(new Error('memhp exec: modprobe could not be replaced in the namespace (see the message above), so the command was not run: it must not load or unload host modules'));
          if (what === 'failed') return reject(new Error(`memhp exec: bind-mounting the simulated /sys/${d} failed (see the message above)`));
        }
        if (!status.includes('ready')) return reject(new Error('memhp exec: the namespace was not set up (see the message above)'));
        resolve(code ?? 128 + (constants.signals[signal as NodeJS.Signals] ?? 0));
      });
    });
  } finally {
    ops = session.live.opsSince(session.live.startSeq);
    await session.close();
    rmSync(shims, { recursive: true, force: true });
    try {
      rmdirSync(dir);
    } catch {
      // still busy: left for the OS temp cleaner
    }
  }
  return { exitCode, ops, logPath: session.live.logPath, bound, notes };
}

/** What the command caused, one line per operation, for stderr. */
export function outcomeLines(req: ExecRequest, o: ExecOutcome): string[] {
  const failed = o.ops.filter((op) => op.ret !== 0).length;
  const lines = [
    `memhp exec: ${req.command.join(' ')} exited with ${o.exitCode}; it made ${o.ops.length} write${o.ops.length === 1 ? '' : 's'}${failed ? ` (${failed} failed)` : ''}:`,
  ];
  for (const op of o.ops) lines.push(`  ${formatOp(op.op)} → ${formatResult(op.ret, op.errno, op.message)}`);
  lines.push(`log: ${o.logPath}  (memhp inspect ${o.logPath} to step through it)`);
  return lines;
}
