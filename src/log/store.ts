/**
 * The log file on disk: create, open for append (verify, recover, lock),
 * read-only open, and whole-file write.
 *
 * Durability: append() writes its whole batch at the end of the committed
 * bytes with positional writes, then fsyncs, and only then returns; a new
 * file is written under a temporary name, fsynced, and linked into place
 * (so a log file either does not exist or has a whole header), and its
 * directory is fsynced so the name survives a power cut too.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MemhpEvent, UnsequencedEvent } from '../engine/events.ts';
import { readInputFile } from '../input/read-file.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { encodeHeaderLine, encodeRecordLine } from './codec.ts';
import { LineError } from './errors.ts';
import { deepFreeze } from './freeze.ts';
import { acquireLock, type LogLock } from './lock.ts';
import { scanLog, type FrameResult, type ScanOptions } from './recovery.ts';
import { forEachEventInFile } from './indexed.ts';
import { checkEventShape, LOG_FORMAT, LOG_VERSION, type LogHeader } from './schema.ts';

export interface LogWriter {
  readonly path: string;
  readonly header: LogHeader;
  /**
   * Every committed event, seq 1..lastSeq, deep-frozen. Not held by the
   * writer: read back from the file when asked (and kept while the caller
   * keeps the array), so a writer of millions of events stays small.
   */
  readonly events: readonly MemhpEvent[];
  readonly lastSeq: number;
  /** Recovery warnings from opening (a dropped torn tail). */
  readonly warnings: readonly string[];
  /** Numbers, writes and fsyncs one batch; returns it sequenced and deep-frozen. */
  append(events: readonly UnsequencedEvent[]): readonly MemhpEvent[];
  /** Closes the file and releases the lock. */
  close(): void;
}

export interface ReadResult {
  header: LogHeader;
  /** Format version written in the file; the header and events are already upcast to LOG_VERSION. */
  fileVersion: number;
  events: MemhpEvent[];
  warnings: string[];
}

export interface CreateOptions {
  /** Header metadata; defaults to now. null leaves it out (reproducible files). */
  createdAt?: string | null;
}

function makeHeader(system: SystemSpec, opts: CreateOptions): LogHeader {
  const createdAt = opts.createdAt === undefined ? new Date().toISOString() : opts.createdAt;
  return createdAt === null ? { format: LOG_FORMAT, version: LOG_VERSION, system } : { format: LOG_FORMAT, version: LOG_VERSION, system, createdAt };
}

function fsyncDir(file: string): void {
  const fd = fs.openSync(path.dirname(path.resolve(file)), 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(fd: number, buf: Buffer, position: number): void {
  for (let off = 0; off < buf.length; ) off += fs.writeSync(fd, buf, off, buf.length - off, position + off);
}

/** Numbers events from `firstSeq`, checks their shape and returns them as a reader will see them. */
function sequence(events: readonly UnsequencedEvent[], firstSeq: number): MemhpEvent[] {
  return events.map((ev, i) => {
    const r = ev as unknown as Record<string, unknown>;
    try {
      checkEventShape(r);
    } catch (e) {
      if (e instanceof LineError) throw new Error(`cannot append event ${i} of the batch: ${e.message}`);
      throw e;
    }
    // Through JSON so the caller keeps no reference into the log and gets
    // exactly what a later reader decodes (e.g. undefined fields vanish).
    return JSON.parse(JSON.stringify({ ...r, seq: firstSeq + i })) as MemhpEvent;
  });
}

function encodeBatch(events: readonly MemhpEvent[]): Buffer {
  // one Buffer per ~4 MiB of text: a single string of a million lines is slow to flatten
  const parts: Buffer[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (let i = 0; i < events.length; i++) {
    const line = encodeRecordLine(events[i]!, i === events.length - 1);
    chunk.push(line);
    size += line.length;
    if (size > 4 << 20) {
      parts.push(Buffer.from(chunk.join(''), 'utf8'));
      chunk = [];
      size = 0;
    }
  }
  parts.push(Buffer.from(chunk.join(''), 'utf8'));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Numbers and checks events for a whole-file write: nothing is returned, so no JSON round trip. */
function sequenceForWrite(events: readonly UnsequencedEvent[]): MemhpEvent[] {
  return events.map((ev, i) => {
    const r = ev as unknown as Record<string, unknown>;
    try {
      checkEventShape(r);
    } catch (e) {
      if (e instanceof LineError) throw new Error(`cannot write event ${i}: ${e.message}`);
      throw e;
    }
    return (r.seq === i + 1 ? r : { ...r, seq: i + 1 }) as unknown as MemhpEvent;
  });
}

/** Writes `content` as a new file at `file` atomically; `replace` chooses rename (overwrite) or link (must not exist). */
function publish(file: string, content: Buffer, replace: boolean): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    writeAll(fd, content, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    if (replace) fs.renameSync(tmp, file);
    else fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`cannot create memhp log ${file}: it already exists`);
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  fsyncDir(file);
}

function noLog(file: string, e: unknown): never {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`memhp log ${file} does not exist`);
  throw e;
}

function openExisting(file: string, flags: string): number {
  try {
    return fs.openSync(file, flags);
  } catch (e) {
    return noLog(file, e);
  }
}

function readExisting(file: string): Buffer {
  try {
    // a pipe or FIFO is read as a stream (src/input/read-file.ts)
    return readInputFile(file);
  } catch (e) {
    return noLog(file, e);
  }
}

class FileLogWriter implements LogWriter {
  private fd: number | null;
  private size: number;
  private _lastSeq: number;
  /**
   * The events are not held: a writer of millions of events (a 64 TiB
   * machine) would keep them twice with the system's. `events` reads the
   * committed bytes back (the log is the truth), and keeps that array only
   * as long as its caller does.
   */
  private cache: WeakRef<MemhpEvent[]> | null = null;

  constructor(
    readonly path: string,
    fd: number,
    private readonly lock: LogLock,
    readonly header: LogHeader,
    events: MemhpEvent[],
    size: number,
    readonly warnings: readonly string[],
  ) {
    this.fd = fd;
    this._lastSeq = events.length;
    if (events.length > 0) this.cache = new WeakRef(events);
    this.size = size;
  }

  get lastSeq(): number {
    return this._lastSeq;
  }

  get events(): readonly MemhpEvent[] {
    const cached = this.cache?.deref();
    if (cached !== undefined && cached.length === this._lastSeq) return cached;
    if (this._lastSeq === 0) return [];
    const bytes = Buffer.alloc(this.size);
    const fd = this.fd ?? openExisting(this.path, 'r');
    try {
      for (let off = 0; off < this.size; ) {
        const n = fs.readSync(fd, bytes, off, this.size - off, off);
        if (n === 0) throw new Error(`memhp log ${this.path}: shorter than the ${this.size} bytes this writer committed`);
        off += n;
      }
    } finally {
      if (this.fd === null) fs.closeSync(fd);
    }
    const events = scanLog(bytes, this.path, { ownsBytes: true }).events;
    if (events.length !== this._lastSeq) throw new Error(`memhp log ${this.path}: reads back ${events.length} events, this writer committed ${this._lastSeq}`);
    this.cache = new WeakRef(events);
    return events;
  }

  append(batch: readonly UnsequencedEvent[]): readonly MemhpEvent[] {
    if (this.fd === null) throw new Error(`memhp log ${this.path} is closed`);
    if (batch.length === 0) return [];
    this.checkStillOurs();
    const sequenced = sequence(batch, this.lastSeq + 1);
    const bytes = encodeBatch(sequenced);
    try {
      writeAll(this.fd, bytes, this.size);
      fs.fsyncSync(this.fd);
    } catch (e) {
      // Leave no partial batch behind for the next append to build on.
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch {
        this.close();
      }
      throw e;
    }
    this.size += bytes.length;
    this._lastSeq += sequenced.length;
    const cached = this.cache?.deref();
    if (cached !== undefined) for (const ev of sequenced) cached.push(deepFreeze(ev));
    else for (const ev of sequenced) deepFreeze(ev);
    return Object.freeze(sequenced);
  }

  /**
   * Under the lock nobody else writes this file, so its end is where the last append left it.
   * Checked anyway before every append (one fstat and one small read per fsynced batch): a
   * writer that ignores the lock, or a lock lost to a takeover, must not make this appender
   * write over records it has not read and reuse their sequence numbers.
   */
  private checkStillOurs(): void {
    const size = fs.fstatSync(this.fd!).size;
    if (size !== this.size) {
      throw new Error(
        `memhp log ${this.path} changed under this appender (${size} bytes on disk, ${this.size} expected): another process wrote to it; nothing was appended`,
      );
    }
    if (!this.lock.stillHeld()) {
      throw new Error(`memhp log ${this.path}: lock file ${this.lock.lockFile} no longer names this process; nothing was appended`);
    }
  }

  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
    this.lock.release();
  }
}

/** Creates a new, empty log (header only) and opens it for append. Fails if `file` exists. */
export function createLog(file: string, system: SystemSpec, opts: CreateOptions = {}): LogWriter {
  const lock = acquireLock(file);
  try {
    const header = makeHeader(system, opts);
    const content = Buffer.from(encodeHeaderLine(header), 'utf8');
    publish(file, content, false);
    const fd = fs.openSync(file, 'r+');
    return new FileLogWriter(file, fd, lock, deepFreeze(header), [], content.length, []);
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Opens an existing log for append: takes the lock, verifies it, and truncates a torn tail (see warnings). */
export function openLogForAppend(file: string): LogWriter {
  const lock = acquireLock(file);
  try {
    const fd = openExisting(file, 'r+');
    try {
      if (!fs.fstatSync(fd).isFile()) throw new Error(`memhp log ${file} is not a regular file (a pipe, FIFO or device): memhp appends only to a regular file`);
      const scan = scanLog(fs.readFileSync(fd), file, { ownsBytes: true });
      if (scan.fileVersion !== LOG_VERSION) {
        throw new Error(
          `memhp log ${file} is format version ${scan.fileVersion}; it can be read but not appended to. Rewrite it as version ${LOG_VERSION} with upgradeLog()`,
        );
      }
      if (scan.tornBytes > 0) {
        fs.ftruncateSync(fd, scan.validBytes);
        fs.fsyncSync(fd);
      }
      return new FileLogWriter(file, fd, lock, scan.header, scan.events, scan.validBytes, scan.warnings);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  } catch (e) {
    lock.release();
    throw e;
  }
}

export interface ReadOptions {
  /** Called now and then with the bytes verified so far and the file's size (a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** Reads and verifies a log without locking or modifying it; a torn tail is ignored and reported. */
export function readLog(file: string, opts: ReadOptions = {}): ReadResult {
  const { header, fileVersion, events, warnings } = scanLog(readExisting(file), file, { ownsBytes: true, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  return { header, fileVersion, events, warnings };
}

/**
 * Reads and verifies a log without keeping its events: each committed event
 * goes to `onEvent` in order (see ScanOptions.onVerified for the header and
 * the last seq, known before the first event).
 */
export function forEachEventInLog(file: string, onEvent: (e: MemhpEvent) => void, opts: Omit<ScanOptions, 'ownsBytes'> = {}): FrameResult {
  // a chunk at a time: not even the file's bytes are held whole (indexed.ts)
  return forEachEventInFile(file, onEvent, opts);
}

/**
 * Writes a whole log at once (e.g. a model checker's counterexample),
 * replacing `file` atomically. Events are numbered 1..n by position.
 */
export function writeLogFile(file: string, system: SystemSpec, events: readonly UnsequencedEvent[], opts: CreateOptions = {}): void {
  // Under the lock, so a log is never replaced under a live appender.
  const lock = acquireLock(file);
  try {
    writeWhole(file, system, events, opts);
  } finally {
    lock.release();
  }
}

function writeWhole(file: string, system: SystemSpec, events: readonly UnsequencedEvent[], opts: CreateOptions): void {
  const header = encodeHeaderLine(makeHeader(system, opts));
  publish(file, Buffer.concat([Buffer.from(header, 'utf8'), encodeBatch(sequenceForWrite(events))]), true);
}

/** Rewrites an older-version log as the current version (under the lock). */
export function upgradeLog(file: string): ReadResult {
  const lock = acquireLock(file);
  try {
    const read = readLog(file);
    if (read.fileVersion !== LOG_VERSION) {
      writeWhole(file, read.header.system, read.events, { createdAt: read.header.createdAt ?? null });
    }
    return { ...read, fileVersion: LOG_VERSION };
  } finally {
    lock.release();
  }
}
