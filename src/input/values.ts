/**
 * Parsers for single input values (a size, a whole number in a range, a word
 * from a list, a boolean as kernel parameters spell it). Each returns a result
 * with a short reason instead of throwing, so a caller can collect every
 * problem of a document at once and put its own place (a JSON path, a command
 * word) in front. The operation fields (src/kernel/ops.ts), scenario files
 * (src/scenario) and the inspector's command line all parse with these.
 */
import { showValue, trySize } from './size.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
export type Parser<T> = (input: unknown) => Parsed<T>;

/** A value that parsed. */
export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
/** A value that did not, and why (without its place). */
export const bad = (reason: string): Parsed<never> => ({ ok: false, reason });

/** A value from a closed list, e.g. an architecture: `"x86" is not an architecture (expected one of ...)`. */
export function oneOf<const T extends string>(values: readonly T[], noun: string): Parser<T> {
  const expected = `expected one of ${values.join(', ')}`;
  return (input) => {
    if (typeof input === 'string' && (values as readonly string[]).includes(input)) return ok(input as T);
    if (input === undefined) return bad(`missing (${expected})`);
    return bad(`${showValue(input)} is not ${noun} (${expected})`);
  };
}

/** A whole number in [min, max]. */
export function integer(noun: string, min = 0, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  const range = max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
  return (input) => {
    if (typeof input === 'number' && Number.isInteger(input) && input >= min && input <= max) return ok(input);
    if (input === undefined) return bad(`missing (expected ${noun}: ${range})`);
    return bad(`expected ${noun} (${range}), got ${showValue(input)}`);
  };
}

export function size(input: unknown): Parsed<number> {
  const r = trySize(input);
  return r.ok ? ok(r.bytes) : bad(r.reason);
}

/** A size that must be above zero (boot memory, block size). */
export function positiveSize(input: unknown): Parsed<number> {
  const r = size(input);
  if (r.ok && r.value === 0) return bad(`${showValue(input)} is zero (expected a size above 0)`);
  return r;
}

export function text(noun: string): Parser<string> {
  return (input) => {
    if (typeof input === 'string' && input.trim() !== '') return ok(input);
    if (input === undefined) return bad(`missing (expected ${noun})`);
    return bad(`expected ${noun} (a non-empty string), got ${showValue(input)}`);
  };
}

export function oneLine(input: unknown): Parsed<string> {
  const r = text('a one-line description')(input);
  if (r.ok && /[\r\n]/.test(r.value)) return bad('must be a single line');
  return r;
}

const TRUE_WORDS = ['y', 'yes', '1', 'on', 'true'];
const FALSE_WORDS = ['n', 'no', '0', 'off', 'false'];

/** Booleans as kernel parameters spell them (kstrtobool): true/false, 1/0, Y/N, on/off. */
export function boolish(input: unknown): Parsed<boolean> {
  if (typeof input === 'boolean') return ok(input);
  if (input === 1 || input === 0) return ok(input === 1);
  if (typeof input === 'string') {
    const word = input.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return ok(true);
    if (FALSE_WORDS.includes(word)) return ok(false);
  }
  if (input === undefined) return bad('missing (expected true or false)');
  return bad(`expected true or false (also Y/N, 1/0, on/off), got ${showValue(input)}`);
}

/**
 * A value written to a sysfs file: any string (the kernel parses it at run
 * time); only its structure is checked here.
 */
export function writtenString(noun: string): Parser<string> {
  return (input) => {
    if (typeof input === 'string') return ok(input);
    if (input === undefined) return bad(`missing (expected ${noun}, a string)`);
    return bad(`expected ${noun} as a string, got ${showValue(input)}`);
  };
}

/** A string, or a JSON number or boolean standing for what `echo` would write. */
export function written(noun: string): Parser<string | number | boolean> {
  return (input) => {
    if (typeof input === 'string' || typeof input === 'boolean' || (typeof input === 'number' && Number.isFinite(input))) return ok(input);
    if (input === undefined) return bad(`missing (expected ${noun})`);
    return bad(`expected ${noun} (a string, number or boolean), got ${showValue(input)}`);
  };
}
