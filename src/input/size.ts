/**
 * Sizes and physical addresses as people write them in scenarios and on the
 * command line: `128M`, `1G`, `0x8000000`, `134217728` (binary units, like the
 * kernel's memparse()). Everything inside the simulator is a byte count.
 */

/** Binary unit suffixes, smallest first; index + 1 is the power of 1024. */
const UNITS = ['K', 'M', 'G', 'T', 'P', 'E'] as const;

export type SizeResult = { ok: true; bytes: number } | { ok: false; reason: string };

/** Thrown by parseSize(); `reason` is the bare explanation a caller prefixes with a place. */
export class SizeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SizeError';
  }
}

/** How a value appears inside an explanation: strings quoted, the rest as JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return JSON.stringify(value) ?? String(value);
}

const HEX = /^0x([0-9a-f]+)$/i;
// Digits, an optional fraction (1.5G is exact), an optional unit, an optional B/iB (128MiB, 4096B).
const DECIMAL = /^(\d+)(?:\.(\d+))?\s*([kmgtpe]?)(?:i?b)?$/i;

function fromBigInt(n: bigint, input: unknown): SizeResult {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: `${showValue(input)} is too large` };
  return { ok: true, bytes: Number(n) };
}

function parseSizeText(input: string): SizeResult {
  const text = input.trim();
  const notASize: SizeResult = { ok: false, reason: `${showValue(input)} is not a size` };
  const hex = HEX.exec(text);
  if (hex) return fromBigInt(BigInt('0x' + hex[1]), input);
  const dec = DECIMAL.exec(text);
  if (!dec) return notASize;
  const [, whole, fraction = '', unit] = dec;
  // "4096B" and "4096" are bytes; a bare "1.5" is not a whole number of bytes.
  const power = unit ? UNITS.indexOf(unit.toUpperCase() as (typeof UNITS)[number]) + 1 : 0;
  const scaled = BigInt(whole + fraction) * 1024n ** BigInt(power);
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) return { ok: false, reason: `${showValue(input)} is not a whole number of bytes` };
  return fromBigInt(scaled / divisor, input);
}

/** Parses a size or address without throwing. */
export function trySize(input: unknown): SizeResult {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || !Number.isInteger(input)) return { ok: false, reason: `${input} is not a whole number of bytes` };
    if (input < 0) return { ok: false, reason: `${input} is negative (a size cannot be)` };
    if (input > Number.MAX_SAFE_INTEGER) return { ok: false, reason: `${input} is too large` };
    return { ok: true, bytes: input };
  }
  if (typeof input === 'string') return parseSizeText(input);
  if (input === undefined) return { ok: false, reason: 'missing (expected a size such as 128M, 1G or 0x8000000)' };
  return { ok: false, reason: `${showValue(input)} is not a size` };
}

/** Parses `128M`, `1G`, `4K`, `2T`, `0x8000000`, `134217728` or a number of bytes; throws SizeError. */
export function parseSize(input: string | number): number {
  const result = trySize(input);
  if (!result.ok) throw new SizeError(result.reason);
  return result.bytes;
}

/**
 * The shortest exact spelling of a byte count: 134217728 → "128M",
 * 1.5 GiB → "1536M", 0 → "0", 1000 → "1000". parseSize(formatSize(n)) === n.
 */
export function formatSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new SizeError(`${bytes} is not a byte count`);
  for (let power = UNITS.length; power >= 1; power--) {
    const unit = 1024 ** power;
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${UNITS[power - 1]}`;
  }
  return String(bytes);
}
