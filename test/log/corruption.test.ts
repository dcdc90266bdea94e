import { ERAS } from '../../src/kernel/types.ts';
import { LOG_VERSION } from '../../src/log/index.ts';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MemhpEvent } from '../../src/engine/events.ts';
import { encodeHeaderLine, encodeRecordLine, lockPathOf, LogFormatError, openLogForAppend, readLog } from '../../src/log/index.ts';
import { byteOffsetOfLine, linesOf, sampleLog, sealRaw, writeLines } from './helpers/edit.ts';
import { system } from './helpers/sample.ts';

/** Asserts both openers reject `file` at `line`, leave it untouched and unlocked; returns the message. */
function expectCorrupt(file: string, line: number, byteOffset: number, reason: RegExp): string {
  const before = fs.readFileSync(file);
  let caught: unknown;
  try {
    readLog(file);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(LogFormatError);
  const err = caught as LogFormatError;
  expect({ file: err.file, line: err.line, byteOffset: err.byteOffset }).toEqual({ file, line, byteOffset });
  expect(err.message).toContain(`corrupt memhp log ${file}: line ${line} (byte offset ${byteOffset}): `);
  expect(err.reason).toMatch(reason);
  expect(() => openLogForAppend(file)).toThrow(err.message);
  expect(fs.readFileSync(file)).toEqual(before);
  expect(fs.existsSync(lockPathOf(file))).toBe(false);
  return err.message;
}

describe('corruption is an error naming file, line and byte offset', () => {
  it('bad checksum (one changed digit in a middle record)', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines[5] = lines[5]!.replace('"presentPages":32768', '"presentPages":32769');
    writeLines(file, lines);
    expectCorrupt(file, 6, byteOffsetOfLine(lines, 6), /^checksum mismatch: line says crc [0-9a-f]{8}, its content gives [0-9a-f]{8}$/);
  });

  it('bad checksum on the last, complete line is corruption too, not a torn write', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    const last = lines.length;
    lines[last - 1] = lines[last - 1]!.replace('event 11', 'event 12');
    writeLines(file, lines);
    expectCorrupt(file, last, byteOffsetOfLine(lines, last), /^checksum mismatch/);
  });

  it('gap in the sequence (a record removed)', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines.splice(3, 1); // seq 3
    writeLines(file, lines);
    expectCorrupt(file, 4, byteOffsetOfLine(lines, 4), /^sequence gap: expected seq 3, found 4$/);
  });

  it('records that do not start at seq 1', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines.splice(1, 1);
    writeLines(file, lines);
    expectCorrupt(file, 2, byteOffsetOfLine(lines, 2), /^sequence gap: expected seq 1, found 2$/);
  });

  it('invalid JSON in the middle (cut line followed by more records)', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines[4] = lines[4]!.slice(0, 40) + '\n';
    writeLines(file, lines);
    expectCorrupt(file, 5, byteOffsetOfLine(lines, 5), /^invalid JSON: /);
  });

  it('invalid JSON in the middle even when its crc matches', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines[2] = sealRaw('{"seq":2,"type":"resource",,}');
    writeLines(file, lines);
    expectCorrupt(file, 3, byteOffsetOfLine(lines, 3), /^invalid JSON: /);
  });

  it('a JSON line without the crc field', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines[2] = '{"seq":2,"type":"node","node":1,"online":true}\n';
    writeLines(file, lines);
    expectCorrupt(file, 3, byteOffsetOfLine(lines, 3), /^line does not end with a "crc" field$/);
  });

  it('unknown record type', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines[7] = encodeRecordLine({ seq: 7, type: 'teleport', to: 'mars' } as unknown as MemhpEvent, false);
    writeLines(file, lines);
    expectCorrupt(file, 8, byteOffsetOfLine(lines, 8), /^unknown record type "teleport" \(known: op, transition, /);
  });

  it('a known type missing a field', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines[6] = sealRaw('{"seq":6,"type":"node","node":1}');
    writeLines(file, lines);
    expectCorrupt(file, 7, byteOffsetOfLine(lines, 7), /^node record: field "online" must be boolean, got nothing$/);
  });

  it('a newer format version', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines[0] = encodeHeaderLine({ format: 'memhp-log', version: LOG_VERSION + 1, system });
    writeLines(file, lines);
    expectCorrupt(file, 1, 0, new RegExp(`^log format version ${LOG_VERSION + 1} is newer than this memhp reads \\(up to ${LOG_VERSION}\\); upgrade memhp$`));
  });

  it('missing header (records only)', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    writeLines(file, lines.slice(1));
    expectCorrupt(file, 1, 0, /^missing header: first line has format nothing, expected "memhp-log"$/);
  });

  it('empty file', () => {
    const file = sampleLog();
    writeLines(file, []);
    expectCorrupt(file, 1, 0, /^empty file: missing memhp-log header$/);
  });

  it('invalid header (bad system)', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines[0] = encodeHeaderLine({ format: 'memhp-log', version: 2, system: { ...system, kernel: '4.19' as never } });
    writeLines(file, lines);
    expectCorrupt(file, 1, 0, new RegExp(`^invalid header: system.kernel must be one of ${ERAS.join(', ')}$`));
  });

  it('a header that is not JSON', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    lines[0] = 'memhp log v2\n';
    writeLines(file, lines);
    expectCorrupt(file, 1, 0, /^missing or invalid header: invalid JSON: /);
  });
});
