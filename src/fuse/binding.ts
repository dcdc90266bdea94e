/**
 * Loading the FUSE binding (fuse-native, N-API prebuilt) on demand: only
 * `memhp mount` and `memhp exec` come here, so every other command works on
 * a machine without FUSE.
 *
 * The prebuilt addon needs libfuse.so.2 and has no RPATH. A fresh machine has
 * no system libfuse, but fuse-native ships one beside its prebuild (soname
 * libfuse.so.2): loading that first with RTLD_GLOBAL lets the dynamic loader
 * satisfy the addon's DT_NEEDED from it, with no apt step and no
 * LD_LIBRARY_PATH. Unmounting uses umount(8) instead of fusermount, which a
 * fresh machine lacks too (root can unmount directly).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, openSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';

/** The parts of fuse-native's class memhp uses. */
export interface FuseHandle {
  mount(cb: (err: Error | null) => void): void;
  unmount(cb: (err: Error | null) => void): void;
}
export type FuseCtor = (new (mnt: string, ops: Record<string, unknown>, opts: Record<string, unknown>) => FuseHandle) & Record<string, unknown>;

/** What stands between this machine and a FUSE mount, with what to do about it. */
export class FuseUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuseUnavailable';
  }
}

const RTLD_NODELETE = 0x1000; // glibc: keep the library loaded although process.dlopen() rejects it as an addon

let loaded: FuseCtor | null = null;

/** /dev/fuse present and openable, running as root, Linux: checked before anything is created. */
export function checkFuseDevice(): void {
  if (process.platform !== 'linux') throw new FuseUnavailable(`FUSE mounts need Linux (this is ${process.platform}); every other memhp command works here`);
  if (!existsSync('/dev/fuse')) {
    throw new FuseUnavailable('/dev/fuse is missing: load the fuse module (modprobe fuse) or, in a container, run it with --device /dev/fuse');
  }
  try {
    closeSync(openSync('/dev/fuse', 'r+'));
  } catch (err) {
    throw new FuseUnavailable(`/dev/fuse cannot be opened (${(err as NodeJS.ErrnoException).code}): run memhp as root, or give the container the device`);
  }
  if (process.getuid?.() !== 0) {
    throw new FuseUnavailable('mounting needs root here (memhp mounts without fusermount): run it with sudo');
  }
}

/** fuse-native, with its bundled libfuse.so.2 made visible first. */
export function loadFuse(): FuseCtor {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('fuse-native/package.json'));
  } catch {
    throw new FuseUnavailable('the FUSE binding (npm package fuse-native) is not installed: run npm install');
  }
  const bundled = join(pkgDir, 'prebuilds', `${process.platform}-${process.arch}`, 'libfuse.so');
  if (existsSync(bundled)) {
    try {
      process.dlopen({ exports: {} } as NodeJS.Module, bundled, osConstants.dlopen.RTLD_NOW | osConstants.dlopen.RTLD_GLOBAL | RTLD_NODELETE);
    } catch {
      // Expected: it is a library, not an addon ("did not self-register"); it stays loaded.
    }
  }
  try {
    loaded = require('fuse-native') as FuseCtor;
  } catch (err) {
    throw new FuseUnavailable(`the FUSE binding did not load (${(err as Error).message.split('\n')[0]}): it needs libfuse.so.2 (Debian: apt-get install libfuse2t64)`);
  }
  // fuse-native unmounts with `fusermount -uz`; root does the same with umount -l, which every Linux has.
  loaded.unmount = (mnt: string, cb: (err: Error | null) => void) => {
    execFile('umount', ['-l', mnt], (err) => cb(err));
  };
  return loaded;
}

/** Whether a program is on PATH (for the namespace tools exec needs). */
export function onPath(program: string): boolean {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    try {
      accessSync(join(dir, program), fsConstants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}
