/**
 * A FUSE server speaking the kernel's protocol on a /dev/fuse descriptor,
 * one request at a time on the calling thread: read a request, answer it,
 * read the next. It runs in a worker thread (fuse-worker.ts), so a request
 * costs one hand-off from the kernel to this thread and one back — no
 * library thread waking the JavaScript main thread in between, which made
 * every request several times dearer (docs/sysfs.md, "Speed").
 *
 * Serving one request at a time is also device_hotplug_lock: a write is
 * decided, logged and applied before anything else is answered, so a reader
 * sees the world before or after it, never half of one.
 *
 * Node ids are given per path and kept for the mount's life (a block removed
 * and added again gets its old id back), so FORGET needs no bookkeeping.
 */
import { readSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import type { SysfsEntry } from '../sysfs/tree.ts';
import {
  attrOut,
  DT_DIR,
  DT_LNK,
  DT_REG,
  entryOut,
  FOPEN_DIRECT_IO,
  FUSE_ATOMIC_O_TRUNC,
  FUSE_BIG_WRITES,
  FUSE_DO_READDIRPLUS,
  FUSE_KERNEL_MINOR_VERSION,
  FUSE_KERNEL_VERSION,
  FUSE_MIN_READ_BUFFER,
  FUSE_ROOT_ID,
  IN_HEADER_SIZE,
  Opcode,
  openOut,
  packDirents,
  readInHeader,
  readInitIn,
  initOut,
  reply,
  statfsOut,
  WRITE_IN_SIZE,
  writeOut,
  type Attr,
  type DirEntry,
  type InHeader,
} from './abi.ts';

/** What the server serves: the sysfs tree of the current world, and its writes. */
export interface FuseTree {
  /** The entry at a mount-relative path ('' is the root, 'sys/…' below it). */
  lookup(path: string): SysfsEntry | undefined;
  /** A directory's entries, or undefined if it is not a directory. */
  list(path: string): SysfsEntry[] | undefined;
  /** A write(2) of `value` to the file: bytes written or a negative errno. */
  write(path: string, value: string): number;
  /** Called before each request: the tree may take a newer world here. */
  refresh(): void;
}

const E = constants.errno;
/** sysfs attributes are at most a page: kernfs refuses longer writes with -E2BIG. */
const SYSFS_WRITE_MAX = 4096;
/** Largest WRITE the kernel may send us: anything above a page is refused anyway, but whole. */
const MAX_WRITE = 128 * 1024;
const O_ACCMODE = 3;
const O_RDONLY = 0;
const O_WRONLY = 1;
/**
 * How long the kernel may keep a name and its attributes (seconds). Modes and
 * sizes never change for a path; a block removed by another writer (the
 * inspector) may still stat for this long, but opening its files is -ENOENT
 * at once, reads are never cached (direct_io) and listings are always asked.
 */
const ENTRY_VALID = 1;
const ATTR_VALID = 1;

interface OpenFile {
  path: string;
  /** A file's content is taken when it is opened, as kernfs fills its seq_file on open. */
  content: Buffer;
}

export class FuseServer {
  private paths: string[] = ['', ''];
  private ids = new Map<string, number>([['', FUSE_ROOT_ID]]);
  private files = new Map<number, OpenFile>();
  private dirs = new Map<number, DirEntry[]>();
  private nextFh = 1;
  private readonly time = Math.floor(Date.now() / 1000);
  private readonly buf = Buffer.allocUnsafe(MAX_WRITE + FUSE_MIN_READ_BUFFER);

  constructor(
    private readonly fd: number,
    private readonly tree: FuseTree,
  ) {}

  /** Serves until the kernel ends the connection (unmount or abort). */
  serve(): void {
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENODEV') return; // unmounted: the connection is gone
        if (code === 'EINTR' || code === 'EAGAIN' || code === 'ENOENT') continue; // ENOENT: the request was interrupted before we read it
        throw err;
      }
      if (n < IN_HEADER_SIZE) continue;
      const h = readInHeader(this.buf);
      this.tree.refresh();
      const out = this.handle(h, this.buf.subarray(IN_HEADER_SIZE, h.len));
      if (out) this.send(out);
    }
  }

  private send(out: Buffer): void {
    try {
      writeSync(this.fd, out);
    } catch (err) {
      // ENOENT: the request was interrupted and the kernel no longer waits for it.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private idOf(path: string): number {
    let id = this.ids.get(path);
    if (id === undefined) {
      id = this.paths.length;
      this.paths.push(path);
      this.ids.set(path, id);
    }
    return id;
  }

  private attrOf(path: string, e: SysfsEntry): Attr {
    const ino = this.idOf(path);
    if (e.kind === 'dir') return { ino, mode: 0o040755, size: 0, nlink: 2, time: this.time };
    if (e.kind === 'symlink') return { ino, mode: 0o120777, size: e.target.length, nlink: 1, time: this.time };
    // sysfs reports every attribute as one page long; reads stop at the real end.
    return { ino, mode: 0o100000 | e.mode, size: 4096, nlink: 1, time: this.time };
  }

  /** The reply to one request, or null for those the kernel expects none for. */
  private handle(h: InHeader, body: Buffer): Buffer | null {
    const ok = (out?: Buffer) => reply(h.unique, 0, out);
    const fail = (errno: number) => reply(h.unique, -errno);
    const path = this.paths[h.nodeid];
    switch (h.opcode) {
      case Opcode.INIT: {
        const init = readInitIn(body, 0);
        if (init.major !== FUSE_KERNEL_VERSION) return fail(E.EPROTO);
        const minor = Math.min(init.minor, FUSE_KERNEL_MINOR_VERSION);
        const wanted = FUSE_ATOMIC_O_TRUNC | FUSE_BIG_WRITES | FUSE_DO_READDIRPLUS;
        return ok(initOut(minor, init.maxReadahead, init.flags & wanted, MAX_WRITE));
      }
      case Opcode.FORGET:
      case Opcode.BATCH_FORGET:
      case Opcode.INTERRUPT: // every request is answered before the next is read
        return null;
      case Opcode.DESTROY:
        return ok();
      case Opcode.STATFS:
        return ok(statfsOut());
    }
    if (path === undefined) return fail(E.ENOENT);
    switch (h.opcode) {
      case Opcode.LOOKUP: {
        const name = body.toString('latin1', 0, body.indexOf(0));
        const child = path === '' ? name : `${path}/${name}`;
        const e = this.tree.lookup(child);
        if (!e) return fail(E.ENOENT);
        return ok(entryOut(this.attrOf(child, e), ENTRY_VALID, ATTR_VALID));
      }
      case Opcode.GETATTR:
      case Opcode.SETATTR: {
        // SETATTR: `echo x > file` may truncate; sysfs accepts and ignores it.
        const e = this.tree.lookup(path);
        if (!e) return fail(E.ENOENT);
        return ok(attrOut(this.attrOf(path, e), ATTR_VALID));
      }
      case Opcode.READLINK: {
        const e = this.tree.lookup(path);
        if (!e) return fail(E.ENOENT);
        if (e.kind !== 'symlink') return fail(E.EINVAL);
        return ok(Buffer.from(e.target, 'latin1'));
      }
      case Opcode.OPEN:
        return this.open(path, body.readUInt32LE(0), ok, fail);
      case Opcode.READ: {
        const fh = Number(body.readBigUInt64LE(0));
        const offset = Number(body.readBigUInt64LE(8));
        const size = body.readUInt32LE(16);
        const f = this.files.get(fh);
        if (!f) return fail(E.EBADF);
        return ok(f.content.subarray(Math.min(offset, f.content.length), Math.min(f.content.length, offset + size)));
      }
      case Opcode.WRITE: {
        const size = body.readUInt32LE(16);
        if (size > SYSFS_WRITE_MAX) return fail(E.E2BIG);
        if (!path.startsWith('sys/')) return fail(E.EACCES);
        // A sysfs store sees the bytes as a C string; latin1 keeps every byte as one character.
        const value = body.toString('latin1', WRITE_IN_SIZE, WRITE_IN_SIZE + size);
        const ret = this.tree.write(path.slice('sys/'.length), value);
        return ret < 0 ? fail(-ret) : ok(writeOut(size));
      }
      case Opcode.RELEASE:
        this.files.delete(Number(body.readBigUInt64LE(0)));
        return ok();
      case Opcode.OPENDIR: {
        const listing = this.listing(path);
        if (!listing) return fail(this.tree.lookup(path) ? E.ENOTDIR : E.ENOENT);
        const fh = this.nextFh++;
        this.dirs.set(fh, listing);
        return ok(openOut(fh, 0));
      }
      case Opcode.READDIR:
      case Opcode.READDIRPLUS: {
        const listing = this.dirs.get(Number(body.readBigUInt64LE(0)));
        if (!listing) return fail(E.EBADF);
        const from = Number(body.readBigUInt64LE(8));
        const size = body.readUInt32LE(16);
        return ok(packDirents(listing, from, size, h.opcode === Opcode.READDIRPLUS, ENTRY_VALID, ATTR_VALID));
      }
      case Opcode.RELEASEDIR:
        this.dirs.delete(Number(body.readBigUInt64LE(0)));
        return ok();
      case Opcode.FLUSH: // nothing to flush: ENOSYS tells the kernel to stop asking
      case Opcode.FSYNC:
      case Opcode.FSYNCDIR:
      case Opcode.GETXATTR: // sysfs files carry no extended attributes here
      case Opcode.LISTXATTR:
      case Opcode.SETXATTR:
      case Opcode.REMOVEXATTR:
      case Opcode.ACCESS: // default_permissions: the kernel checks modes itself
        return fail(E.ENOSYS);
      case Opcode.MKDIR:
      case Opcode.MKNOD:
      case Opcode.CREATE:
      case Opcode.SYMLINK:
      case Opcode.LINK:
      case Opcode.UNLINK:
      case Opcode.RMDIR:
      case Opcode.RENAME:
      case Opcode.RENAME2:
        return fail(E.EACCES); // sysfs has no such thing for userspace
      default:
        // Newer requests (STATX, …): ENOSYS makes the kernel fall back to the ones above.
        return fail(E.ENOSYS);
    }
  }

  private open(path: string, flags: number, ok: (b?: Buffer) => Buffer, fail: (e: number) => Buffer): Buffer {
    const e = this.tree.lookup(path);
    if (!e) return fail(E.ENOENT);
    if (e.kind === 'dir') return fail(E.EISDIR);
    if (e.kind !== 'file') return fail(E.ENOENT);
    const acc = flags & O_ACCMODE;
    // kernfs_fop_open(): a read needs a show, a write a store — that is, the mode's bits.
    if (acc !== O_WRONLY && (e.mode & 0o444) === 0) return fail(E.EACCES);
    if (acc !== O_RDONLY && (e.mode & 0o222) === 0) return fail(E.EACCES);
    const fh = this.nextFh++;
    this.files.set(fh, { path, content: acc === O_WRONLY ? Buffer.alloc(0) : Buffer.from(e.content, 'latin1') });
    // Never cached: every read reaches the renderer, as every read of sysfs reaches show().
    return ok(openOut(fh, FOPEN_DIRECT_IO));
  }

  /** ".", ".." and the directory's entries, each with the attributes READDIRPLUS hands the kernel. */
  private listing(path: string): DirEntry[] | undefined {
    const entries = path === '' ? [{ kind: 'dir', path: 'sys' } as SysfsEntry] : this.tree.list(path);
    if (!entries) return undefined;
    const self: Attr = { ino: this.idOf(path), mode: 0o040755, size: 0, nlink: 2, time: this.time };
    const parentPath = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const parent: Attr = { ...self, ino: this.idOf(parentPath) };
    const out: DirEntry[] = [
      { name: '.', type: DT_DIR, attr: self, dot: true },
      { name: '..', type: DT_DIR, attr: parent, dot: true },
    ];
    for (const e of entries) {
      const name = e.path.slice(e.path.lastIndexOf('/') + 1);
      out.push({ name, type: e.kind === 'dir' ? DT_DIR : e.kind === 'symlink' ? DT_LNK : DT_REG, attr: this.attrOf(e.path, e) });
    }
    return out;
  }
}
