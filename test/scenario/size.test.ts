import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSize, parseSize, SizeError, trySize } from '../../src/input/size.ts';

const K = 1024;
const M = K * K;
const G = K * M;
const T = K * G;

describe('parseSize', () => {
  it.each([
    ['128M', 128 * M],
    ['1G', G],
    ['4K', 4 * K],
    ['2T', 2 * T],
    ['0x8000000', 128 * M],
    ['0X8000000', 128 * M],
    ['134217728', 128 * M],
    [134217728, 128 * M],
    [0, 0],
    ['0', 0],
    ['1.5G', 1536 * M],
    ['128MiB', 128 * M],
    ['4096B', 4096],
    ['1g', G],
    [' 256M ', 256 * M],
    ['1P', K * T],
  ] as const)('%j is %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each([
    ['12Q', '"12Q" is not a size'],
    ['', '"" is not a size'],
    ['M', '"M" is not a size'],
    ['-1G', '"-1G" is not a size'],
    ['0x', '"0x" is not a size'],
    ['1e3', '"1e3" is not a size'],
    ['1.3K', '"1.3K" is not a whole number of bytes'],
    [1.5, '1.5 is not a whole number of bytes'],
    [-4096, '-4096 is negative (a size cannot be)'],
    ['16E', '"16E" is too large'],
    ['0x20000000000000', '"0x20000000000000" is too large'],
  ] as const)('%j is rejected: %s', (input, reason) => {
    let thrown: unknown;
    try {
      parseSize(input);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SizeError);
    expect((thrown as SizeError).reason).toBe(reason);
  });

  it('reports non-size JSON values without throwing through trySize', () => {
    expect(trySize(true)).toEqual({ ok: false, reason: 'true is not a size' });
    expect(trySize(null)).toEqual({ ok: false, reason: 'null is not a size' });
    expect(trySize(['1G'])).toEqual({ ok: false, reason: 'a list is not a size' });
    expect(trySize(undefined)).toEqual({ ok: false, reason: 'missing (expected a size such as 128M, 1G or 0x8000000)' });
  });
});

describe('formatSize', () => {
  it.each([
    [128 * M, '128M'],
    [1536 * M, '1536M'],
    [G, '1G'],
    [8 * G, '8G'],
    [2 * T, '2T'],
    [4 * K, '4K'],
    [0, '0'],
    [1000, '1000'],
    [G + 4096, '1048580K'],
  ])('%d is %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it('rejects what is not a byte count', () => {
    expect(() => formatSize(-1)).toThrow(SizeError);
    expect(() => formatSize(0.5)).toThrow(SizeError);
  });

  it('round-trips every byte count exactly', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => parseSize(formatSize(n)) === n),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat({ max: 1 << 20 }), fc.integer({ min: 0, max: 33 }), (n, shift) => {
        const bytes = n * 2 ** shift;
        return !Number.isSafeInteger(bytes) || parseSize(formatSize(bytes)) === bytes;
      }),
    );
  });
});
