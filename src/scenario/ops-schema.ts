/**
 * The schema of one scenario operation (Op in src/kernel/types.ts): an object
 * whose `op` field selects the fields it may have.
 */
import { z } from 'zod';
import { MHP_FLAGS, RUNTIME_PARAMS } from '../kernel/types.ts';
import type { MhpFlag, Op } from '../kernel/types.ts';
import { DEFAULT_ADD_NODE } from './defaults.ts';
import type { Parsed } from './values.ts';
import { blockNumber, boolish, integer, nodeNumber, oneOf, onlineFileValue, PARAM_PARSERS, positiveSize, size, sysfsPath, written, writtenString } from './values.ts';
import { optional, required, strictObject, withDefault } from './zod-fields.ts';

const mhpFlag = oneOf(MHP_FLAGS, 'an MHP flag');

/** A list of MHP_* flags; a flag named twice is a mistake, not an intent. */
const mhpFlags = z
  .array(required(mhpFlag))
  .transform((flags, ctx): MhpFlag[] => {
    flags.forEach((flag, i) => {
      if (flags.indexOf(flag) < i) ctx.issues.push({ code: 'custom', message: `${flag} is listed twice`, path: [i], input: flag });
    });
    return flags;
  })
  .optional()
  .transform((flags) => flags ?? []);

const runtimeParam = (input: unknown): Parsed<(typeof RUNTIME_PARAMS)[number]> => {
  const r = oneOf(RUNTIME_PARAMS, 'a runtime parameter')(input);
  if (!r.ok && typeof input === 'string' && input in PARAM_PARSERS) {
    return { ok: false, reason: `${r.reason}; ${input} is fixed at boot: set it in "params"` };
  }
  return r;
};

/** -4095 <= errno <= 0, as the memory-notifier-error-inject debugfs file holds; 0 disarms. */
const injectedErrno = integer('a negative errno or 0 to disarm', -4095, 0);

const range = { start: required(size), size: required(size) };

const addMemory = strictObject({
  op: z.literal('add_memory'),
  node: withDefault(nodeNumber, DEFAULT_ADD_NODE),
  ...range,
  flags: mhpFlags,
});

/**
 * `set`: the parameter must be a runtime one (structure); its value is a string (or a JSON
 * number/boolean, written as `echo` would) that the kernel's parser for that file judges at
 * run time, so "Online" is the kernel's -EINVAL in the log, not a scenario error.
 */
const setParam = strictObject({
  op: z.literal('set'),
  param: required(runtimeParam),
  value: required(written('the value written to the parameter')),
});

const blockOp = <N extends 'pin' | 'unpin' | 'touch'>(name: N) => strictObject({ op: z.literal(name), block: required(blockNumber) });

/** A driver device's name as the kernel shows it (PNP0C80:00, virtio0, dax0.0): one word. */
const deviceName = (input: unknown): Parsed<string> =>
  typeof input === 'string' && /^[A-Za-z0-9_.:-]+$/.test(input)
    ? { ok: true, value: input }
    : { ok: false, reason: input === undefined ? 'missing (expected a device name such as virtio0, dax0.0 or PNP0C80:00)' : `expected a device name (letters, digits, _ . : -), got ${JSON.stringify(input)}` };

const device = { device: required(deviceName) };
const deviceRange = { ...device, node: withDefault(nodeNumber, DEFAULT_ADD_NODE), ...range };

const OP_SCHEMAS = [
  addMemory,
  strictObject({ op: z.literal('probe'), addr: required(size) }),
  strictObject({ op: z.literal('state'), block: required(blockNumber), value: required(writtenString('an online type (offline, online, online_kernel, online_movable)')) }),
  strictObject({ op: z.literal('online'), block: required(blockNumber), value: required(onlineFileValue) }),
  strictObject({ op: z.literal('remove_memory'), ...range }),
  strictObject({ op: z.literal('offline_and_remove_memory'), ...range }),
  setParam,
  strictObject({
    op: z.literal('inject'),
    action: required(oneOf(['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE'] as const, 'an injectable notifier action')),
    error: required(injectedErrno),
  }),
  blockOp('pin'),
  blockOp('unpin'),
  strictObject({ op: z.literal('signal') }),
  blockOp('touch'),
  strictObject({ op: z.literal('write'), path: required(sysfsPath), value: required(writtenString('the bytes written')) }),
  strictObject({ op: z.literal('acpi_dimm_add'), ...deviceRange }),
  strictObject({ op: z.literal('acpi_dimm_eject'), ...device }),
  strictObject({ op: z.literal('virtio_mem_add'), ...deviceRange, blockSize: optional(positiveSize), requested: withDefault(size, 0) }),
  strictObject({ op: z.literal('virtio_mem_resize'), ...device, requested: required(size) }),
  strictObject({ op: z.literal('dax_kmem_add'), ...deviceRange, memmap_on_memory: optional(boolish) }),
  strictObject({ op: z.literal('dax_kmem_remove'), ...device }),
] as const;

/** The operation names in the order the schema lists them (used in messages). */
export const OP_NAMES = OP_SCHEMAS.map((s) => {
  return s.shape.op.value;
});

export const opSchema: z.ZodType<Op, unknown> = z.discriminatedUnion('op', [...OP_SCHEMAS]);
