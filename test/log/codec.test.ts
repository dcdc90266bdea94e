import CRC32C from 'crc-32/crc32c';
import { describe, expect, it } from 'vitest';
import type { MemhpEvent } from '../../src/engine/events.ts';
import { decodeEventLine, decodeLine, decodeLog, encodeLog, encodeRecordLine, LOG_FORMAT, LOG_VERSION } from '../../src/log/index.ts';
import { oneOfEach, system } from './helpers/sample.ts';

const events = oneOfEach.map((e, i) => ({ ...e, seq: i + 1 }) as MemhpEvent);
const header = { format: LOG_FORMAT, version: LOG_VERSION, system } as const;

describe('record codec', () => {
  it('round-trips every event type through a string', () => {
    const text = encodeLog(header, events);
    const back = decodeLog(text);
    expect(back.header).toEqual(header);
    expect(back.events).toEqual(events);
    expect(back.warnings).toEqual([]);
  });

  it('writes one greppable line per record: seq first, event fields at top level, crc last', () => {
    const line = encodeRecordLine(events[5]!, false);
    expect(line).toMatch(/^\{"seq":6,"type":"node","node":1,"online":true,"crc":"[0-9a-f]{8}"\}\n$/);
  });

  it('checksums the line without its crc field (CRC-32C of the UTF-8 bytes)', () => {
    const line = encodeRecordLine(events[7]!, true).slice(0, -1);
    const [, withoutCrc, hex] = /^(.*),"crc":"([0-9a-f]{8})"\}$/.exec(line)!;
    const bytes = Buffer.from(`${withoutCrc}}`, 'utf8');
    expect(hex).toBe((CRC32C.buf(bytes) >>> 0).toString(16).padStart(8, '0'));
    // The checksummed text is itself the record, batch mark included.
    expect(JSON.parse(`${withoutCrc}}`)).toEqual({ ...events[7], commit: true });
  });

  it('decodes one line on its own, with the commit mark separated from the event', () => {
    expect(decodeLine(encodeRecordLine(events[2]!, true))).toEqual({ value: events[2], commit: true });
    expect(decodeLine(encodeRecordLine(events[2]!, false))).toEqual({ value: events[2], commit: false });
  });

  it('keeps non-ASCII text intact', () => {
    const back = decodeLog(encodeLog(header, events)).events[7] as Extract<MemhpEvent, { type: 'warning' }>;
    expect(back.message).toContain('“non-ASCII”');
  });

  it('returns deep-frozen events', () => {
    const back = decodeLog(encodeLog(header, events)).events;
    const op = back[0] as Extract<MemhpEvent, { type: 'op' }>;
    expect(Object.isFrozen(op)).toBe(true);
    expect(() => {
      (op.op as { node: number }).node = 7;
    }).toThrow(TypeError);
  });

  it('decodes a streamed record line of an older version into a current event', () => {
    const v1 = encodeRecordLine({ seq: 3, type: 'account', node: 0, zone: 'Normal', present: 8, reason: 'x' } as unknown as MemhpEvent, true);
    expect(decodeEventLine(v1, 1)).toEqual({ event: { seq: 3, type: 'account', node: 0, zone: 'Normal', presentPages: 8, reason: 'x' }, commit: true });
    expect(() => decodeEventLine(encodeRecordLine({ seq: 1, type: 'bogus' } as unknown as MemhpEvent, false))).toThrow(/unknown record type "bogus"/);
  });
});
