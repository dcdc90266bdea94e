/** Helpers to damage a log file the way the corruption and recovery tests need. */
import CRC32C from 'crc-32/crc32c';
import fs from 'node:fs';
import path from 'node:path';
import { createLog } from '../../../src/log/index.ts';
import { eventFor, oneOfEach, system } from './sample.ts';
import { tempDir } from './tmp.ts';

/** A log with 3 batches: seq 1-3, 4-9 (oneOfEach), 10-11. Lines: 1 header, 2..12 records. */
export function sampleLog(): string {
  const file = path.join(tempDir(), 'sample.log');
  const w = createLog(file, system, { createdAt: '2019-03-26T00:00:00.000Z' });
  w.append(oneOfEach.slice(0, 3));
  w.append(oneOfEach.slice(3));
  w.append([eventFor(10), eventFor(11)]);
  w.close();
  return file;
}

/** The file's lines, each with its "\n" (the last one without if it has none). */
export function linesOf(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split(/(?<=\n)/);
}

export function writeLines(file: string, lines: string[]): void {
  fs.writeFileSync(file, lines.join(''));
}

/** Byte offset at which line `n` (1-based) starts. */
export function byteOffsetOfLine(lines: string[], n: number): number {
  return Buffer.byteLength(lines.slice(0, n - 1).join(''), 'utf8');
}

/** Seals arbitrary text ending in "}" with a correct crc field, as the codec would. */
export function sealRaw(json: string): string {
  const hex = (CRC32C.str(json) >>> 0).toString(16).padStart(8, '0');
  return `${json.slice(0, -1)},"crc":"${hex}"}\n`;
}
