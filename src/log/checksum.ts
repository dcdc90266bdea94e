/**
 * The checksum of a log line: CRC-32C (crc32c.ts) as 8 lower-case hex digits.
 */
import { crc32c, crc32cByte, crc32cOfString } from './crc32c.ts';

const CLOSE_BRACE = 0x7d; // '}'

/** CRC-32C of the UTF-8 encoding of `text`. */
export function crcOfString(text: string): number {
  return crc32cOfString(text);
}

/** CRC-32C of bytes[start, end) followed by one '}' byte (the line without its crc field). */
export function crcOfSliceAndBrace(bytes: Uint8Array, start: number, end: number): number {
  return crc32cByte(crc32c(bytes, start, end), CLOSE_BRACE);
}

export function toHex8(crc: number): string {
  return crc.toString(16).padStart(8, '0');
}
