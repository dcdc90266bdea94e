/**
 * The simulated sysfs as FUSE operations: every lookup, listing and read is
 * answered by the sysfs renderer (src/sysfs/tree.ts — the same code that
 * `sysfs export` writes to disk), every write(2) becomes a `write` operation
 * on the live system and returns the kernel's errno.
 *
 * Serialised like device_hotplug_lock: FUSE callbacks all run on this one
 * JavaScript thread and each write is decided, logged (fsync) and applied
 * before its callback returns, so a reader sees the world before or after a
 * write, never half of one. A file's content is taken when it is opened
 * (as kernfs fills its seq_file), so one open file never mixes two worlds.
 */
import type { WorldView } from '../engine/view.ts';
import { sysfsDir, sysfsIndex, sysfsLookup, type SysfsEntry, type SysfsIndex, type SysfsOptions } from '../sysfs/tree.ts';
import type { FuseCtor, FuseHandle } from './binding.ts';

/** The live system behind the mount. */
export interface LiveSysfs {
  /** The current world. The same object until the world changes. */
  view(): WorldView;
  /** A write(2) to /sys/<path>, decided and made durable before it returns. */
  write(path: string, value: string): { ret: number };
}

export interface MountOptions extends SysfsOptions {
  /** Called after every write with its result (for progress lines, tests). */
  onWrite?: (path: string, value: string, ret: number) => void;
}

/** sysfs attributes are at most a page: kernfs refuses longer writes with -E2BIG. */
const SYSFS_WRITE_MAX = 4096;
const O_ACCMODE = 3;
const O_RDONLY = 0;
const O_WRONLY = 1;

interface OpenFile {
  path: string;
  content: Buffer;
}

type Cb = (...args: unknown[]) => void;

export class SysfsFuse {
  private ix: SysfsIndex | null = null;
  private files = new Map<number, OpenFile>();
  private nextFh = 1;
  private readonly stamp = new Date();
  private fuse: FuseHandle | null = null;

  constructor(
    private readonly Fuse: FuseCtor,
    private readonly live: LiveSysfs,
    private readonly opts: MountOptions = {},
  ) {}

  private index(): SysfsIndex {
    const view = this.live.view();
    if (this.ix?.view !== view) this.ix = sysfsIndex(view, this.opts);
    return this.ix;
  }

  /** "/sys/devices/system/memory" → "sys/devices/system/memory"; the mount's root holds sys/, like a --sysroot. */
  private static treePath(fusePath: string): string {
    return fusePath.replace(/^\/+/, '');
  }

  private lookup(fusePath: string): SysfsEntry | undefined {
    const p = SysfsFuse.treePath(fusePath);
    if (p === '') return { kind: 'dir', path: '' };
    return sysfsLookup(this.index(), p);
  }

  private listing(fusePath: string): SysfsEntry[] | undefined {
    const p = SysfsFuse.treePath(fusePath);
    if (p === '') return [{ kind: 'dir', path: 'sys' }];
    return sysfsDir(this.index(), p);
  }

  private errno(name: string): number {
    return this.Fuse[name] as number;
  }

  private stat(e: SysfsEntry): Record<string, unknown> {
    const base = { mtime: this.stamp, atime: this.stamp, ctime: this.stamp, uid: 0, gid: 0 };
    if (e.kind === 'dir') return { ...base, mode: 0o040755, size: 0, nlink: 2 };
    if (e.kind === 'symlink') return { ...base, mode: 0o120777, size: e.target.length, nlink: 1 };
    // sysfs reports every attribute as one page long; reads stop at the real end.
    return { ...base, mode: 0o100000 | e.mode, size: 4096, nlink: 1 };
  }

  ops(): Record<string, unknown> {
    return {
      getattr: (path: string, cb: Cb) => {
        const e = this.lookup(path);
        if (!e) return cb(this.errno('ENOENT'));
        cb(0, this.stat(e));
      },
      fgetattr: (path: string, _fd: number, cb: Cb) => {
        const e = this.lookup(path);
        if (!e) return cb(this.errno('ENOENT'));
        cb(0, this.stat(e));
      },
      readdir: (path: string, cb: Cb) => {
        const entries = this.listing(path);
        if (!entries) return cb(this.lookup(path) ? this.errno('ENOTDIR') : this.errno('ENOENT'));
        cb(0, ['.', '..', ...entries.map((e) => e.path.slice(e.path.lastIndexOf('/') + 1))]);
      },
      readlink: (path: string, cb: Cb) => {
        const e = this.lookup(path);
        if (!e) return cb(this.errno('ENOENT'));
        if (e.kind !== 'symlink') return cb(this.errno('EINVAL'));
        cb(0, e.target);
      },
      open: (path: string, flags: number, cb: Cb) => {
        const e = this.lookup(path);
        if (!e) return cb(this.errno('ENOENT'));
        if (e.kind === 'dir') return cb(this.errno('EISDIR'));
        if (e.kind !== 'file') return cb(this.errno('ENOENT'));
        const acc = flags & O_ACCMODE;
        // kernfs_fop_open(): a read needs a show, a write a store — that is, the mode's bits.
        if (acc !== O_WRONLY && (e.mode & 0o444) === 0) return cb(this.errno('EACCES'));
        if (acc !== O_RDONLY && (e.mode & 0o222) === 0) return cb(this.errno('EACCES'));
        const fh = this.nextFh++;
        this.files.set(fh, { path, content: acc === O_WRONLY ? Buffer.alloc(0) : Buffer.from(e.content, 'latin1') });
        cb(0, fh);
      },
      release: (_path: string, fh: number, cb: Cb) => {
        this.files.delete(fh);
        cb(0);
      },
      read: (path: string, fh: number, buf: Buffer, len: number, pos: number, cb: Cb) => {
        const f = this.files.get(fh);
        const content = f ? f.content : Buffer.from((this.lookup(path) as { content?: string } | undefined)?.content ?? '', 'latin1');
        if (pos >= content.length) return cb(0);
        const n = content.copy(buf, 0, pos, Math.min(content.length, pos + len));
        cb(n);
      },
      write: (path: string, _fh: number, buf: Buffer, len: number, _pos: number, cb: Cb) => {
        if (len > SYSFS_WRITE_MAX) return cb(this.errno('E2BIG'));
        // A sysfs store sees the bytes as a C string; latin1 keeps every byte as one character.
        const value = buf.subarray(0, len).toString('latin1');
        const tp = SysfsFuse.treePath(path);
        if (!tp.startsWith('sys/')) return cb(this.errno('EACCES'));
        const rel = tp.slice('sys/'.length);
        let ret: number;
        try {
          ret = this.live.write(rel, value).ret;
        } catch (err) {
          process.stderr.write(`memhp: write to /sys/${rel} failed inside memhp: ${(err as Error).message}\n`);
          return cb(this.errno('EIO'));
        }
        this.opts.onWrite?.(rel, value, ret);
        cb(ret < 0 ? ret : len);
      },
      // `echo x > file` opens with O_TRUNC; sysfs accepts and ignores it.
      truncate: (_path: string, _size: number, cb: Cb) => cb(0),
      ftruncate: (_path: string, _fd: number, _size: number, cb: Cb) => cb(0),
      create: (_path: string, _mode: number, cb: Cb) => cb(this.errno('EACCES')),
      mkdir: (_path: string, _mode: number, cb: Cb) => cb(this.errno('EACCES')),
      unlink: (_path: string, cb: Cb) => cb(this.errno('EACCES')),
      rmdir: (_path: string, cb: Cb) => cb(this.errno('EACCES')),
    };
  }

  /** Mounts at `mountpoint` (an existing empty directory). */
  mount(mountpoint: string): Promise<void> {
    // Contents are never cached (direct_io: every read reaches the renderer) and a
    // name that is not there is asked for again at once (negative_timeout=0), so a
    // block that appears is seen immediately. Attributes are constant per path (mode,
    // a page of size, one timestamp), so the kernel may keep them and the names it
    // found for a second (the default): a block removed by the inspector may still
    // stat for that second, but opening its files is -ENOENT at once, and listings
    // are always exact. This halves lsmem's time over the mount.
    // fuse-native passes only some options; the rest ride in fsname's list.
    const fuse = new this.Fuse(mountpoint, this.ops(), {
      fsname: 'memhp,direct_io,entry_timeout=1,negative_timeout=0,attr_timeout=1',
      timeout: false,
      allowOther: true,
      defaultPermissions: true,
    });
    this.fuse = fuse;
    return new Promise((resolve, reject) => fuse.mount((err) => (err ? reject(err) : resolve())));
  }

  unmount(): Promise<void> {
    const fuse = this.fuse;
    this.fuse = null;
    if (!fuse) return Promise.resolve();
    return new Promise((resolve, reject) => fuse.unmount((err) => (err ? reject(err) : resolve())));
  }
}
