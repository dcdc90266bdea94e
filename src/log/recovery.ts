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
import { decodeLineBytes } from './codec.ts';
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

function readHeader(bytes: Buffer, file: string): { header: LogHeader; fileVersion: number; end: number } {
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
  return { header: deepFreeze(h as unknown as LogHeader), fileVersion: v, end: nl + 1 };
}

/** Byte offset -> 1-based line number, counted only when an error or warning needs it. */
function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(NL); i !== -1 && i < offset; i = bytes.indexOf(NL, i + 1)) line++;
  return line;
}

export interface ScanOptions {
  /** The caller hands `bytes` over: lines are decoded in place (codec.ts), the buffer is left changed. */
  ownsBytes?: boolean;
  /** Called now and then with the bytes verified so far and the total (a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** Bytes between two onProgress calls. */
const PROGRESS_EVERY = 4 << 20;

export function scanLog(bytes: Buffer, file: string, opts: ScanOptions = {}): ScanResult {
  const scratch = opts.ownsBytes === true;
  const onProgress = opts.onProgress;
  let nextProgress = PROGRESS_EVERY;
  const { header, fileVersion, end: headerEnd } = readHeader(bytes, file);
  const upcast = recordUpcaster(fileVersion);
  const events: MemhpEvent[] = [];
  let pending: MemhpEvent[] = [];
  let committedEnd = headerEnd;
  let torn = false;
  let pos = headerEnd;
  let lineNo = 1;
  while (pos < bytes.length) {
    lineNo++;
    const nl = bytes.indexOf(NL, pos);
    if (nl === -1) {
      torn = true;
      break;
    }
    try {
      const { value, commit } = decodeLineBytes(bytes, pos, nl, scratch);
      const r = upcast === null ? value : upcast(value);
      const expected = events.length + pending.length + 1;
      if (r.seq !== expected) {
        throw new LineError(
          typeof r.seq === 'number' ? `sequence gap: expected seq ${expected}, found ${r.seq}` : `record has no numeric "seq" (expected ${expected})`,
          false,
        );
      }
      checkEventShape(r);
      pending.push(deepFreeze(r as unknown as MemhpEvent));
      if (commit) {
        for (const e of pending) events.push(e);
        pending = [];
        committedEnd = nl + 1;
      }
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      if (e.tornIfLast && nl + 1 === bytes.length) {
        torn = true;
        break;
      }
      throw new LogFormatError(file, lineNo, pos, e.message);
    }
    pos = nl + 1;
    if (onProgress !== undefined && pos >= nextProgress) {
      onProgress(pos, bytes.length);
      nextProgress = pos + PROGRESS_EVERY;
    }
  }
  onProgress?.(bytes.length, bytes.length);
  const tornBytes = bytes.length - committedEnd;
  const warnings: string[] = [];
  if (tornBytes > 0) {
    const parts: string[] = [];
    if (pending.length > 0) parts.push(`${pending.length} record(s) of a batch whose append never completed`);
    if (torn) parts.push('a torn last line');
    warnings.push(
      `${file}: dropped ${tornBytes} bytes of torn tail from line ${lineAt(bytes, committedEnd)} (byte offset ${committedEnd}): ${parts.join(' and ')}; ` +
        `the log ends at seq ${events.length}`,
    );
  }
  return { header, fileVersion, events, validBytes: committedEnd, tornBytes, warnings };
}
