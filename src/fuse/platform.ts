/**
 * What a mount needs from the machine, checked before anything is created:
 * Linux, /dev/fuse, root (memhp mounts with mount(8), as root can, without
 * fusermount) and the util-linux tools it runs.
 */
import { accessSync, constants as fsConstants, existsSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** What stands between this machine and a FUSE mount, with what to do about it. */
export class FuseUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuseUnavailable';
  }
}

/** Linux, running as root, /dev/fuse present and openable: checked before anything is created. */
export function checkFuseDevice(): void {
  if (process.platform !== 'linux') throw new FuseUnavailable(`FUSE mounts need Linux (this is ${process.platform}); every other memhp command works here`);
  if (process.getuid?.() !== 0) {
    throw new FuseUnavailable('mounting needs root here (memhp mounts without fusermount): run it with sudo');
  }
  if (!existsSync('/dev/fuse')) {
    throw new FuseUnavailable('/dev/fuse is missing: load the fuse module (modprobe fuse) or, in a container, run it with --device /dev/fuse');
  }
  try {
    closeSync(openSync('/dev/fuse', 'r+'));
  } catch (err) {
    throw new FuseUnavailable(`/dev/fuse cannot be opened (${(err as NodeJS.ErrnoException).code}): run memhp as root, or give the container the device`);
  }
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
