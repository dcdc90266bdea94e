/**
 * A FUSE server speaking the kernel's protocol on a /dev/fuse descriptor,
 * one request at a time on the calling thread: read a request, answer it,
 * read the next. It runs in a worker thread (fuse-worker.ts), so a request
 * costs one hand-off from the kernel to this thread and one back.
 *
 * What the kernel may keep (docs/sysfs.md, "Caching"):
 *
 *   - names and attributes, for an hour: the server tells it when one
 *     changed (an attribute-only FUSE_NOTIFY_INVAL_INODE, sent before the
 *     write(2) that changed it returns), so lookups are asked once;
 *   - directory listings: OPENDIR answers ENOSYS, so the kernel opens
 *     directories alone and may keep what it read to the end; a listing that
 *     changed gets a new mtime, and with FUSE_AUTO_INVAL_DATA the kernel drops
 *     it on the next opendir;
 *   - never file contents: every open is an OPEN whose content is taken then
 *     (as kernfs fills its seq_file) and every read is a READ (FOPEN_DIRECT_IO).
 *     With the page cache, a write(2) updates the cached page and the file's
 *     size before the store has run, and readers meanwhile read bytes no
 *     kernel ever showed — a reader must see the world before or after a
 *     write, never half of one.
 *
 * Serving one request at a time is also device_hotplug_lock: a write is
 * decided, logged, applied and its changes announced before anything else is
 * answered.
 *
 * Node ids are given per path and kept for the mount's life (a block removed
 * and added again gets its old id back), so FORGET needs no bookkeeping.
 */
import { readSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import type { SysfsEntry } from '../sysfs/tree.ts';
import { CpuFollower } from './pin.ts';
import {
  attrOut,
  DT_DIR,
  DT_LNK,
  DT_REG,
  entryOut,
  FOPEN_DIRECT_IO,
  FUSE_AUTO_INVAL_DATA,
  FUSE_BIG_WRITES,
  FUSE_DO_READDIRPLUS,
  FUSE_KERNEL_MINOR_VERSION,
  FUSE_KERNEL_VERSION,
  FUSE_MIN_READ_BUFFER,
  FUSE_ROOT_ID,
  IN_HEADER_SIZE,
  initOut,
  invalInodeAttrs,
  Opcode,
  openOut,
  packDirents,
  readInHeader,
  readInitIn,
  reply,
  statfsOut,
  WRITE_IN_SIZE,
  writeOut,
  type Attr,
  type DirEntry,
  type InHeader,
} from './abi.ts';

/** The paths the kernel may be caching, as the tree needs them to say what changed. */
export interface KnownPaths {
  has(path: string): boolean;
  /** Known paths outside memoryN/ directories and nodeN/memoryM links (a few hundred). */
  globals(): Iterable<string>;
}

/** What the server serves: the sysfs tree of the current world, and its writes. */
export interface FuseTree {
  /** The entry at a mount-relative path ('' is the root, 'sys/…' below it). */
  lookup(path: string): SysfsEntry | undefined;
  /** A directory's entries, or undefined if it is not a directory. */
  list(path: string): SysfsEntry[] | undefined;
  /** A write(2) of `value` to the file: bytes written or a negative errno. The world may change. */
  write(path: string, value: string): number;
  /**
   * Takes a newer world if there is one and returns the known paths whose
   * content, listing or existence differ from the world before; null if the
   * world is the same.
   */
  refresh(known: KnownPaths): string[] | null;
}

const E = constants.errno;
/** sysfs attributes are at most a page: kernfs refuses longer writes with -E2BIG. */
const SYSFS_WRITE_MAX = 4096;
/** Largest WRITE the kernel may send us: anything above a page is refused anyway, but whole. */
const MAX_WRITE = 128 * 1024;
/**
 * How long the kernel may keep names and attributes (seconds). It is told
 * when they change, so this only bounds what a killed memhp leaves behind:
 * cached names and pages stay readable for this long, while every request
 * (a write, statfs, anything not cached) fails with ENOTCONN at once.
 */
const VALID = 3600;
/** Per-block paths: memoryN/… and nodeN/memoryM links. Everything else is "global". */
const BLOCK_PATH = /^sys\/devices\/system\/(?:memory\/memory\d+(?:\/|$)|node\/node\d+\/memory\d+$)/;
const O_ACCMODE = 3;
const O_RDONLY = 0;
const O_WRONLY = 1;
const EMPTY = Buffer.alloc(0);
/** Listings kept while a directory is read in pieces (memory/ takes ~1,400 READDIRPLUS). */
const LISTINGS_KEPT = 8;

export class FuseServer {
  private paths: string[] = ['', ''];
  private ids = new Map<string, number>([['', FUSE_ROOT_ID]]);
  private globalPaths = new Set<string>(['']);
  private listings = new Map<string, DirEntry[]>();
  /** Bumped on every world change. */
  private generation = 0;
  private files = new Map<number, Buffer>();
  private nextFh = 1;
  private readonly time = Math.floor(Date.now() / 1000);
  private readonly buf = Buffer.allocUnsafe(MAX_WRITE + FUSE_MIN_READ_BUFFER);
  /** The generation each path last changed in: its mtime is that many nanoseconds after the mount's start. */
  private changedAt = new Map<number, number>();
  private readonly cpu = new CpuFollower();
  private readonly known: KnownPaths = {
    has: (path) => this.ids.has(path),
    globals: () => this.globalPaths,
  };

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
      this.cpu.observe(h.pid);
      this.takeChanges();
      const out = this.handle(h, this.buf.subarray(IN_HEADER_SIZE, h.len));
      if (out) this.send(out);
    }
  }

  /** A newer world: new mtimes for what changed, and the kernel told to ask again. */
  private takeChanges(): void {
    const changed = this.tree.refresh(this.known);
    if (!changed) return;
    this.generation++;
    this.listings.clear();
    for (const path of changed) {
      const id = this.ids.get(path);
      if (id === undefined) continue;
      this.changedAt.set(id, this.generation);
      this.send(invalInodeAttrs(id));
    }
  }

  private send(out: Buffer): void {
    try {
      writeSync(this.fd, out);
    } catch (err) {
      // ENOENT: an interrupted request no longer waited for, or an inode the kernel no longer has.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private idOf(path: string): number {
    let id = this.ids.get(path);
    if (id === undefined) {
      id = this.paths.length;
      this.paths.push(path);
      this.ids.set(path, id);
      if (!BLOCK_PATH.test(path)) this.globalPaths.add(path);
    }
    return id;
  }

  private attrOf(path: string, e: SysfsEntry): Attr {
    const ino = this.idOf(path);
    const g = this.changedAt.get(ino) ?? 0;
    const t = { time: this.time + Math.floor(g / 1e9), timeNsec: g % 1e9 };
    if (e.kind === 'dir') return { ino, mode: 0o040755, size: 0, nlink: 2, ...t };
    if (e.kind === 'symlink') return { ino, mode: 0o120777, size: e.target.length, nlink: 1, ...t };
    // sysfs reports every attribute as one page long; reads stop at the real end.
    return { ino, mode: 0o100000 | e.mode, size: 4096, nlink: 1, ...t };
  }

  /** The reply to one request, or null for those the kernel expects none for. */
  private handle(h: InHeader, body: Buffer): Buffer | null {
    const ok = (out?: Buffer) => reply(h.unique, 0, out);
    const fail = (errno: number) => reply(h.unique, -errno);
    switch (h.opcode) {
      case Opcode.INIT: {
        const init = readInitIn(body, 0);
        if (init.major !== FUSE_KERNEL_VERSION) return fail(E.EPROTO);
        const minor = Math.min(init.minor, FUSE_KERNEL_MINOR_VERSION);
        // Not FUSE_ATOMIC_O_TRUNC: O_TRUNC then comes as a SETATTR, answered with the page-long size.
        const wanted = FUSE_BIG_WRITES | FUSE_DO_READDIRPLUS | FUSE_AUTO_INVAL_DATA;
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
    const path = this.paths[h.nodeid];
    if (path === undefined) return fail(E.ENOENT);
    switch (h.opcode) {
      case Opcode.LOOKUP: {
        const name = body.toString('latin1', 0, body.indexOf(0));
        const child = path === '' ? name : `${path}/${name}`;
        const e = this.tree.lookup(child);
        // An error, not a negative entry: the kernel keeps no negative dentry, so a block that appears is seen at once.
        if (!e) return fail(E.ENOENT);
        return ok(entryOut(this.attrOf(child, e), VALID, VALID));
      }
      case Opcode.GETATTR:
      case Opcode.SETATTR: {
        // SETATTR: `echo x > file` may truncate; sysfs accepts and ignores it.
        const e = this.tree.lookup(path);
        if (!e) return fail(E.ENOENT);
        return ok(attrOut(this.attrOf(path, e), VALID));
      }
      case Opcode.READLINK: {
        const e = this.tree.lookup(path);
        if (!e) return fail(E.ENOENT);
        if (e.kind !== 'symlink') return fail(E.EINVAL);
        return ok(Buffer.from(e.target, 'latin1'));
      }
      case Opcode.OPENDIR:
        // Directories are opened by the kernel alone, which may then keep their listings.
        return fail(E.ENOSYS);
      case Opcode.OPEN:
        return this.open(path, body.readUInt32LE(0), ok, fail);
      case Opcode.READ: {
        const content = this.files.get(Number(body.readBigUInt64LE(0)));
        if (!content) return fail(E.EBADF);
        const offset = Number(body.readBigUInt64LE(8));
        const size = body.readUInt32LE(16);
        return ok(content.subarray(Math.min(offset, content.length), Math.min(content.length, offset + size)));
      }
      case Opcode.WRITE: {
        const size = body.readUInt32LE(16);
        if (size > SYSFS_WRITE_MAX) return fail(E.E2BIG);
        if (!path.startsWith('sys/')) return fail(E.EACCES);
        // A sysfs store sees the bytes as a C string; latin1 keeps every byte as one character.
        const value = body.toString('latin1', WRITE_IN_SIZE, WRITE_IN_SIZE + size);
        const ret = this.tree.write(path.slice('sys/'.length), value);
        // The changes are announced before write(2) returns.
        this.takeChanges();
        return ret < 0 ? fail(-ret) : ok(writeOut(size));
      }
      case Opcode.READDIR:
      case Opcode.READDIRPLUS: {
        const listing = this.listing(path);
        if (!listing) return fail(this.tree.lookup(path) ? E.ENOTDIR : E.ENOENT);
        const from = Number(body.readBigUInt64LE(8));
        const size = body.readUInt32LE(16);
        return ok(packDirents(listing, from, size, h.opcode === Opcode.READDIRPLUS, VALID, VALID));
      }
      case Opcode.RELEASE:
        this.files.delete(Number(body.readBigUInt64LE(0)));
        return ok();
      case Opcode.RELEASEDIR:
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
    this.files.set(fh, acc === O_WRONLY ? EMPTY : Buffer.from(e.content, 'latin1'));
    return ok(openOut(fh, FOPEN_DIRECT_IO));
  }

  /**
   * ".", ".." and the directory's entries, each with the attributes
   * READDIRPLUS hands the kernel. Kept for this world while the kernel reads
   * it in pieces: without opendir there is no handle to hang it on.
   */
  private listing(path: string): DirEntry[] | undefined {
    const kept = this.listings.get(path);
    if (kept) return kept;
    const entries = path === '' ? [{ kind: 'dir', path: 'sys' } as SysfsEntry] : this.tree.list(path);
    if (!entries) return undefined;
    const t = { time: this.time, timeNsec: 0 };
    const parentPath = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const out: DirEntry[] = [
      { name: '.', type: DT_DIR, attr: { ino: this.idOf(path), mode: 0o040755, size: 0, nlink: 2, ...t }, dot: true },
      { name: '..', type: DT_DIR, attr: { ino: this.idOf(parentPath), mode: 0o040755, size: 0, nlink: 2, ...t }, dot: true },
    ];
    for (const e of entries) {
      const name = e.path.slice(e.path.lastIndexOf('/') + 1);
      out.push({ name, type: e.kind === 'dir' ? DT_DIR : e.kind === 'symlink' ? DT_LNK : DT_REG, attr: this.attrOf(e.path, e) });
    }
    if (this.listings.size >= LISTINGS_KEPT) this.listings.delete(this.listings.keys().next().value!);
    this.listings.set(path, out);
    return out;
  }
}
