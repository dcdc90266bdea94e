import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MemhpEvent, UnsequencedEvent } from '../../src/engine/events.ts';
import { createLog, LOG_VERSION, lockPathOf, openLogForAppend, readLog, writeLogFile } from '../../src/log/index.ts';
import { eventFor, oneOfEach, system } from './helpers/sample.ts';
import { tempDir } from './helpers/tmp.ts';

describe('log file store', () => {
  it('creates a log with a header and no events', () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system, { createdAt: '2019-03-26T00:00:00.000Z' });
    expect(w.lastSeq).toBe(0);
    w.close();
    const r = readLog(file);
    expect(r.header).toEqual({ format: 'memhp-log', version: LOG_VERSION, system, createdAt: '2019-03-26T00:00:00.000Z' });
    expect(r.events).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('refuses to create over an existing log, naming it', () => {
    const file = path.join(tempDir(), 'a.log');
    createLog(file, system).close();
    const before = fs.readFileSync(file);
    expect(() => createLog(file, system)).toThrow(`cannot create memhp log ${file}: it already exists`);
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.existsSync(lockPathOf(file))).toBe(false);
  });

  it('assigns contiguous seqs from 1 across batches and returns them frozen', () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system);
    const first = w.append(oneOfEach.slice(0, 3));
    const second = w.append(oneOfEach.slice(3));
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(second.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(w.lastSeq).toBe(9);
    expect(w.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(second[0])).toBe(true);
    expect(Object.isFrozen((second[0] as Extract<MemhpEvent, { type: 'transition' }>).context)).toBe(true);
    w.close();
  });

  it('renumbers events that already carry a seq, and the caller cannot change the log through its objects', () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system);
    const mine = { ...eventFor(1), seq: 99 } as MemhpEvent;
    const [got] = w.append([mine]);
    expect(got!.seq).toBe(1);
    (mine as { node: number }).node = 5;
    expect((w.events[0] as { node: number }).node).toBe(0);
    w.close();
  });

  it('makes appended batches durable: a reopened log has every event, and appends continue the sequence', () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system);
    const appended = [...w.append(oneOfEach), ...w.append([eventFor(10)])];
    w.close();
    expect(readLog(file).events).toEqual(appended);

    const again = openLogForAppend(file);
    expect(again.warnings).toEqual([]);
    expect(again.events).toEqual(appended);
    expect(again.append([eventFor(11), eventFor(12)]).map((e) => e.seq)).toEqual([11, 12]);
    again.close();
    expect(readLog(file).events.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('rejects an event of unknown type or missing a field without writing anything', () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system);
    const size = fs.statSync(file).size;
    expect(() => w.append([eventFor(1), { type: 'teleport' } as unknown as UnsequencedEvent])).toThrow(
      /cannot append event 1 of the batch: unknown record type "teleport"/,
    );
    expect(() => w.append([{ type: 'node', node: 1 } as unknown as UnsequencedEvent])).toThrow(/node record: field "online" must be boolean/);
    expect(fs.statSync(file).size).toBe(size);
    expect(w.lastSeq).toBe(0);
    w.close();
  });

  it('releases the lock on close and refuses appends after it', () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system);
    expect(fs.readFileSync(lockPathOf(file), 'utf8').split(' ')[0]).toBe(String(process.pid));
    w.close();
    expect(fs.existsSync(lockPathOf(file))).toBe(false);
    expect(() => w.append([eventFor(1)])).toThrow(`memhp log ${file} is closed`);
  });

  it('writes a whole log at once, numbering by position and replacing an older file', () => {
    const file = path.join(tempDir(), 'counterexample.log');
    fs.writeFileSync(file, 'old junk\n');
    writeLogFile(file, system, oneOfEach, { createdAt: null });
    const r = readLog(file);
    expect(r.header).toEqual({ format: 'memhp-log', version: LOG_VERSION, system });
    expect(r.events).toEqual(oneOfEach.map((e, i) => ({ ...e, seq: i + 1 })));
    // and it is a normal log: it can be appended to
    const w = openLogForAppend(file);
    expect(w.append([eventFor(10)])[0]!.seq).toBe(10);
    w.close();
  });

  it('names a missing log plainly', () => {
    const file = path.join(tempDir(), 'nope.log');
    expect(() => readLog(file)).toThrow(`memhp log ${file} does not exist`);
    expect(() => openLogForAppend(file)).toThrow(`memhp log ${file} does not exist`);
    expect(fs.existsSync(lockPathOf(file))).toBe(false);
  });

  it('does not replace a log that a live appender holds', () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system);
    expect(() => writeLogFile(file, system, [])).toThrow(`memhp log ${file} is locked by process ${process.pid}`);
    w.close();
  });
});
