/** The whole-log codec on strings, for streams, tests and the benchmark (no files, no lock). */
import type { MemhpEvent } from '../engine/events.ts';
import { decodeLine, encodeHeaderLine, encodeRecordLine } from './codec.ts';
import { LineError } from './errors.ts';
import { deepFreeze } from './freeze.ts';
import { scanLog, type ScanResult } from './recovery.ts';
import { checkEventShape, LOG_VERSION, type LogHeader } from './schema.ts';
import { recordUpcaster } from './upcasters.ts';

/**
 * Encodes a header and already-sequenced events. `batchEnds` lists the seqs
 * that close a batch (default: only the last event, i.e. one batch).
 */
export function encodeLog(header: LogHeader, events: readonly MemhpEvent[], batchEnds?: ReadonlySet<number>): string {
  const parts = [encodeHeaderLine(header)];
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    parts.push(encodeRecordLine(ev, batchEnds ? batchEnds.has(ev.seq) : i === events.length - 1));
  }
  return parts.join('');
}

/** Verifies and decodes a whole log image; `name` is used in errors and warnings in place of a file name. */
export function decodeLog(text: string | Buffer, name = '<string>'): ScanResult {
  return scanLog(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, name);
}

/**
 * Decodes one record line of a log written in `fileVersion` (for a stream
 * read line by line): checks framing, checksum, type and fields and upcasts
 * it. Throws LineError. Seq contiguity is the reader's to check. A line of an
 * older version is lifted as if it were its log's first record; to read a
 * whole older log line by line, use eventLineDecoder(), which lifts each line
 * knowing the ones before it.
 */
export function decodeEventLine(line: string, fileVersion: number = LOG_VERSION): { event: MemhpEvent; commit: boolean } {
  return decodeWith(line, recordUpcaster(fileVersion, {}));
}

/** A decoder for the record lines of one log, in order (its header already read and current). */
export function eventLineDecoder(header: LogHeader, fileVersion: number): (line: string) => { event: MemhpEvent; commit: boolean } {
  const upcast = recordUpcaster(fileVersion, header as unknown as Record<string, unknown>);
  return (line) => decodeWith(line, upcast);
}

function decodeWith(line: string, upcast: ((r: Record<string, unknown>) => Record<string, unknown>) | null): { event: MemhpEvent; commit: boolean } {
  const { value, commit } = decodeLine(line);
  const r = upcast?.(value) ?? value;
  if (typeof r.seq !== 'number') throw new LineError('record has no numeric "seq"', false);
  checkEventShape(r);
  return { event: deepFreeze(r as unknown as MemhpEvent), commit };
}
