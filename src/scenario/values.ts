/**
 * Parsers for the scenario-only values: node counts, block sizes, kernel eras and
 * the kernel parameters of `params`. The generic parsers are in src/input/values.ts;
 * the operation fields' in src/kernel/ops.ts. The same parsers serve `params` and
 * the `set` operation's kernel-side parsing, so both accept exactly the same spellings.
 */
import type { MemmapOnMemoryParam, OnlinePolicy, Params } from '../kernel/types.ts';
import { ERAS, ONLINE_TYPES } from '../kernel/types.ts';
import { MAX_NUMNODES } from '../kernel/limits.ts';
import { showValue } from '../input/size.ts';
import { bad, boolish, integer, ok, oneOf, positiveSize, type Parsed, type Parser } from '../input/values.ts';

/** machine.possibleNodes: 1 to MAX_NUMNODES. */
export const nodeCount = integer('a node count', 1, MAX_NUMNODES);

/** memory_block_size_bytes() must be a power of two, else memory_dev_init() panics. */
export function blockSize(input: unknown): Parsed<number> {
  const r = positiveSize(input);
  const n = r.ok ? BigInt(r.value) : 0n;
  if (r.ok && (n & (n - 1n)) !== 0n) {
    return bad(`${showValue(input)} is not a power of two (memory block sizes are)`);
  }
  return r;
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
