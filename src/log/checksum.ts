/**
 * CRC-32C (Castagnoli) of a log line, as 8 lower-case hex digits.
 * crc-32's functions return a signed int32 and accept the previous result as
 * a seed, so a checksum can be continued over a second piece without
 * concatenating (used to add the closing brace after a slice).
 */
import CRC32C from 'crc-32/crc32c.js'; // with .js: Node's own resolver (the built package) needs it

const CLOSE_BRACE = 0x7d; // '}'

/** CRC-32C of the UTF-8 encoding of `text`. */
export function crcOfString(text: string): number {
  return CRC32C.str(text) >>> 0;
}

/** CRC-32C of bytes[start, end) followed by one '}' byte. */
export function crcOfSliceAndBrace(bytes: Uint8Array, start: number, end: number): number {
  const head = CRC32C.buf(bytes.subarray(start, end));
  return CRC32C.buf([CLOSE_BRACE], head) >>> 0;
}

export function toHex8(crc: number): string {
  return crc.toString(16).padStart(8, '0');
}
