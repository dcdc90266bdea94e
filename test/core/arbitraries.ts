/**
 * fast-check arbitraries for the core property tests: operations aimed at a
 * small machine (boot memory in blocks 0..7, hot-plug in blocks 6..15), so
 * that random sequences collide, fail and succeed often.
 */
import fc from 'fast-check';
import { MHP_FLAGS, ONLINE_TYPES, type Era, type MhpFlag, type Op, type SystemSpec, type WorldView } from '../../src/index.ts';
import { makeSpec, MiB } from './spec.ts';

export const BLOCK = 128 * MiB;
/** Boot memory ends at 1 GiB (blocks 0..7); hot-plug happens in blocks 6..15. */
/**
 * Block numbers from PICK on are references resolved when the op runs (see
 * resolveOp): "the n-th hot-added block that exists now", so that state
 * writes mostly hit real blocks. Below PICK they are literal block ids.
 */
export const PICK = 1000;
const blockArb = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: PICK, max: PICK + 50 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 16 }) });
/** rarely unaligned: the errno paths are covered, the rest of the run stays interesting */
const offsetArb = fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(64 * MiB) });
const startArb = fc.tuple(fc.integer({ min: 6, max: 13 }), offsetArb).map(([b, off]) => b * BLOCK + off);
/** a removal range starting at a block reference (resolved like a block number) or at an address */
const removeStartArb = fc.oneof(fc.integer({ min: PICK, max: PICK + 50 }).map((ref) => ref * BLOCK), startArb);
const sizeArb = fc.tuple(fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.constant(0) }), offsetArb).map(([n, off]) => n * BLOCK + off);
const flagsArb = fc.oneof(
  fc.constant<MhpFlag[]>([]),
  fc.constant<MhpFlag[]>(['MHP_MEMMAP_DEVICE']),
  fc.constant<MhpFlag[]>(['MHP_MEMMAP_MEMBLOCK']),
  fc.constant<MhpFlag[]>(['MHP_MEMMAP_ON_MEMORY']),
  fc.subarray([...MHP_FLAGS]),
);

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add_memory' as const), node: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 2 }) }, { weight: 1, arbitrary: fc.constant(3) }), start: startArb, size: sizeArb, flags: flagsArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('probe' as const), addr: startArb }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('state' as const), block: blockArb, value: fc.constantFrom(...ONLINE_TYPES) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('online' as const), block: blockArb, value: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('remove_memory' as const), start: removeStartArb, size: sizeArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('offline_and_remove_memory' as const), start: removeStartArb, size: sizeArb }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ op: fc.constant('set' as const), param: fc.constant('auto_online_blocks' as const), value: fc.constantFrom<string | number | boolean>(...ONLINE_TYPES, 'bogus') }),
      fc.record({ op: fc.constant('set' as const), param: fc.constant('online_policy' as const), value: fc.constantFrom<string | number | boolean>('contig-zones', 'auto-movable') }),
      fc.record({ op: fc.constant('set' as const), param: fc.constant('v2_remove_guard' as const), value: fc.boolean() }),
      fc.record({ op: fc.constant('set' as const), param: fc.constant('auto_movable_ratio' as const), value: fc.constantFrom<string | number | boolean>(0, 10, 301, -1) }),
    ),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('inject' as const), action: fc.constantFrom('MEM_GOING_ONLINE' as const, 'MEM_GOING_OFFLINE' as const), error: fc.constantFrom(0, 0, -12, -16) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('pin' as const, 'unpin' as const), block: blockArb }) },
  { weight: 1, arbitrary: fc.constant({ op: 'signal' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('touch' as const), block: blockArb }) },
);

export function specFor(kernel: Era, movable_node: boolean): SystemSpec {
  return makeSpec({
    kernel,
    machine: { memoryBlockSize: BLOCK, possibleNodes: 3 },
    boot: [
      { size: 512 * MiB, used: 128 * MiB },
      { size: 512 * MiB, maxFreeOrder: 8 },
    ],
    params: { memmap_on_memory: kernel === 'v2-2019' ? 'off' : 'on', movable_node },
  });
}

/** The id of an existing hot-added block (a boot block if there is none) for a block reference. */
function pick(ref: number, view: WorldView): number {
  const hot = view.blocks.filter((b) => !b.early);
  const pool = hot.length > 0 ? hot : view.blocks;
  return pool[(ref - PICK) % pool.length]!.id;
}

/** Resolves block references in an op against the world it is about to run in. */
export function resolveOp(op: Op, view: WorldView): Op {
  if ('block' in op && op.block >= PICK) return { ...op, block: pick(op.block, view) };
  if ((op.op === 'remove_memory' || op.op === 'offline_and_remove_memory') && op.start >= PICK * BLOCK)
    return { ...op, start: pick(op.start / BLOCK, view) * view.blockSizeBytes };
  return op;
}

/**
 * Starting points that random sequences rarely reach on their own: the
 * reviewer's partial removal of a DEVICE add (v2: an orphaned vmemmap, so
 * later ops oops), and online blocks with and without memmap_on_memory side
 * by side (a mixed removal fails after offlining and rolls back).
 */
export const PREFIXES: readonly (readonly Op[])[] = [
  [],
  [
    { op: 'add_memory', node: 0, start: 8 * BLOCK, size: 4 * BLOCK, flags: ['MHP_MEMMAP_DEVICE'] },
    { op: 'state', block: 9, value: 'online' },
    { op: 'remove_memory', start: 8 * BLOCK, size: BLOCK },
  ],
  [
    { op: 'add_memory', node: 0, start: 8 * BLOCK, size: BLOCK, flags: ['MHP_MEMMAP_ON_MEMORY'] },
    { op: 'add_memory', node: 1, start: 9 * BLOCK, size: 2 * BLOCK, flags: [] },
    { op: 'state', block: 8, value: 'online' },
    { op: 'state', block: 9, value: 'online' },
  ],
];

export const sequenceArb = fc.tuple(fc.constantFrom(...PREFIXES), fc.array(opArb, { minLength: 1, maxLength: 30 })).map(([prefix, ops]) => [...prefix, ...ops]);
