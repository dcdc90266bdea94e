/**
 * One log line <-> one header or record.
 *
 * A file is JSON Lines, UTF-8, each line ending in "\n":
 *   line 1   {"format":"memhp-log","version":2,"system":{...},"createdAt":"...","crc":"1a2b3c4d"}
 *   line 2+  {"seq":1,"type":"op",...the event's own fields...,"crc":"0badf00d"}
 *            {"seq":2,"type":"account",...,"commit":true,"crc":"deadbeef"}
 *
 * `crc` is always the LAST field: the CRC-32C (8 lower-case hex digits) of
 * the line's UTF-8 bytes with `,"crc":"xxxxxxxx"` removed, i.e. of the text
 * `{...,"commit":true}` that is itself the record as JSON. Because its width
 * is fixed, a reader slices it off the raw bytes and checks it before
 * parsing, with no regex and one JSON.parse per line.
 *
 * `"commit":true` (just before crc) marks the last record of an append()
 * batch. A batch is durable and visible only once its commit record is
 * whole: recovery drops a trailing batch that lacks one, so a crash never
 * leaves half of one command's events in the log.
 */
import type { MemhpEvent } from '../engine/events.ts';
import { crcOfSliceAndBrace, crcOfString, toHex8 } from './checksum.ts';
import { LineError } from './errors.ts';
import type { LogHeader } from './schema.ts';

const CRC_KEY = ',"crc":"';
/** Length of `,"crc":"xxxxxxxx"}`. */
const CRC_SUFFIX_LEN = CRC_KEY.length + 8 + 2;
const CRC_KEY_BYTES = Buffer.from(CRC_KEY, 'latin1');
const COMMIT_MARK = ',"commit":true';
const COMMIT_MARK_BYTES = Buffer.from(COMMIT_MARK, 'latin1');
const SEQ_PREFIX_BYTES = Buffer.from('{"seq":', 'latin1');

function seal(json: string): string {
  // json ends with '}'; the crc covers exactly this text.
  const hex = toHex8(crcOfString(json));
  return `${json.slice(0, -1)}${CRC_KEY}${hex}"}\n`;
}

export function encodeHeaderLine(header: LogHeader): string {
  const { format, version, system, createdAt } = header;
  return seal(JSON.stringify(createdAt === undefined ? { format, version, system } : { format, version, system, createdAt }));
}

/** Encodes one record; `commit` marks the last record of a batch. */
export function encodeRecordLine(event: MemhpEvent, commit: boolean): string {
  // seq first, so `grep '"seq":42,'` and sorting by eye work.
  const { seq, ...fields } = event;
  let json = JSON.stringify({ seq, ...fields });
  if (commit) json = json.slice(0, -1) + COMMIT_MARK + '}';
  return seal(json);
}

export interface DecodedLine {
  value: Record<string, unknown>;
  commit: boolean;
}

function endsWithCrcKey(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < CRC_KEY_BYTES.length; i++) if (bytes[at + i] !== CRC_KEY_BYTES[i]) return false;
  return true;
}

function endsWithCommit(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < COMMIT_MARK_BYTES.length; i++) if (bytes[at + i] !== COMMIT_MARK_BYTES[i]) return false;
  return true;
}

/** 8 lower-case hex digits at bytes[at..at+8) as a uint32, or -1 if they are not that. */
function parseHex8(bytes: Uint8Array, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const c = bytes[i]!;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

function parseObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new LineError(`invalid JSON: ${(e as Error).message}`, true);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new LineError('a line must be a JSON object', true);
  return v as Record<string, unknown>;
}

/** A line whose framing and checksum are right: whether it commits, and where its record's closing '}' goes. */
export interface LineFrame {
  commit: boolean;
  /** bytes[start, close) + '}' is the record as JSON. */
  close: number;
}

/**
 * Checks the framing and checksum of bytes[start, end) (a line without its
 * "\n") without parsing it. Throws LineError; the caller adds the place.
 */
export function checkLineBytes(bytes: Buffer, start: number, end: number): LineFrame {
  const crcAt = end - CRC_SUFFIX_LEN;
  if (crcAt <= start || bytes[end - 1] !== 0x7d || bytes[end - 2] !== 0x22 || !endsWithCrcKey(bytes, crcAt)) {
    // Say "invalid JSON" when it is, since that is what a reader will look for.
    parseObject(bytes.toString('utf8', start, end));
    throw new LineError('line does not end with a "crc" field', true);
  }
  const stored = parseHex8(bytes, end - 10);
  const actual = crcOfSliceAndBrace(bytes, start, crcAt);
  if (stored !== actual) {
    const said = bytes.toString('latin1', end - 10, end - 2);
    throw new LineError(`checksum mismatch: line says crc ${said}, its content gives ${toHex8(actual)}`, false);
  }
  const commit = crcAt - start > COMMIT_MARK.length && endsWithCommit(bytes, crcAt - COMMIT_MARK.length);
  return { commit, close: commit ? crcAt - COMMIT_MARK.length : crcAt };
}

/**
 * Parses the record of a checked line (bytes[start, close) + '}').
 *
 * With `scratch` true the caller owns `bytes` and lets this function
 * overwrite the line in place: the '}' is written over the `,` of `,"crc":`
 * (or of `,"commit":true`), so the record is one slice of the buffer — no
 * string concatenation, one JSON.parse, as fast as parsing the line itself.
 */
export function parseLineBytes(bytes: Buffer, start: number, close: number, scratch = false): Record<string, unknown> {
  if (scratch) {
    bytes[close] = 0x7d;
    return parseObject(bytes.toString('utf8', start, close + 1));
  }
  return parseObject(bytes.toString('utf8', start, close) + '}');
}

/** Where the record of a line that checkLineBytes accepted closes (without checking it again). */
export function closeOfCheckedLine(bytes: Uint8Array, start: number, end: number): number {
  const crcAt = end - CRC_SUFFIX_LEN;
  return crcAt - start > COMMIT_MARK.length && endsWithCommit(bytes, crcAt - COMMIT_MARK.length) ? crcAt - COMMIT_MARK.length : crcAt;
}

/**
 * The seq of a record line written by encodeRecordLine (`{"seq":N,` first),
 * read from its bytes without parsing; -1 if the line does not start so.
 */
export function seqOfLineBytes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < SEQ_PREFIX_BYTES.length + 2) return -1;
  for (let i = 0; i < SEQ_PREFIX_BYTES.length; i++) if (bytes[start + i] !== SEQ_PREFIX_BYTES[i]) return -1;
  let v = 0;
  let i = start + SEQ_PREFIX_BYTES.length;
  const first = i;
  for (; i < end && i - first < 16; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + c - 0x30;
  }
  if (i === first || bytes[i] !== 0x2c || (bytes[first] === 0x30 && i - first > 1)) return -1;
  return v;
}

/**
 * Decodes bytes[start, end) (the line without its "\n"): checks framing and
 * checksum, then parses once (in place with `scratch`: see parseLineBytes).
 * Throws LineError; the caller adds the place.
 */
export function decodeLineBytes(bytes: Buffer, start: number, end: number, scratch = false): DecodedLine {
  const { commit, close } = checkLineBytes(bytes, start, end);
  return { value: parseLineBytes(bytes, start, close, scratch), commit };
}

/** Decodes one line given as a string (with or without its trailing "\n"). */
export function decodeLine(line: string): DecodedLine {
  const bytes = Buffer.from(line.endsWith('\n') ? line.slice(0, -1) : line, 'utf8');
  return decodeLineBytes(bytes, 0, bytes.length);
}
