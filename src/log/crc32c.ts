/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven,
 * slice-by-8: eight bytes per step through eight 1 KiB tables.
 *
 * Why not a library: opening a log checks the CRC of a million lines, and
 * the crc-32 package takes a whole Buffer per call — a subarray per line and
 * a second call with a one-byte array for the closing brace. This one works
 * on a range of the file's buffer and continues from a seed, at about the
 * speed per byte of crc-32's slice-by-16 core (docs/performance.md); crc-32
 * stays as the reference the tests compare against (test/log/crc32c.test.ts).
 */
const POLY = 0x82f63b78;

/** T[k * 256 + b]: the CRC of byte b followed by k zero bytes. */
const T = new Int32Array(8 * 256);
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[b] = c;
}
for (let b = 0; b < 256; b++) for (let k = 1; k < 8; k++) T[k * 256 + b] = (T[(k - 1) * 256 + b]! >>> 8) ^ T[T[(k - 1) * 256 + b]! & 0xff]!;

/**
 * CRC-32C of bytes[start, end), continuing from `seed` (the CRC of what came
 * before; 0 for none). Returns an unsigned 32-bit value.
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  let c = ~seed;
  let i = start;
  const end8 = end - 8;
  while (i <= end8) {
    const lo = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      T[0x700 + (lo & 0xff)]! ^
      T[0x600 + ((lo >>> 8) & 0xff)]! ^
      T[0x500 + ((lo >>> 16) & 0xff)]! ^
      T[0x400 + (lo >>> 24)]! ^
      T[0x300 + bytes[i + 4]!]! ^
      T[0x200 + bytes[i + 5]!]! ^
      T[0x100 + bytes[i + 6]!]! ^
      T[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = (c >>> 8) ^ T[(c ^ bytes[i++]!) & 0xff]!;
  return ~c >>> 0;
}

/** CRC-32C of one more byte after a CRC of `seed`. */
export function crc32cByte(seed: number, byte: number): number {
  const c = ~seed;
  return ~((c >>> 8) ^ T[(c ^ byte) & 0xff]!) >>> 0;
}

let scratch = Buffer.allocUnsafe(64 * 1024);

/** CRC-32C of the UTF-8 encoding of `text`. */
export function crc32cOfString(text: string): number {
  // UTF-8 takes at most 3 bytes per UTF-16 unit
  if (text.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(Math.max(text.length * 3, scratch.length * 2));
  const n = scratch.write(text, 0, 'utf8');
  return crc32c(scratch, 0, n);
}
