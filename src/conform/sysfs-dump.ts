/**
 * A guest's /sys/devices/system/memory as util-linux's tests/ts/lsmem/mk-input.sh copies it
 * (`cp -r`: directories, readable files with their content, symlinks as symlinks, unreadable
 * files such as the write-only probe left out), read through the guest shell, for
 * `memhp import` fixtures (scripts/conform/dump-sysfs.ts; docs/import.md).
 */
import type { GuestChannel } from './channel.ts';

export type DumpEntry = { kind: 'dir' } | { kind: 'file'; text: string } | { kind: 'link'; target: string };

/** One line per entry: D<TAB>path, L<TAB>path<TAB>target, F<TAB>path<TAB>content with each newline as \001. */
const WALK =
  `cd /sys/devices/system && find memory | while read p; do ` +
  `if [ -L "$p" ]; then printf 'L\\t%s\\t%s\\n' "$p" "$(readlink "$p")"; ` +
  `elif [ -d "$p" ]; then printf 'D\\t%s\\n' "$p"; ` +
  `elif cat "$p" >/dev/null 2>&1; then printf 'F\\t%s\\t' "$p"; cat "$p" | tr '\\n' '\\001'; echo; fi; done`;

/** Parses the walk's output into paths below sys/devices/system (e.g. `sys/devices/system/memory/memory0/state`). */
export function parseWalk(out: string): Map<string, DumpEntry> {
  const entries = new Map<string, DumpEntry>();
  for (const raw of out.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const [kind, path, rest] = line.split('\t');
    if (!path || !path.startsWith('memory')) continue;
    const at = `sys/devices/system/${path}`;
    if (kind === 'D') entries.set(at, { kind: 'dir' });
    else if (kind === 'L' && rest !== undefined) entries.set(at, { kind: 'link', target: rest });
    else if (kind === 'F') entries.set(at, { kind: 'file', text: (rest ?? '').replace(/\x01/g, '\n') });
  }
  return entries;
}

export async function takeSysfsDump(shell: GuestChannel): Promise<Map<string, DumpEntry>> {
  const r = await shell.sh(WALK, 300_000);
  return parseWalk(r.out);
}
