/** The whole-log codec on strings, for streams, tests and the benchmark (no files, no lock). */
import type { MemhpEvent } from '../engine/events.ts';
import { encodeHeaderLine, encodeRecordLine } from './codec.ts';
import { scanLog, type ScanResult } from './recovery.ts';
import type { LogHeader } from './schema.ts';

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
