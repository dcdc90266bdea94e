/**
 * Every operation a scenario, a log, the inspector's page or a library caller can
 * ask the simulated kernel to perform, declared once: per operation its fields in
 * order, each with its kind, its parser (with the reason a bad value gets) and
 * whether it may be left out. Everything else follows from this table:
 *
 * - the `Op` type (below),
 * - the scenario schema (src/scenario/ops-schema.ts), which the inspector's
 *   request check (src/inspector/server/validate.ts) uses as well,
 * - the page's command line (src/inspector/web/command.ts): `<op> <field> …` in
 *   field order, each field read by its kind,
 * - an operation's text (src/engine/op-text.ts) and the counterexample writer
 *   (src/check/counterexample.ts), which format each field by its kind.
 *
 * Adding an operation: declare it here and decide it in src/engine/decide.ts.
 * Adding a field: one line here (a field that may be left out takes `orDefault` or
 * `optional`, so old scenarios and logs keep their meaning).
 */
import { showValue } from '../input/size.ts';
import { bad, boolish, integer, ok, oneOf, positiveSize, size, written, writtenString, type Parsed, type Parser } from '../input/values.ts';
import { AGENT_NAMES } from './agents.ts';
import { MAX_NUMNODES } from './limits.ts';
import { BOOT_PARAMS, MHP_FLAGS, RUNTIME_PARAMS, type MhpFlag, type OnlineType, type SystemSpec } from './types.ts';

/**
 * How a field is read and shown, beyond its parser: the command line splits a
 * line into words by it, and text shows sizes, errnos and lists by it.
 *
 * - `size`: bytes or a physical address (128M, 0x8000000), shown as the shortest exact size
 * - `number`: a whole number (block, node)
 * - `errno`: a negative errno, shown by name (-EBUSY)
 * - `name`: one word that names something (a device)
 * - `choice`: one word from `choices`
 * - `word`: a string the simulated kernel judges, one word on the command line
 * - `bytes`: the bytes written to a file; on the command line the rest of the line plus
 *   the newline `echo` adds
 * - `path`: a path below /sys
 * - `scalar`: a string, number or boolean, as `echo` would write it
 * - `bool-or-word`: true/false or the string written
 * - `bool`: true or false
 * - `flags`: a list of words from `choices`, each at most once; on the command line the
 *   remaining words
 */
export type FieldKind = 'size' | 'number' | 'errno' | 'name' | 'choice' | 'word' | 'bytes' | 'path' | 'scalar' | 'bool-or-word' | 'bool' | 'flags';

/** required: must be given; default: absent means `fallback`; optional: absent stays absent. */
export type Need = 'required' | 'default' | 'optional';

export interface Field<T = unknown, N extends Need = Need> {
  readonly kind: FieldKind;
  /** The whole value; for `flags`, the list. */
  readonly parse: Parser<T>;
  readonly need: N;
  readonly fallback?: T;
  /** `choice` and `flags`: the accepted words. */
  readonly choices?: readonly string[];
  /** `flags`: one element (a scenario names each bad element by its index). */
  readonly element?: Parser<string>;
}

const field = <T>(kind: FieldKind, parse: Parser<T>, more: Pick<Field<T>, 'choices' | 'element'> = {}): Field<T, 'required'> => ({ kind, parse, need: 'required', ...more });
const orDefault = <T>(f: Field<T, 'required'>, fallback: T): Field<T, 'default'> => ({ ...f, need: 'default', fallback });
const optional = <T>(f: Field<T, 'required'>): Field<T, 'optional'> => ({ ...f, need: 'optional' });

// ---- the parsers of the fields ----------------------------------------------------------

export const blockNumber = integer('a memory block number');
export const nodeNumber = integer('a node number', 0, MAX_NUMNODES - 1);

/**
 * memoryN/online: true/false (1/0), or the string a tool writes; the kernel's
 * kstrtobool() decides at run time, so "yes" works and "2" is -EINVAL in the log.
 */
function onlineFileValue(input: unknown): Parsed<boolean | string> {
  if (input === true || input === 1) return ok(true);
  if (input === false || input === 0) return ok(false);
  if (typeof input === 'string') return ok(input);
  if (input === undefined) return bad('missing (expected 1, 0, true, false or the string written)');
  return bad(`expected 1, 0, true, false or the string written, got ${showValue(input)}`);
}

/** A path below /sys, as `write` records it: relative, no NUL, no `..`. */
function sysfsPath(input: unknown): Parsed<string> {
  if (typeof input !== 'string' || input === '') return bad(`expected a path below /sys such as "devices/system/memory/memory64/state", got ${showValue(input)}`);
  if (input.startsWith('/')) return bad(`${showValue(input)} starts with "/": give the path below /sys (e.g. "devices/system/memory/probe")`);
  if (input.includes('\0')) return bad(`${showValue(input)} contains a NUL byte`);
  if (input.split('/').includes('..')) return bad(`${showValue(input)} contains ".."`);
  return ok(input);
}

/** A driver device's name as the kernel shows it (PNP0C80:00, virtio0, dax0.0): one word. */
function deviceName(input: unknown): Parsed<string> {
  return typeof input === 'string' && /^[A-Za-z0-9_.:-]+$/.test(input)
    ? ok(input)
    : bad(input === undefined ? 'missing (expected a device name such as virtio0, dax0.0 or PNP0C80:00)' : `expected a device name (letters, digits, _ . : -), got ${JSON.stringify(input)}`);
}

const mhpFlag = oneOf(MHP_FLAGS, 'an MHP flag');

/** A list of MHP_* flags; a flag named twice is a mistake, not an intent. */
function mhpFlags(input: unknown): Parsed<MhpFlag[]> {
  if (!Array.isArray(input)) return bad(`expected a list of MHP flags, got ${showValue(input)}`);
  const flags: MhpFlag[] = [];
  for (const item of input) {
    const r = mhpFlag(item);
    if (!r.ok) return r;
    if (flags.includes(r.value)) return bad(`${r.value} is listed twice`);
    flags.push(r.value);
  }
  return ok(flags);
}

function runtimeParam(input: unknown): Parsed<(typeof RUNTIME_PARAMS)[number]> {
  const r = oneOf(RUNTIME_PARAMS, 'a runtime parameter')(input);
  if (!r.ok && typeof input === 'string' && (BOOT_PARAMS as readonly string[]).includes(input))
    return bad(`${r.reason}; ${input} is fixed at boot: set it in "params"`);
  return r;
}

/** The memory-notifier actions memory-notifier-error-inject can fail. */
export const INJECT_ACTIONS = ['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE'] as const;

/** -4095 <= errno <= 0, as the memory-notifier-error-inject debugfs file holds; 0 disarms. */
const injectedErrno = integer('a negative errno or 0 to disarm', -4095, 0);

// ---- the fields ---------------------------------------------------------------------------

/** add_memory without `node` targets node 0, like memory_add_physaddr_to_nid()'s fallback. */
export const DEFAULT_ADD_NODE = 0;

const sizeField = field('size', size);
const block = { block: field('number', blockNumber) };
const range = { start: sizeField, size: sizeField };
const device = { device: field('name', deviceName) };
const deviceRange = { ...device, node: orDefault(field('number', nodeNumber), DEFAULT_ADD_NODE), ...range };

interface OpDeclaration<F> {
  readonly fields: F;
  /** false for `boot`: the engine records it first in every log; no one writes it. */
  readonly written: boolean;
}
const op = <F extends Record<string, Field<any, Need>>>(fields: F, written = true): OpDeclaration<F> => ({ fields, written });

// ---- the operations -------------------------------------------------------------------------

export const OPS = {
  /** boot: lays out boot memory; recorded first in every log, never written in a scenario */
  boot: op({}, false),
  add_memory: op({
    node: orDefault(field('number', nodeNumber), DEFAULT_ADD_NODE),
    ...range,
    flags: orDefault(field('flags', mhpFlags, { choices: MHP_FLAGS, element: mhpFlag }), [] as MhpFlag[]),
  }),
  probe: op({ addr: sizeField }),
  /** memoryN/state: the string written; the kernel's sysfs_streq() decides at run time (an unknown type is -EINVAL). */
  state: op({ ...block, value: field('word', writtenString('an online type (offline, online, online_kernel, online_movable)') as Parser<OnlineType | (string & {})>) }),
  /** memoryN/online: true/false, or the string written (kstrtobool() at run time). */
  online: op({ ...block, value: field('bool-or-word', onlineFileValue) }),
  remove_memory: op(range),
  offline_and_remove_memory: op(range),
  /**
   * `set`: the parameter must be a runtime one (structure); its value is a string (or a JSON
   * number/boolean, written as `echo` would) that the kernel's parser for that file judges at
   * run time, so "Online" is the kernel's -EINVAL in the log, not a scenario error.
   */
  set: op({
    param: field('choice', runtimeParam, { choices: RUNTIME_PARAMS }),
    value: field('scalar', written('the value written to the parameter')),
  }),
  inject: op({
    action: field('choice', oneOf(INJECT_ACTIONS, 'an injectable notifier action'), { choices: INJECT_ACTIONS }),
    error: field('errno', injectedErrno),
  }),
  pin: op(block),
  unpin: op(block),
  signal: op({}),
  touch: op(block),
  /**
   * A raw write(2) to a sysfs (or debugfs) file, as a tool did it: `path` below /sys
   * (`devices/system/memory/memory64/state`), `value` the bytes written. The kernel's
   * store function for that file parses it (src/engine/ops/store.ts).
   */
  write: op({ path: field('path', sysfsPath), value: field('bytes', writtenString('the bytes written')) }),
  // drivers (docs/drivers.md): the ways memory arrives on real machines
  /** an ACPI memory device (PNP0C80, a DIMM) appears: acpi_memory_device_add() */
  acpi_dimm_add: op(deviceRange),
  /** the ACPI eject of that device: offline its blocks, __remove_memory(), unregister its group */
  acpi_dimm_eject: op(device),
  /** a virtio-mem device is probed (region [start, start+size), device block size, initial requested_size) */
  virtio_mem_add: op({ ...deviceRange, requested: orDefault(sizeField, 0), blockSize: optional(field('size', positiveSize)) }),
  /** the hypervisor changes the device's requested_size: the driver plugs or unplugs until plugged == requested */
  virtio_mem_resize: op({ ...device, requested: sizeField }),
  /** a dax device (CXL, pmem as RAM) is bound to dax/kmem: dev_dax_kmem_probe() */
  dax_kmem_add: op({ ...deviceRange, memmap_on_memory: optional(field('bool', boolish)) }),
  /** the dax device is unbound from kmem: dev_dax_kmem_remove() */
  dax_kmem_remove: op(device),
  // onlining agents (docs/drivers.md "Onlining agents"): user space reacting to a block's appearance
  /** an installed agent handles one pending reaction: `target` (memory40, dax0.0), or its oldest */
  agent: op({ agent: field('choice', oneOf(AGENT_NAMES, 'an onlining agent'), { choices: AGENT_NAMES }), target: optional(field('name', deviceName)) }),
} satisfies Record<string, OpDeclaration<Record<string, Field<any, Need>>>>;

// ---- what follows from it -------------------------------------------------------------------

type Declared = typeof OPS;
export type OpName = keyof Declared;

type ValueOf<F> = F extends Field<infer T, Need> ? T : never;
type Flat<T> = { [K in keyof T]: T[K] };
type FieldsOf<F> = Flat<
  { -readonly [K in keyof F as F[K] extends Field<unknown, 'optional'> ? never : K]: ValueOf<F[K]> } & {
    -readonly [K in keyof F as F[K] extends Field<unknown, 'optional'> ? K : never]?: ValueOf<F[K]>;
  }
>;

/** One operation: `op` names it, the other fields are its declaration's, in bytes and numbers. */
export type Op = { [N in OpName]: Flat<{ op: N } & FieldsOf<Declared[N]['fields']>> }[OpName];

/** The declaration of an operation, by name. */
export function opDeclaration(name: OpName): OpDeclaration<Record<string, Field>> {
  return OPS[name] as OpDeclaration<Record<string, Field>>;
}

/** The operations a scenario or a user may write (all but boot), in declaration order. */
export const OP_NAMES = (Object.keys(OPS) as OpName[]).filter((name) => OPS[name].written) as Exclude<OpName, 'boot'>[];

/** A scenario with every default filled in and every size in bytes. */
export interface Scenario extends SystemSpec {
  ops: Op[];
}
