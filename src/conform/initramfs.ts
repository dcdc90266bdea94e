/**
 * Builds the guest's initramfs: static busybox, /init and helpers
 * (guest-files.ts), and the kernel modules the comparison needs with their
 * dependencies (from the kernel's modules.dep), decompressed, since busybox
 * insmod loads plain .ko files only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpioNewc, type CpioEntry } from './cpio.ts';
import { INIT, MW, OBS } from './guest-files.ts';

/** Modules wanted when the kernel builds them as modules (absent or built-in: skipped). */
export const WANTED_MODULES = ['virtio_pci', 'virtio_mem', 'memory-notifier-error-inject'];

export const BUSYBOX_PATHS = ['/bin/busybox', '/usr/bin/busybox'];

function findBusybox(): string {
  for (const p of BUSYBOX_PATHS) {
    if (!existsSync(p)) continue;
    const head = execFileSync('file', ['-L', p], { encoding: 'utf8' });
    if (head.includes('statically linked')) return p;
  }
  throw new Error(`no statically linked busybox in ${BUSYBOX_PATHS.join(', ')} (install it: apt-get install busybox-static)`);
}

function readModule(path: string): Buffer {
  if (path.endsWith('.xz')) return execFileSync('xz', ['-dc', path], { maxBuffer: 1 << 28 });
  if (path.endsWith('.zst')) return execFileSync('zstd', ['-dc', path], { maxBuffer: 1 << 28 });
  if (path.endsWith('.gz')) return execFileSync('gzip', ['-dc', path], { maxBuffer: 1 << 28 });
  return readFileSync(path);
}

const modName = (file: string) => file.split('/').pop()!.replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_');

function walk(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(dir, rel));
    else if (/\.ko(\.\w+)?$/.test(e.name)) out.push(rel);
  }
  return out;
}

/** The `depends=` field of a module's .modinfo section (a distribution package ships no modules.dep). */
function modinfoDepends(data: Buffer): string[] {
  const i = data.indexOf('depends=');
  if (i < 0) return [];
  const end = data.indexOf(0, i);
  return data.subarray(i + 8, end).toString().split(',').filter(Boolean);
}

/** Module paths (relative to the modules dir) for `wanted`, dependencies first, with their contents. */
export function moduleLoadOrder(modulesDir: string, wanted: readonly string[]): Array<{ path: string; data: Buffer }> {
  const byName = new Map<string, string>();
  for (const rel of walk(modulesDir, 'kernel')) byName.set(modName(rel), rel);
  const order: Array<{ path: string; data: Buffer }> = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const rel = byName.get(name);
    if (!rel) return; // built in, or not built
    const data = readModule(join(modulesDir, rel));
    for (const d of modinfoDepends(data)) visit(d.replace(/-/g, '_'));
    order.push({ path: rel, data });
  };
  for (const w of wanted) visit(w.replace(/-/g, '_'));
  return order;
}

export function buildInitramfs(modulesDir: string | null): Buffer {
  const entries: CpioEntry[] = ['bin', 'dev', 'proc', 'sys', 'tmp', 'lib', 'lib/modules'].map((path) => ({ kind: 'dir' as const, path }));
  entries.push({ kind: 'file', path: 'bin/busybox', data: readFileSync(findBusybox()), mode: 0o755 });
  entries.push({ kind: 'symlink', path: 'bin/sh', target: 'busybox' });
  entries.push({ kind: 'file', path: 'init', data: INIT, mode: 0o755 });
  entries.push({ kind: 'file', path: 'bin/obs', data: OBS, mode: 0o755 });
  entries.push({ kind: 'file', path: 'bin/mw', data: MW, mode: 0o755 });
  const load: string[] = [];
  if (modulesDir) {
    for (const mod of moduleLoadOrder(modulesDir, WANTED_MODULES)) {
      const name = mod.path.split('/').pop()!.replace(/\.(xz|zst|gz)$/, '');
      entries.push({ kind: 'file', path: `lib/modules/${name}`, data: mod.data });
      load.push(name);
    }
  }
  entries.push({ kind: 'file', path: 'lib/modules.load', data: `${load.join('\n')}\n` });
  return cpioNewc(entries);
}
