/**
 * The kernel's FUSE wire format (include/uapi/linux/fuse.h), the part a
 * read-mostly filesystem needs: request headers in, replies and
 * notifications out. Little-endian, as the kernel writes them on every
 * architecture memhp runs on. Names follow the header so that a reader can
 * look each one up there.
 *
 * We speak protocol 7.31 (Linux 5.4): the kernel adapts to the minor the
 * server answers INIT with, and everything used here exists in it.
 */

export const FUSE_KERNEL_VERSION = 7;
export const FUSE_KERNEL_MINOR_VERSION = 31;
export const FUSE_ROOT_ID = 1;

export const enum Opcode {
  LOOKUP = 1,
  FORGET = 2,
  GETATTR = 3,
  SETATTR = 4,
  READLINK = 5,
  SYMLINK = 6,
  MKNOD = 8,
  MKDIR = 9,
  UNLINK = 10,
  RMDIR = 11,
  RENAME = 12,
  LINK = 13,
  OPEN = 14,
  READ = 15,
  WRITE = 16,
  STATFS = 17,
  RELEASE = 18,
  FSYNC = 20,
  SETXATTR = 21,
  GETXATTR = 22,
  LISTXATTR = 23,
  REMOVEXATTR = 24,
  FLUSH = 25,
  INIT = 26,
  OPENDIR = 27,
  READDIR = 28,
  RELEASEDIR = 29,
  FSYNCDIR = 30,
  ACCESS = 34,
  CREATE = 35,
  INTERRUPT = 36,
  DESTROY = 38,
  BATCH_FORGET = 42,
  READDIRPLUS = 44,
  RENAME2 = 45,
}

/** fuse_init_in/out flags. */
export const FUSE_BIG_WRITES = 1 << 5;
export const FUSE_AUTO_INVAL_DATA = 1 << 12;
export const FUSE_DO_READDIRPLUS = 1 << 13;

/** fuse_open_out.open_flags: reads and writes bypass the page cache. */
export const FOPEN_DIRECT_IO = 1 << 0;

export function openOut(fh: number, openFlags: number): Buffer {
  const buf = Buffer.alloc(16);
  writeU64(buf, fh, 0);
  buf.writeUInt32LE(openFlags, 8);
  return buf;
}

/** fuse_notify_code: drop an inode's cached attributes (and pages). */
export const FUSE_NOTIFY_INVAL_INODE = 2;

/** Request header: fuse_in_header. */
export const IN_HEADER_SIZE = 40;
/** Reply header: fuse_out_header. */
export const OUT_HEADER_SIZE = 16;
/** fuse_attr (7.9+: with blksize and flags). */
const ATTR_SIZE = 88;
/** fuse_entry_out: nodeid, generation, timeouts, then fuse_attr. */
export const ENTRY_OUT_SIZE = 40 + ATTR_SIZE;
/** fuse_attr_out: timeout, then fuse_attr. */
export const ATTR_OUT_SIZE = 16 + ATTR_SIZE;
/** fuse_dirent without its name. */
const DIRENT_SIZE = 24;
/** fuse_write_in (7.9+); the data follows it. */
export const WRITE_IN_SIZE = 40;
/** The kernel refuses to read requests into a buffer smaller than this (FUSE_MIN_READ_BUFFER). */
export const FUSE_MIN_READ_BUFFER = 8192;

export interface InHeader {
  len: number;
  opcode: number;
  unique: bigint;
  nodeid: number;
  uid: number;
  gid: number;
  pid: number;
}

export function readInHeader(buf: Buffer, at = 0): InHeader {
  return {
    len: buf.readUInt32LE(at),
    opcode: buf.readUInt32LE(at + 4),
    unique: buf.readBigUInt64LE(at + 8),
    // Node ids are ours and small (an index into the inode table).
    nodeid: Number(buf.readBigUInt64LE(at + 16)),
    uid: buf.readUInt32LE(at + 24),
    gid: buf.readUInt32LE(at + 28),
    pid: buf.readUInt32LE(at + 32),
  };
}

/** What a lookup, getattr or readdirplus says about an inode. */
export interface Attr {
  ino: number;
  /** st_mode with the file type bits. */
  mode: number;
  size: number;
  nlink: number;
  /** Seconds since the epoch, for atime, mtime and ctime alike. */
  time: number;
  /** Nanoseconds of those times. */
  timeNsec: number;
}

/** A u64 from a safe integer, without BigInt (this runs for every entry of every listing). */
function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32LE(value % 0x1_0000_0000, at);
  buf.writeUInt32LE(Math.floor(value / 0x1_0000_0000), at + 4);
}

function writeAttr(buf: Buffer, at: number, a: Attr): void {
  writeU64(buf, a.ino, at);
  writeU64(buf, a.size, at + 8);
  writeU64(buf, Math.ceil(a.size / 512), at + 16);
  writeU64(buf, a.time, at + 24);
  writeU64(buf, a.time, at + 32);
  writeU64(buf, a.time, at + 40);
  buf.writeUInt32LE(a.timeNsec, at + 48);
  buf.writeUInt32LE(a.timeNsec, at + 52);
  buf.writeUInt32LE(a.timeNsec, at + 56);
  buf.writeUInt32LE(a.mode, at + 60);
  buf.writeUInt32LE(a.nlink, at + 64);
  buf.fill(0, at + 68, at + 80); // uid, gid (root), rdev
  buf.writeUInt32LE(4096, at + 80); // blksize
  buf.writeUInt32LE(0, at + 84); // flags
}

/** Timeouts in whole seconds; the kernel also takes nanoseconds, left at 0. */
function writeEntryOut(buf: Buffer, at: number, a: Attr, entryValid: number, attrValid: number): void {
  writeU64(buf, a.ino, at); // nodeid: our inode number is the node id
  writeU64(buf, 0, at + 8); // generation: a path keeps its node id for the mount's life
  writeU64(buf, entryValid, at + 16);
  writeU64(buf, attrValid, at + 24);
  buf.writeUInt32LE(0, at + 32);
  buf.writeUInt32LE(0, at + 36);
  writeAttr(buf, at + 40, a);
}

export function entryOut(a: Attr, entryValid: number, attrValid: number): Buffer {
  const buf = Buffer.allocUnsafe(ENTRY_OUT_SIZE);
  writeEntryOut(buf, 0, a, entryValid, attrValid);
  return buf;
}

export function attrOut(a: Attr, attrValid: number): Buffer {
  const buf = Buffer.allocUnsafe(ATTR_OUT_SIZE);
  writeU64(buf, attrValid, 0);
  buf.writeUInt32LE(0, 8);
  buf.writeUInt32LE(0, 12);
  writeAttr(buf, 16, a);
  return buf;
}

export function writeOut(size: number): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeUInt32LE(size, 0);
  return buf;
}

/** fuse_statfs_out: an empty, read-only-looking filesystem, like sysfs's statfs. */
export function statfsOut(): Buffer {
  const buf = Buffer.alloc(80);
  buf.writeUInt32LE(4096, 40); // bsize
  buf.writeUInt32LE(255, 44); // namelen
  buf.writeUInt32LE(4096, 48); // frsize
  return buf;
}

export interface InitIn {
  major: number;
  minor: number;
  maxReadahead: number;
  flags: number;
}

export function readInitIn(buf: Buffer, at: number): InitIn {
  return { major: buf.readUInt32LE(at), minor: buf.readUInt32LE(at + 4), maxReadahead: buf.readUInt32LE(at + 8), flags: buf.readUInt32LE(at + 12) };
}

/** fuse_init_out as of 7.23+ (64 bytes, the tail unused). */
export function initOut(minor: number, maxReadahead: number, flags: number, maxWrite: number): Buffer {
  const buf = Buffer.alloc(64);
  buf.writeUInt32LE(FUSE_KERNEL_VERSION, 0);
  buf.writeUInt32LE(minor, 4);
  buf.writeUInt32LE(maxReadahead, 8);
  buf.writeUInt32LE(flags, 12);
  buf.writeUInt16LE(16, 16); // max_background
  buf.writeUInt16LE(12, 18); // congestion_threshold
  buf.writeUInt32LE(maxWrite, 20);
  buf.writeUInt32LE(1, 24); // time_gran: 1 ns
  return buf;
}

/** d_type values (DT_*) for directory entries. */
export const DT_DIR = 4;
export const DT_REG = 8;
export const DT_LNK = 10;

export interface DirEntry {
  name: string;
  type: number;
  attr: Attr;
  /** "." and "..": listed, but no entry for the kernel to cache (node id 0 in READDIRPLUS). */
  dot?: boolean;
}

const align8 = (n: number) => (n + 7) & ~7;

/**
 * Packs entries from index `from` into at most `size` bytes: fuse_dirent
 * records (READDIR) or fuse_direntplus ones (READDIRPLUS, each with the
 * entry's fuse_entry_out so the kernel need not look it up). `off` of each
 * record is the index of the next entry, which the kernel hands back as the
 * next request's offset.
 */
export function packDirents(entries: readonly DirEntry[], from: number, size: number, plus: boolean, entryValid: number, attrValid: number): Buffer {
  const head = plus ? ENTRY_OUT_SIZE : 0;
  let used = 0;
  let to = from;
  for (; to < entries.length; to++) {
    const rec = head + align8(DIRENT_SIZE + entries[to]!.name.length);
    if (used + rec > size) break;
    used += rec;
  }
  const buf = Buffer.alloc(used);
  let at = 0;
  for (let i = from; i < to; i++) {
    const e = entries[i]!;
    if (plus && !e.dot) writeEntryOut(buf, at, e.attr, entryValid, attrValid);
    writeU64(buf, e.attr.ino, at + head);
    writeU64(buf, i + 1, at + head + 8);
    buf.writeUInt32LE(e.name.length, at + head + 16);
    buf.writeUInt32LE(e.type, at + head + 20);
    buf.write(e.name, at + head + DIRENT_SIZE, 'latin1');
    at += head + align8(DIRENT_SIZE + e.name.length);
  }
  return buf;
}

/** A reply: fuse_out_header (error as a negative errno, 0 on success) and the body. */
export function reply(unique: bigint, error: number, body?: Buffer): Buffer {
  const len = OUT_HEADER_SIZE + (body ? body.length : 0);
  const buf = Buffer.allocUnsafe(len);
  buf.writeUInt32LE(len, 0);
  buf.writeInt32LE(error, 4);
  buf.writeBigUInt64LE(unique, 8);
  if (body) body.copy(buf, OUT_HEADER_SIZE);
  return buf;
}

/**
 * FUSE_NOTIFY_INVAL_INODE for the attributes only (offset -1): the kernel
 * forgets them and asks again on the next use. It touches no page and takes
 * no lock a pending request could hold, so the serving thread may send it.
 */
export function invalInodeAttrs(nodeid: number): Buffer {
  const buf = Buffer.alloc(OUT_HEADER_SIZE + 24);
  buf.writeUInt32LE(buf.length, 0);
  buf.writeInt32LE(FUSE_NOTIFY_INVAL_INODE, 4);
  buf.writeBigUInt64LE(0n, 8);
  buf.writeBigUInt64LE(BigInt(nodeid), 16);
  buf.writeBigInt64LE(-1n, 24);
  buf.writeBigInt64LE(0n, 32);
  return buf;
}
