/**
 * Where a machine's sysfs is read from: a running system (`/`), a directory holding a dump
 * (`<dir>/sys/devices/system/memory`, or one folder that holds it), or a tarball in the layout
 * util-linux's tests/ts/lsmem/mk-input.sh writes (one top folder holding sys/devices/system/memory).
 * Paths are relative to the machine's root: `sys/devices/system/memory/memory0/state`.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../input/errors.ts';
import { decompress, readTar, type TarEntry } from './tarball.ts';

export const MEMORY = 'sys/devices/system/memory';

export interface DumpSource {
  /** how messages name it: the tarball or directory given, or `/` */
  label: string;
  /** the running system: its kernel release and its /proc can be read too */
  live: boolean;
  /**
   * the running system's memory sysfs is memhp's own (inside `memhp exec`): the CPU, the kernel
   * release, /proc/iomem and /sys/firmware/memmap are the host's and say nothing about it
   */
  simulated: boolean;
  /** whether `path` belongs to another machine than the one read: inside memhp exec, what memhp does not serve is the host's */
  foreign(path: string): boolean;
  /** a short name for the scenario: the dump's folder, or "this machine" */
  name: string;
  read(path: string): string | undefined;
  readlink(path: string): string | undefined;
  /** names in a directory, sorted; undefined when it is not there */
  list(path: string): string[] | undefined;
  /** the place to name in a message about `path` */
  where(path: string): string;
}

function diskSource(root: string, label: string, name: string, live: boolean, memhpMounts: string[] = []): DumpSource {
  const simulated = memhpMounts.length > 0;
  const at = (p: string) => join(root, p);
  return {
    label, live, name, simulated,
    foreign: (p) => simulated && !memhpMounts.some((m) => `/${p}` === m || `/${p}`.startsWith(`${m}/`)),
    read(p) {
      try {
        return readFileSync(at(p), 'utf8');
      } catch {
        return undefined; // absent, a directory, or unreadable (a write-only attribute): not there for us
      }
    },
    readlink(p) {
      try {
        return readlinkSync(at(p));
      } catch {
        return undefined;
      }
    },
    list(p) {
      try {
        return readdirSync(at(p)).sort();
      } catch {
        return undefined;
      }
    },
    where: (p) => at(p),
  };
}

function tarSource(entries: Map<string, TarEntry>, top: string, label: string): DumpSource {
  const strip = new Map<string, TarEntry>();
  const dirs = new Map<string, Set<string>>();
  for (const [path, e] of entries) {
    if (!path.startsWith(`${top}/`)) continue;
    const rel = path.slice(top.length + 1);
    strip.set(rel, e);
    // every ancestor directory lists its child, whether or not the archive has the directory's own entry
    const parts = rel.split('/');
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!dirs.has(dir)) dirs.set(dir, new Set());
      dirs.get(dir)!.add(parts[i]!);
    }
  }
  return {
    label, live: false, simulated: false, foreign: () => false, name: top,
    read: (p) => {
      const e = strip.get(p);
      return e?.kind === 'file' ? e.text : undefined;
    },
    readlink: (p) => {
      const e = strip.get(p);
      return e?.kind === 'link' ? e.target : undefined;
    },
    list: (p) => (dirs.has(p) ? [...dirs.get(p)!].sort() : undefined),
    where: (p) => `${label}: ${top}/${p}`,
  };
}

/** Where memhp's FUSE tree is mounted in this mount namespace (memhp exec binds it over /sys paths). */
function memhpMounts(): string[] {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .flatMap((line) => {
        const [pre, post] = line.split(' - ');
        const at = pre?.split(' ')[4];
        return at && post?.split(' ')[0] === 'fuse.memhp' ? [at] : [];
      });
  } catch {
    return [];
  }
}

/** The folder under `dir` that holds sys/devices/system/memory: `dir` itself, or its only such child. */
function dumpRoot(dir: string): string | undefined {
  if (existsSync(join(dir, MEMORY))) return dir;
  const children = readdirSync(dir).filter((c) => existsSync(join(dir, c, MEMORY)));
  return children.length === 1 ? join(dir, children[0]!) : undefined;
}

const LAYOUT = "a dump holds sys/devices/system/memory, in a folder or a tarball with one top folder (the layout of util-linux's tests/ts/lsmem/mk-input.sh)";

export async function openDump(arg: string): Promise<DumpSource> {
  if (!existsSync(arg)) throw new InputError(`${arg}: no such file or directory`);
  const path = resolve(arg);
  if (path === '/') {
    if (!existsSync(`/${MEMORY}`)) throw new InputError(`/${MEMORY} does not exist: this kernel has no memory hotplug sysfs (CONFIG_MEMORY_HOTPLUG), so there is nothing to import`);
    const mounts = memhpMounts();
    const simulated = mounts.includes(`/${MEMORY}`);
    return diskSource('/', '/', simulated ? 'memhp exec' : 'this machine', true, simulated ? mounts : []);
  }
  if (statSync(path).isDirectory()) {
    const root = dumpRoot(path);
    if (!root) throw new InputError(`${arg}: no ${MEMORY} in it or in one folder inside it (${LAYOUT})`);
    return diskSource(root, arg, basename(root), false);
  }
  let entries: Map<string, TarEntry>;
  try {
    entries = await readTar(decompress(readFileSync(path)));
  } catch (err) {
    throw new InputError(`${arg}: not a readable tarball (${(err as Error).message}); ${LAYOUT}`);
  }
  const tops = [...new Set([...entries.keys()].map((p) => p.split('/')[0]!))];
  if (tops.length !== 1) throw new InputError(`${arg}: expected one top folder, found ${tops.length ? tops.map((t) => JSON.stringify(t)).join(', ') : 'none'} (${LAYOUT})`);
  const top = tops[0]!;
  if (![...entries.keys()].some((p) => p.startsWith(`${top}/${MEMORY}/`))) throw new InputError(`${arg}: ${top}/ holds no ${MEMORY} (${LAYOUT})`);
  return tarSource(entries, top, arg);
}
