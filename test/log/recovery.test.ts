import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MemhpEvent } from '../../src/engine/events.ts';
import { encodeRecordLine, openLogForAppend, readLog } from '../../src/log/index.ts';
import { runAppender } from './helpers/child.ts';
import { byteOffsetOfLine, linesOf, sampleLog, writeLines } from './helpers/edit.ts';
import { eventFor } from './helpers/sample.ts';
import { tempDir } from './helpers/tmp.ts';

/** Checks that `events` are exactly seq 1..n with the content appender.ts gave them. */
function expectAppenderEvents(events: readonly MemhpEvent[], n: number): void {
  expect(events.length).toBe(n);
  events.forEach((e, i) => expect(e).toEqual({ ...eventFor(i + 1, 900), seq: i + 1 }));
}

describe('torn tail recovery (in process)', () => {
  it('a last line cut short: read-only open ignores it and reports it, append open truncates it', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    const validBytes = Buffer.byteLength(lines.join(''));
    const torn = encodeRecordLine({ ...eventFor(12), seq: 12 } as MemhpEvent, true).slice(0, 30);
    writeLines(file, [...lines, torn]);
    const damaged = fs.readFileSync(file);

    const r = readLog(file);
    expect(r.events.map((e) => e.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(r.warnings).toEqual([
      `${file}: dropped 30 bytes of torn tail from line 13 (byte offset ${validBytes}): a torn last line; the log ends at seq 11`,
    ]);
    expect(fs.readFileSync(file)).toEqual(damaged);

    const w = openLogForAppend(file);
    expect(w.warnings).toEqual(r.warnings);
    expect(fs.statSync(file).size).toBe(validBytes);
    expect(w.append([eventFor(12)])[0]!.seq).toBe(12);
    w.close();
    expect(readLog(file)).toMatchObject({ warnings: [] });
    expect(readLog(file).events).toHaveLength(12);
  });

  it('whole records of a batch that never got its commit record are dropped with the torn line', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    const validBytes = Buffer.byteLength(lines.join(''));
    const unfinished = [12, 13].map((seq) => encodeRecordLine({ ...eventFor(seq), seq } as MemhpEvent, false));
    const cut = encodeRecordLine({ ...eventFor(14), seq: 14 } as MemhpEvent, true).slice(0, 50);
    writeLines(file, [...lines, ...unfinished, cut]);
    const dropped = fs.statSync(file).size - validBytes;

    const w = openLogForAppend(file);
    expect(w.lastSeq).toBe(11);
    expect(w.warnings).toEqual([
      `${file}: dropped ${dropped} bytes of torn tail from line 13 (byte offset ${validBytes}): ` +
        `2 record(s) of a batch whose append never completed and a torn last line; the log ends at seq 11`,
    ]);
    w.close();
    expect(fs.statSync(file).size).toBe(validBytes);
  });

  it('an unparsable last line that does end in a newline is torn too', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    writeLines(file, [...lines, '{"seq":12,"type":"acc\n']);
    const r = readLog(file);
    expect(r.events).toHaveLength(11);
    expect(r.warnings[0]).toMatch(/dropped 22 bytes of torn tail from line 13 .*: a torn last line;/);
  });

  it('a batch cut inside its first record drops nothing that was committed', () => {
    const file = sampleLog();
    const lines = linesOf(file);
    // Remove the commit record of the last batch (seq 11): seq 10 is left uncommitted.
    writeLines(file, lines.slice(0, -1));
    const r = readLog(file);
    expect(r.events.map((e) => e.seq).at(-1)).toBe(9);
    expect(r.warnings[0]).toContain(`from line 11 (byte offset ${byteOffsetOfLine(lines, 11)}): 1 record(s) of a batch whose append never completed;`);
  });
});

describe('crash recovery with a real process killed by SIGKILL', () => {
  it('a writer killed in the middle of writing a batch: every acknowledged record survives, the torn tail is dropped', async () => {
    const file = path.join(tempDir(), 'crash.log');
    const child = runAppender('torn', file);
    const acks: number[] = [];
    for (let i = 0; i < 3; i++) acks.push(Number((await child.nextLine()).split(' ')[1]));
    const tornBytes = Number((await child.nextLine()).split(' ')[1]);
    await child.kill();
    expect(acks).toEqual([5, 15, 30]);

    const size = fs.statSync(file).size;
    const r = readLog(file);
    expectAppenderEvents(r.events, 30);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(new RegExp(`^${file}: dropped ${tornBytes} bytes of torn tail from line 32 \\(byte offset ${size - tornBytes}\\): `));

    const w = openLogForAppend(file); // the dead writer's lock is stale: taken over
    expect(w.warnings).toEqual(r.warnings);
    expect(fs.statSync(file).size).toBe(size - tornBytes);
    expect(w.append([eventFor(31, 900)])[0]!.seq).toBe(31);
    w.close();
    expectAppenderEvents(readLog(file).events, 31);
  }, 60_000);

  it('writers killed at arbitrary moments, five times over one log: no acknowledged record is ever lost', async () => {
    const file = path.join(tempDir(), 'crash-loop.log');
    let acked = 0;
    for (let round = 0; round < 5; round++) {
      const child = runAppender('append', file);
      const stopAfter = 3 + Math.floor(Math.random() * 40);
      for (let i = 0; i < stopAfter; i++) acked = Math.max(acked, Number((await child.nextLine()).split(' ')[1]));
      await child.kill();
      for (const line of await child.rest()) acked = Math.max(acked, Number(line.split(' ')[1]));

      const r = readLog(file);
      expect(r.events.length).toBeGreaterThanOrEqual(acked);
      expectAppenderEvents(r.events, r.events.length);
      for (const warning of r.warnings) expect(warning).toMatch(/^.*: dropped \d+ bytes of torn tail from line \d+ \(byte offset \d+\): /);
    }
  }, 120_000);
});
