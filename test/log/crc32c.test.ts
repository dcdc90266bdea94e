/**
 * The log's CRC-32C (src/log/crc32c.ts) against the check value of the
 * Castagnoli polynomial and against the crc-32 package as a reference, over
 * whole buffers, ranges of them, continued seeds and UTF-8 strings.
 */
import CRC32C from 'crc-32/crc32c';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cByte, crc32cOfString } from '../../src/log/crc32c.ts';

const ref = (bytes: Uint8Array, seed = 0) => CRC32C.buf(bytes, seed) >>> 0;

describe('CRC-32C', () => {
  it('gives the check value of "123456789" (0xe3069283)', () => {
    expect(crc32cOfString('123456789')).toBe(0xe3069283);
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('matches the crc-32 package on any range of any buffer, and continues from a seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length ? a % (bytes.length + 1) : 0;
        const end = start + (bytes.length - start ? b % (bytes.length - start + 1) : 0);
        const part = bytes.subarray(start, end);
        expect(crc32c(bytes, start, end)).toBe(ref(part));
        const head = crc32c(bytes, 0, start);
        expect(crc32c(bytes, start, bytes.length, head)).toBe(ref(bytes));
        if (bytes.length > 0) expect(crc32cByte(crc32c(bytes, 0, bytes.length - 1), bytes[bytes.length - 1]!)).toBe(ref(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('of a string is the CRC of its UTF-8 bytes, however long', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(crc32cOfString(s)).toBe(ref(Buffer.from(s, 'utf8')));
      }),
      { numRuns: 100 },
    );
    const long = 'é'.repeat(100_000);
    expect(crc32cOfString(long)).toBe(ref(Buffer.from(long, 'utf8')));
  });
});
