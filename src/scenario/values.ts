/**
 * Parsers for single scenario values (a block number, an online type, a
 * kernel parameter...). Each returns a result with a short reason instead of
 * throwing, so the schema can collect every problem of a file at once. The
 * same parsers serve `params` and the `set` operation, so both accept exactly
 * the same spellings.
 */
import type { MemmapOnMemoryParam, OnlinePolicy, Params } from '../kernel/types.ts';
import { ERAS, ONLINE_TYPES } from '../kernel/types.ts';
import { MAX_NUMNODES } from '../kernel/limits.ts';
import { showValue, trySize } from './size.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
export type Parser<T> = (input: unknown) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (reason: string): Parsed<never> => ({ ok: false, reason });

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

export const blockNumber = integer('a memory block number');
export const nodeNumber = integer('a node number', 0, MAX_NUMNODES - 1);
/** machine.possibleNodes: 1 to MAX_NUMNODES. */
export const nodeCount = integer('a node count', 1, MAX_NUMNODES);

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

/** memory_block_size_bytes() must be a power of two, else memory_dev_init() panics. */
export function blockSize(input: unknown): Parsed<number> {
  const r = positiveSize(input);
  const n = r.ok ? BigInt(r.value) : 0n;
  if (r.ok && (n & (n - 1n)) !== 0n) {
    return bad(`${showValue(input)} is not a power of two (memory block sizes are)`);
  }
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
 * memoryN/online: true/false (1/0), or the string a tool writes; the kernel's
 * kstrtobool() decides at run time, so "yes" works and "2" is -EINVAL in the log.
 */
export function onlineFileValue(input: unknown): Parsed<boolean | string> {
  if (input === true || input === 1) return ok(true);
  if (input === false || input === 0) return ok(false);
  if (typeof input === 'string') return ok(input);
  if (input === undefined) return bad('missing (expected 1, 0, true, false or the string written)');
  return bad(`expected 1, 0, true, false or the string written, got ${showValue(input)}`);
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

/** A path below /sys, as `write` records it: relative, no NUL, no `..`. */
export function sysfsPath(input: unknown): Parsed<string> {
  if (typeof input !== 'string' || input === '') return bad(`expected a path below /sys such as "devices/system/memory/memory64/state", got ${showValue(input)}`);
  if (input.startsWith('/')) return bad(`${showValue(input)} starts with "/": give the path below /sys (e.g. "devices/system/memory/probe")`);
  if (input.includes('\0')) return bad(`${showValue(input)} contains a NUL byte`);
  if (input.split('/').includes('..')) return bad(`${showValue(input)} contains ".."`);
  return ok(input);
}

/** memmap_on_memory: off/on/force, or any boolean spelling, normalised to off/on. */
export function memmapOnMemory(input: unknown): Parsed<MemmapOnMemoryParam> {
  if (typeof input === 'string' && input.trim().toLowerCase() === 'force') return ok('force');
  const b = boolish(input);
  if (b.ok) return ok(b.value ? 'on' : 'off');
  if (input === undefined) return bad('missing (expected off, on or force)');
  return bad(`${showValue(input)} is not a memmap_on_memory mode (expected off, on or force; also Y/N, 1/0, true/false)`);
}

/** Kernel eras are strings, but `"kernel": 6.8` without quotes means the same. */
export const era: Parser<(typeof ERAS)[number]> = (input) => oneOf(ERAS, 'a kernel era')(typeof input === 'number' ? String(input) : input);

export const onlineType = oneOf(ONLINE_TYPES, 'an online type');
export const onlinePolicy = oneOf<OnlinePolicy>(['contig-zones', 'auto-movable'], 'an online policy');

/** The parser of every kernel parameter, keyed by its name in Params. */
export const PARAM_PARSERS: { [K in keyof Params]: Parser<Params[K]> } = {
  memmap_on_memory: memmapOnMemory,
  auto_online_blocks: onlineType,
  online_policy: onlinePolicy,
  auto_movable_ratio: integer('a percentage'),
  auto_movable_numa_aware: boolish,
  movable_node: boolish,
  v2_remove_guard: boolish,
  vmemmap_hotplug: boolish,
};
