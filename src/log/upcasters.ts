/**
 * Older format versions are read by lifting each header and record one
 * version at a time (N -> N+1) until it is current. The line framing
 * (seq first, optional "commit", "crc" last) is the same in every version;
 * only the content of headers and records changes.
 *
 * Version history:
 *   1  the first format. AccountEvent named its page counters `present`
 *      and `managed`.
 *   2  they are `presentPages` and `managedPages`, matching
 *      `memmapPages` and the kernel's present_pages/managed_pages.
 *   3  (current) the header's system.machine may carry `config` (kernel
 *      build options, src/kernel/config.ts). A version-2 header had none and
 *      ran with /sys/devices/system/memory/probe on x86_64 and powerpc, so it
 *      is lifted with ARCH_MEMORY_PROBE set there: re-deciding an old log
 *      (replay --verify, check) gives the results it recorded.
 */
import { LOG_VERSION } from './schema.ts';

type Json = Record<string, unknown>;

export interface Upcaster {
  /** The version this step reads; it produces from + 1. */
  from: number;
  header(h: Json): Json;
  record(r: Json): Json;
}

function renameField(r: Json, from: string, to: string): void {
  if (Object.hasOwn(r, from)) {
    r[to] = r[from];
    delete r[from];
  }
}

const v1ToV2: Upcaster = {
  from: 1,
  header: (h) => ({ ...h, version: 2 }),
  record: (r) => {
    if (r.type !== 'account') return r;
    const out = { ...r };
    renameField(out, 'present', 'presentPages');
    renameField(out, 'managed', 'managedPages');
    return out;
  },
};

const v2ToV3: Upcaster = {
  from: 2,
  header: (h) => {
    const system = (h.system ?? {}) as Json;
    const machine = (system.machine ?? {}) as Json;
    if (machine.config !== undefined || system.arch !== 'x86_64') return { ...h, version: 3 };
    return { ...h, version: 3, system: { ...system, machine: { ...machine, config: { ARCH_MEMORY_PROBE: true } } } };
  },
  record: (r) => r,
};

/** Keyed by the version each step reads. Every version below LOG_VERSION needs one. */
export const UPCASTERS: ReadonlyMap<number, Upcaster> = new Map([
  [1, v1ToV2],
  [2, v2ToV3],
]);

function chain(fromVersion: number): Upcaster[] {
  const steps: Upcaster[] = [];
  for (let v = fromVersion; v < LOG_VERSION; v++) {
    const step = UPCASTERS.get(v);
    if (step === undefined) throw new Error(`no upcaster from log format version ${v} to ${v + 1}`);
    steps.push(step);
  }
  return steps;
}

/** Brings a header of `fromVersion` to the current version. */
export function upcastHeader(h: Json, fromVersion: number): Json {
  return chain(fromVersion).reduce((acc, step) => step.header(acc), h);
}

/** A function lifting one record of `fromVersion` to the current version (identity when current). */
export function recordUpcaster(fromVersion: number): ((r: Json) => Json) | null {
  const steps = chain(fromVersion);
  if (steps.length === 0) return null;
  return (r) => steps.reduce((acc, step) => step.record(acc), r);
}
