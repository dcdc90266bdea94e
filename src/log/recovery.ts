/**
 * Verifies a whole log image and finds where its valid part ends.
 *
 * Only a crash in the middle of an append can damage the end of the file,
 * and append() writes the batch in one go after every committed byte, so:
 *  - a last line without "\n", or one that is not a framed JSON object, is torn;
 *  - whole records after the last `"commit":true` belong to a batch whose
 *    append() never returned.
 * Both are "the torn tail": reported as a warning with the bytes it spans.
 * Anything else wrong (bad checksum, seq gap, bad JSON before the end, unknown
 * record type, newer version, missing header) is a LogFormatError with its place.
 */
import type { MemhpEvent } from '../engine/events.ts';
import { GeometryError, geometryOf } from '../kernel/geometry.ts';
import { checkLineBytes, closeOfCheckedLine, decodeLineBytes, parseLineBytes, seqOfLineBytes } from './codec.ts';
import { LineError, LogFormatError } from './errors.ts';
import { deepFreeze } from './freeze.ts';
import { checkEventShape, checkHeaderShape, LOG_FORMAT, LOG_VERSION, type LogHeader } from './schema.ts';
import { recordUpcaster, upcastHeader } from './upcasters.ts';

export interface ScanResult {
  /** Brought to the current version. */
  header: LogHeader;
  /** The version written in the file (older ones were upcast). */
  fileVersion: number;
  /** Committed events, seq 1..n, deep-frozen. */
  events: MemhpEvent[];
  /** Bytes up to the end of the last committed record (or of the header). */
  validBytes: number;
  /** Bytes of the torn tail after validBytes (0 when the file is clean). */
  tornBytes: number;
  warnings: string[];
}

const NL = 0x0a;

export function readHeader(bytes: Buffer, file: string): { header: LogHeader; fileVersion: number; end: number } {
  const fail = (reason: string): never => { throw new LogFormatError(file, 1, 0, reason); };
  if (bytes.length === 0) fail('empty file: missing memhp-log header');
  const nl = bytes.indexOf(NL);
  if (nl === -1) fail('header line is not terminated by a newline');
  let raw: Record<string, unknown> = {};
  try {
    raw = decodeLineBytes(bytes, 0, nl).value;
  } catch (e) {
    if (e instanceof LineError) fail(`missing or invalid header: ${e.message}`);
    throw e;
  }
  if (raw.format !== LOG_FORMAT) fail(`missing header: first line has format ${JSON.stringify(raw.format) ?? 'nothing'}, expected "${LOG_FORMAT}"`);
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) fail(`invalid header: version must be a positive integer, got ${JSON.stringify(version)}`);
  const v = version as number;
  if (v > LOG_VERSION) fail(`log format version ${v} is newer than this memhp reads (up to ${LOG_VERSION}); upgrade memhp`);
  const h = upcastHeader(raw, v);
  try {
    checkHeaderShape(h);
  } catch (e) {
    if (e instanceof LineError) fail(e.message);
    throw e;
  }
  // A machine its arch cannot have (block size 3, boot memory past the address space) is
  // refused here, at line 1, before any reader lays anything out.
  try {
    geometryOf((h as unknown as LogHeader).system);
  } catch (e) {
    if (e instanceof GeometryError) fail(`impossible machine: ${['system', ...e.path].map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('')}: ${e.message}`);
    throw e;
  }
  return { header: deepFreeze(h as unknown as LogHeader), fileVersion: v, end: nl + 1 };
}

export interface ScanOptions {
  /** The caller hands `bytes` over: lines are decoded in place (codec.ts), the buffer is left changed. */
  ownsBytes?: boolean;
  /** Called now and then with the work done so far and the total (a progress bar). */
  onProgress?: (done: number, total: number) => void;
  /** Called once the file is verified and before the first event is handed on: the header and where the log ends. */
  onVerified?: (found: { header: LogHeader; fileVersion: number; lastSeq: number; warnings: readonly string[] }) => void;
}

/** Bytes between two onProgress calls. */
const PROGRESS_EVERY = 4 << 20;
/** The first pass (framing, checksums) is this share of the work of both passes. */
export const FIRST_PASS_SHARE = 0.25;

/** What the first pass found: where the header and the committed records end. */
export interface Frames {
  header: LogHeader;
  fileVersion: number;
  headerEnd: number;
  /** Bytes up to the end of the last committed record. */
  committedEnd: number;
  /** End of the last whole, well-framed line (records after committedEnd up to here are an uncommitted batch). */
  framedEnd: number;
  /** Committed records. */
  lastSeq: number;
  tornBytes: number;
  warnings: string[];
}

export function progressOf(onProgress: ScanOptions['onProgress'], total: number) {
  let next = PROGRESS_EVERY;
  return (done: number) => {
    if (onProgress !== undefined && done >= next) {
      onProgress(done, total);
      next = done + PROGRESS_EVERY;
    }
  };
}

/**
 * First pass, one line at a time: framing, checksum and sequence, without
 * parsing records (a record's seq is read from its bytes; see
 * seqOfLineBytes) and without keeping anything: finds the committed end and
 * the torn tail. Lines are given with their file offset, so a caller may
 * read the file whole or in chunks (indexed.ts).
 */
export class FrameCheck {
  private committed = 0;
  private pending = 0;
  private committedEnd: number;
  private framedEnd: number;
  private lineNo = 1;
  private committedLine = 2;
  private torn = false;

  constructor(private readonly file: string, private readonly head: { header: LogHeader; fileVersion: number; end: number }, private readonly fileSize: number) {
    this.committedEnd = head.end;
    this.framedEnd = head.end;
  }

  /** The whole line bytes[pos, nl) at file offset `at`; false when it is a torn last line (read no further). */
  line(bytes: Buffer, pos: number, nl: number, at: number): boolean {
    this.lineNo++;
    const end = at + (nl - pos) + 1;
    try {
      const { commit, close } = checkLineBytes(bytes, pos, nl);
      let seq = seqOfLineBytes(bytes, pos, nl);
      if (seq < 0) {
        // not written by encodeRecordLine (seq not first): parse it to find out
        // no upcaster changes a record's seq (upcasters.ts): it is read as written
        const value = parseLineBytes(bytes, pos, close);
        seq = typeof value.seq === 'number' ? value.seq : NaN;
      }
      const expected = this.committed + this.pending + 1;
      if (seq !== expected) {
        throw new LineError(Number.isNaN(seq) ? `record has no numeric "seq" (expected ${expected})` : `sequence gap: expected seq ${expected}, found ${seq}`, false);
      }
      this.pending++;
      this.framedEnd = end;
      if (commit) {
        this.committed += this.pending;
        this.pending = 0;
        this.committedEnd = end;
        this.committedLine = this.lineNo + 1;
      }
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      if (e.tornIfLast && end === this.fileSize) {
        this.torn = true;
        return false;
      }
      throw new LogFormatError(this.file, this.lineNo, at, e.message);
    }
    return true;
  }

  /** After the last line; `unterminated`: bytes after the last "\n" (a torn last line). */
  finish(unterminated: boolean): Frames {
    if (unterminated) this.torn = true;
    const { file, committed, pending, committedEnd, committedLine } = this;
    const tornBytes = this.fileSize - committedEnd;
    const warnings: string[] = [];
    if (tornBytes > 0) {
      const parts: string[] = [];
      if (pending > 0) parts.push(`${pending} record(s) of a batch whose append never completed`);
      if (this.torn) parts.push('a torn last line');
      warnings.push(
        `${file}: dropped ${tornBytes} bytes of torn tail from line ${committedLine} (byte offset ${committedEnd}): ${parts.join(' and ')}; ` +
          `the log ends at seq ${committed}`,
      );
    }
    const { header, fileVersion, end: headerEnd } = this.head;
    return { header, fileVersion, headerEnd, committedEnd, framedEnd: this.framedEnd, lastSeq: committed, tornBytes, warnings };
  }
}

function checkFrames(bytes: Buffer, file: string, opts: ScanOptions): Frames {
  const head = readHeader(bytes, file);
  const progress = progressOf(opts.onProgress && ((d: number, t: number) => opts.onProgress!(Math.round(d * FIRST_PASS_SHARE), t)), bytes.length);
  const frames = new FrameCheck(file, head, bytes.length);
  let pos = head.end;
  while (pos < bytes.length) {
    const nl = bytes.indexOf(NL, pos);
    if (nl === -1) return frames.finish(true);
    if (!frames.line(bytes, pos, nl, pos)) break;
    pos = nl + 1;
    progress(pos);
  }
  return frames.finish(false);
}

/**
 * Second pass, one line at a time: parses, upcasts, shape-checks and
 * freezes each framed record in order (an uncommitted batch is checked too,
 * so damage in it is still an error) and returns the committed ones.
 */
export class RecordDecode {
  private readonly upcast: ((r: Record<string, unknown>) => Record<string, unknown>) | null;
  private lineNo = 1;
  private seq = 0;

  constructor(private readonly file: string, private readonly frames: Frames, private readonly scratch: boolean) {
    this.upcast = recordUpcaster(frames.fileVersion, frames.header as unknown as Record<string, unknown>);
  }

  /** The line bytes[pos, nl) at file offset `at` (lines in order, up to frames.framedEnd); null past the committed end. */
  line(bytes: Buffer, pos: number, nl: number, at: number): MemhpEvent | null {
    this.lineNo++;
    try {
      const close = closeOfCheckedLine(bytes, pos, nl);
      const value = parseLineBytes(bytes, pos, close, this.scratch);
      const r = this.upcast === null ? value : this.upcast(value);
      this.seq++;
      if (r.seq !== this.seq) throw new LineError(typeof r.seq === 'number' ? `sequence gap: expected seq ${this.seq}, found ${r.seq}` : `record has no numeric "seq" (expected ${this.seq})`, false);
      checkEventShape(r);
      return at + (nl - pos) < this.frames.committedEnd ? deepFreeze(r as unknown as MemhpEvent) : null;
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      throw new LogFormatError(this.file, this.lineNo, at, e.message);
    }
  }
}

function decodeRecords(bytes: Buffer, file: string, frames: Frames, opts: ScanOptions, onEvent: (e: MemhpEvent) => void): void {
  const decode = new RecordDecode(file, frames, opts.ownsBytes === true);
  const share = 1 - FIRST_PASS_SHARE;
  const base = Math.round(bytes.length * FIRST_PASS_SHARE);
  const progress = progressOf(opts.onProgress && ((d: number, t: number) => opts.onProgress!(base + Math.round(d * share), t)), bytes.length);
  let pos = frames.headerEnd;
  while (pos < frames.framedEnd) {
    const nl = bytes.indexOf(NL, pos);
    const e = decode.line(bytes, pos, nl, pos);
    if (e !== null) onEvent(e);
    pos = nl + 1;
    progress(pos);
  }
  opts.onProgress?.(bytes.length, bytes.length);
}

export interface FrameResult {
  header: LogHeader;
  fileVersion: number;
  /** Committed events handed on (seq 1..lastSeq). */
  lastSeq: number;
  validBytes: number;
  tornBytes: number;
  warnings: string[];
}

/**
 * Verifies a whole log image and hands each committed event, in order, to
 * `onEvent` without keeping any (memory stays flat whatever the log's length).
 */
export function forEachLogEvent(bytes: Buffer, file: string, onEvent: (e: MemhpEvent) => void, opts: ScanOptions = {}): FrameResult {
  const frames = checkFrames(bytes, file, opts);
  opts.onVerified?.({ header: frames.header, fileVersion: frames.fileVersion, lastSeq: frames.lastSeq, warnings: frames.warnings });
  decodeRecords(bytes, file, frames, opts, onEvent);
  const { header, fileVersion, lastSeq, committedEnd, tornBytes, warnings } = frames;
  return { header, fileVersion, lastSeq, validBytes: committedEnd, tornBytes, warnings };
}

export function scanLog(bytes: Buffer, file: string, opts: ScanOptions = {}): ScanResult {
  const events: MemhpEvent[] = [];
  const r = forEachLogEvent(bytes, file, (e) => events.push(e), opts);
  return { header: r.header, fileVersion: r.fileVersion, events, validBytes: r.validBytes, tornBytes: r.tornBytes, warnings: r.warnings };
}
