/**
 * Opens a log without keeping it: the file is verified and decoded a chunk
 * at a time (the same two passes as a whole read, recovery.ts), every
 * committed event is handed to `onEvent` once, and what stays is the byte
 * offset of each record (8 bytes an event) behind a FileEvents list that
 * parses events again when asked. A 200 MB, million-event log is never in
 * memory whole, neither as bytes nor as objects (docs/performance.md).
 */
import fs from 'node:fs';
import type { MemhpEvent } from '../engine/events.ts';
import { FileEvents } from './file-events.ts';
import { forEachFileLine } from './file-lines.ts';
import { FIRST_PASS_SHARE, forEachLogEvent, FrameCheck, progressOf, readHeader, RecordDecode, scanLog, type FrameResult, type Frames, type ScanOptions } from './recovery.ts';
import { LOG_VERSION, type LogHeader } from './schema.ts';
import { readInputFile } from '../input/read-file.ts';

export interface IndexOptions {
  /** The header, once read and before the first event. */
  onHeader?: (header: LogHeader) => void;
  /** Each committed event, in order, once (build what a reader needs in the same pass). */
  onEvent?: (e: MemhpEvent) => void;
  /** Events to keep parsed for good (few: the list reads the others back from the file). */
  retain?: (e: MemhpEvent) => boolean;
  /** Called now and then with the work done so far and the total (a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

export interface IndexedLog {
  header: LogHeader;
  fileVersion: number;
  /**
   * On disk for a current-version regular file; an array for a pipe or an older version
   * (its records are upcast knowing the ones before them, so they are not re-read one by one).
   */
  events: FileEvents | MemhpEvent[];
  warnings: string[];
}

/** A growable Float64Array of offsets. */
class Offsets {
  data: Float64Array;
  length = 0;
  constructor(guess: number) {
    this.data = new Float64Array(Math.max(16, guess));
  }
  push(x: number): void {
    if (this.length === this.data.length) {
      const d = new Float64Array(Math.ceil(this.data.length * 1.5));
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = x;
  }
}

function inMemory(file: string, opts: IndexOptions): IndexedLog {
  const scan = scanLog(readInputFile(file), file, { ownsBytes: true, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  opts.onHeader?.(scan.header);
  if (opts.onEvent) for (const e of scan.events) opts.onEvent(e);
  return { header: scan.header, fileVersion: scan.fileVersion, events: scan.events, warnings: scan.warnings };
}

/**
 * Opens `file` for reading when it is a regular file; null for anything else (a FIFO would block
 * the open itself: src/input/read-file.ts reads those, with a timeout). A missing file is named
 * as the whole-file reader names it.
 */
function openRegular(file: string): number | null {
  try {
    return fs.statSync(file).isFile() ? fs.openSync(file, 'r') : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`memhp log ${file} does not exist`);
    throw e;
  }
}

/** The header line of an open regular file (readHeader reports a file without one). */
function headOf(fd: number, file: string, size: number): ReturnType<typeof readHeader> {
  let headLine: Buffer | null = null;
  forEachFileLine(fd, 0, size, (buf, pos, nl) => { headLine = Buffer.from(buf.subarray(pos, nl + 1)); return false; });
  return readHeader(headLine ?? fs.readFileSync(fd), file);
}

interface PassOptions {
  /** First pass: the file offset of each framed record. */
  onFramed?: (at: number) => void;
  /** Between the passes: the whole file is verified. */
  onVerified?: (frames: Frames) => void;
  onEvent: (e: MemhpEvent) => void;
  onProgress?: (done: number, total: number) => void;
}

/** recovery.ts's two passes over a regular file, a chunk at a time. */
function passes(fd: number, file: string, size: number, head: ReturnType<typeof readHeader>, opts: PassOptions): Frames {
  const check = new FrameCheck(file, head, size);
  const first = progressOf(opts.onProgress && ((d: number, t: number) => opts.onProgress!(Math.round(d * FIRST_PASS_SHARE), t)), size);
  const rest = forEachFileLine(fd, head.end, size, (buf, pos, nl, at) => {
    if (!check.line(buf, pos, nl, at)) return false;
    opts.onFramed?.(at);
    first(at);
  });
  const frames = check.finish(rest);
  opts.onVerified?.(frames);
  const decode = new RecordDecode(file, frames, true);
  const base = Math.round(size * FIRST_PASS_SHARE);
  const second = progressOf(opts.onProgress && ((d: number, t: number) => opts.onProgress!(base + Math.round(d * (1 - FIRST_PASS_SHARE)), t)), size);
  forEachFileLine(fd, head.end, frames.framedEnd, (buf, pos, nl, at) => {
    const e = decode.line(buf, pos, nl, at);
    if (e !== null) opts.onEvent(e);
    second(at);
  });
  opts.onProgress?.(size, size);
  return frames;
}

/**
 * forEachLogEvent over a file, read a chunk at a time (a pipe is read whole): each committed event
 * is handed on in order and nothing is kept, neither the events nor the file's bytes.
 */
export function forEachEventInFile(file: string, onEvent: (e: MemhpEvent) => void, opts: Omit<ScanOptions, 'ownsBytes'> = {}): FrameResult {
  const fd = openRegular(file);
  if (fd === null) return forEachLogEvent(readInputFile(file), file, onEvent, { ...opts, ownsBytes: true });
  try {
    const size = fs.fstatSync(fd).size;
    const f = passes(fd, file, size, headOf(fd, file, size), {
      onEvent,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.onVerified ? { onVerified: (fr: Frames) => opts.onVerified!({ header: fr.header, fileVersion: fr.fileVersion, lastSeq: fr.lastSeq, warnings: fr.warnings }) } : {}),
    });
    return { header: f.header, fileVersion: f.fileVersion, lastSeq: f.lastSeq, validBytes: f.committedEnd, tornBytes: f.tornBytes, warnings: f.warnings };
  } finally {
    fs.closeSync(fd);
  }
}

export function indexLogFile(file: string, opts: IndexOptions = {}): IndexedLog {
  const fd = openRegular(file);
  if (fd === null) return inMemory(file, opts);
  try {
    const size = fs.fstatSync(fd).size;
    const head = headOf(fd, file, size);
    if (head.fileVersion !== LOG_VERSION) return inMemory(file, opts);
    opts.onHeader?.(head.header);
    // the start of every framed record; every committed event to onEvent, the ones to retain kept
    const starts = new Offsets(Math.ceil(size / 150));
    const kept = new Map<number, MemhpEvent>();
    const frames = passes(fd, file, size, head, {
      onFramed: (at) => starts.push(at),
      onEvent: (e) => {
        opts.onEvent?.(e);
        if (opts.retain?.(e)) kept.set(e.seq - 1, e);
      },
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    const count = frames.lastSeq;
    const offsets = new Float64Array(count + 1);
    offsets.set(starts.data.subarray(0, count));
    offsets[count] = frames.committedEnd;
    const events = new FileEvents({ file, starts: offsets, count, kept, blocks: new Map() });
    return { header: frames.header, fileVersion: frames.fileVersion, events, warnings: frames.warnings };
  } finally {
    fs.closeSync(fd);
  }
}
