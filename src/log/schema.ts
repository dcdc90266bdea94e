/**
 * Shape checks for the current format version: the header and each event type.
 * These run on every decoded record (a million of them in the benchmark), so
 * they are a table of top-level field kinds, not a full schema library pass.
 * The table is typed against EventType so a new event type in
 * src/engine/events.ts fails to compile here until the log knows it.
 */
import type { EventType, MemhpEvent } from '../engine/events.ts';
import { ARCH_NAMES, ERAS, type SystemSpec } from '../kernel/types.ts';
import { LineError } from './errors.ts';

export const LOG_FORMAT = 'memhp-log';
/** Version 1: AccountEvent counters were `present`/`managed`; 2: no machine.config; 3: evolve ran resource rules (see upcasters.ts). */
export const LOG_VERSION = 4;

export interface LogHeader {
  format: typeof LOG_FORMAT;
  version: number;
  system: SystemSpec;
  /** Metadata only: never reaches the world (docs/README.md, principle 4). */
  createdAt?: string;
}

type Kind = 'number' | 'string' | 'boolean' | 'object' | 'array' | 'string|null' | 'object|null' | 'scalar';

const FIELDS: Record<EventType, Record<string, Kind>> = {
  op: { op: 'object', ret: 'number', errno: 'string|null' },
  transition: { machine: 'string', actor: 'string', event: 'object', from: 'string', to: 'string', context: 'object' },
  account: { node: 'number', zone: 'string|null', reason: 'string' },
  vmemmap: { action: 'string', headPfn: 'number', nrPages: 'number', refcount: 'number', sections: 'array', node: 'number' },
  node: { node: 'number', online: 'boolean' },
  resource: { action: 'string', start: 'number', size: 'number', flags: 'array', remove: 'array', insert: 'array' },
  fault: { kind: 'string', section: 'number', block: 'number', removed: 'object', access: 'string', message: 'string' },
  knob: { knob: 'string', key: 'string', value: 'scalar' },
  warning: { message: 'string' },
  group: { action: 'string', id: 'number', nid: 'number', dynamic: 'boolean', pages: 'number', owner: 'string' },
  device: { action: 'string', name: 'string' },
};

export const EVENT_TYPES = Object.keys(FIELDS) as EventType[];

function hasKind(v: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'number': return typeof v === 'number';
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'string|null': return v === null || typeof v === 'string';
    case 'object|null': return v === null || hasKind(v, 'object');
    case 'scalar': return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  }
}

/** Checks an event's type and required fields (not its seq: the caller owns numbering). */
export function checkEventShape(r: Record<string, unknown>): asserts r is Record<string, unknown> & Omit<MemhpEvent, 'seq'> {
  const type = r.type;
  const fields = typeof type === 'string' && Object.hasOwn(FIELDS, type) ? FIELDS[type as EventType] : undefined;
  if (fields === undefined) {
    throw new LineError(`unknown record type ${JSON.stringify(type)} (known: ${EVENT_TYPES.join(', ')})`, false);
  }
  for (const key in fields) {
    if (!hasKind(r[key], fields[key]!)) {
      throw new LineError(`${String(type)} record: field "${key}" must be ${fields[key]}, got ${JSON.stringify(r[key]) ?? 'nothing'}`, false);
    }
  }
}

/** Checks a header already brought to the current version. */
export function checkHeaderShape(h: Record<string, unknown>): asserts h is Record<string, unknown> & LogHeader {
  const s = h.system as Record<string, unknown> | undefined;
  const bad = (why: string): never => { throw new LineError(`invalid header: ${why}`, false); };
  if (typeof s !== 'object' || s === null || Array.isArray(s)) bad('"system" must be an object (the scenario without its ops)');
  const sys = s as Record<string, unknown>;
  if (typeof sys.name !== 'string') bad('system.name must be a string');
  if (!(ERAS as readonly unknown[]).includes(sys.kernel)) bad(`system.kernel must be one of ${ERAS.join(', ')}`);
  if (!(ARCH_NAMES as readonly unknown[]).includes(sys.arch)) bad(`system.arch must be one of ${ARCH_NAMES.join(', ')}`);
  if (!hasKind(sys.machine, 'object')) bad('system.machine must be an object');
  if (!Array.isArray(sys.boot)) bad('system.boot must be an array');
  if (!hasKind(sys.params, 'object')) bad('system.params must be an object');
  if (h.createdAt !== undefined && typeof h.createdAt !== 'string') bad('createdAt must be a string');
}
