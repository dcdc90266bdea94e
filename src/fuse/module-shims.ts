/**
 * `memhp exec` never lets a command load or unload a module in the host kernel: inside the
 * namespace, `modprobe`, `insmod` and `rmmod` are these shell scripts, laid over the system's
 * sbin directory with a read-only overlay (src/fuse/exec.ts; docs/sysfs.md "The selftest").
 *
 * The kernel selftest (docs/kernel-model.md §9.3) unloads and reloads
 * memory-notifier-error-inject around its injection part. memhp's injection is always there,
 * so loading it succeeds and changes nothing; unloading it disarms both actions, as the real
 * module's exit does (its notifier goes away, and a reload starts with every error at 0). The
 * disarming writes go to the memhp mount itself, never to a path the host's debugfs could be
 * behind. Any other module is refused with exit 1 (quietly under -q, as modprobe is).
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEBUG_INJECT_DIR } from '../engine/sysfs/paths.ts';
import { INJECT_ACTIONS } from '../engine/sysfs/attrs.ts';

/** The module memhp simulates (modprobe takes `-` and `_` alike). */
export const INJECT_MODULE = 'memory-notifier-error-inject';
export const SHIMMED_TOOLS = ['modprobe', 'insmod', 'rmmod'] as const;

/** The shim's text; `mountpoint` is the memhp mount (its sys/ holds the injection files). */
export function shimScript(mountpoint: string): string {
  const actions = INJECT_ACTIONS.map((a) => `"$m/${DEBUG_INJECT_DIR}/actions/${a}/error"`).join(' ');
  return `#!/bin/sh
# memhp exec: no module is loaded into or unloaded from the host kernel here.
m='${mountpoint.replace(/'/g, `'\\''`)}'
tool=\${0##*/}
quiet=; remove=; mod=
[ "$tool" = rmmod ] && remove=1
for a; do
  case $a in
    --quiet) quiet=1 ;;
    --remove) remove=1 ;;
    --*) ;;
    -*) case $a in *q*) quiet=1 ;; esac; case $a in *r*) remove=1 ;; esac ;;
    *) [ -z "$mod" ] && mod=\${a##*/} ;;
  esac
done
mod=\${mod%.ko}
case $mod in
  memory-notifier-error-inject|memory_notifier_error_inject)
    if [ -n "$remove" ]; then
      for f in ${actions}; do [ "$(cat "$f")" = 0 ] || echo 0 > "$f"; done
    fi
    exit 0 ;;
esac
[ -n "$quiet" ] || echo "$tool: memhp exec does not load or unload modules in the host kernel (asked for \${mod:-nothing}); only ${INJECT_MODULE} is simulated" >&2
exit 1
`;
}

/** A new directory holding the shims (the overlay's upper layer of lower dirs); the caller removes it. */
export function writeShims(mountpoint: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'memhp-modules-'));
  for (const tool of SHIMMED_TOOLS) {
    const p = join(dir, tool);
    writeFileSync(p, shimScript(mountpoint));
    chmodSync(p, 0o755);
  }
  return dir;
}
