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
 *   3  the header's system.machine may carry `config` (kernel
 *      build options, src/kernel/config.ts). A version-2 header had none and
 *      ran with /sys/devices/system/memory/probe on x86_64 and powerpc, so it
 *      is lifted with ARCH_MEMORY_PROBE set there: re-deciding an old log
 *      (replay --verify, check) gives the results it recorded.
 *   4  (current) events carry the outcome of the rules evolve used to run:
 *      a `resource` event its `remove`/`insert` lists and `firmwareMap`, a
 *      `node` event that brings a new node its `maxFreeOrder`. The step from 3
 *      replays version 3's rules once, frozen here, over the records in order.
 *
 * A record step is made once per log (records(header)) and is fed that log's
 * records in order: it may keep state across them (3 -> 4 does).
 */
import { geometryOf } from '../kernel/geometry.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { LineError } from './errors.ts';
import { LOG_VERSION } from './schema.ts';

type Json = Record<string, unknown>;

export interface Upcaster {
  /** The version this step reads; it produces from + 1. */
  from: number;
  header(h: Json): Json;
  /** A record step for one log, given its header (already current); fed that log's records in order. */
  records(header: Json): (r: Json) => Json;
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
  records: () => (r) => {
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
  records: () => (r) => r,
};

interface V3Resource {
  start: number;
  size: number;
  name: string;
  driverManaged: boolean;
  container: boolean;
}

/**
 * Version 3's resource rules, exactly as its evolve ran them (kept here
 * frozen, whatever the kernel model does now): a request inserts, merging
 * with adjacent same-named driver-managed siblings under MHP_MERGE_RESOURCE;
 * a release of System RAM trims or splits every resource it overlaps; a
 * container's release removes it; a plain "System RAM" request adds a firmware
 * memmap entry and a release removes an entry of exactly its range.
 */
function v3ResourceRecords(): (r: Json) => Json {
  let list: V3Resource[] = [];
  let firmware: { start: number; size: number }[] = [];
  return (r) => {
    const start = r.start as number;
    const size = r.size as number;
    const end = start + size;
    const name = (r.name as string | undefined) ?? 'System RAM';
    const remove: V3Resource[] = [];
    const insert: V3Resource[] = [];
    let firmwareMap: 'add' | 'remove' | undefined;
    if (r.action === 'request') {
      let n: V3Resource = { start, size, name, driverManaged: !!r.driverManaged, container: !!r.container };
      if ((r.flags as string[]).includes('MHP_MERGE_RESOURCE')) {
        const same = (x: V3Resource) => !x.container && x.name === name && x.driverManaged === n.driverManaged;
        const prev = list.find((x) => same(x) && x.start + x.size === n.start);
        if (prev) n = { ...n, start: prev.start, size: prev.size + n.size };
        const next = list.find((x) => same(x) && x.start === end);
        if (next) n = { ...n, size: n.size + next.size };
        for (const x of [prev, next]) if (x) remove.push(x);
      }
      insert.push(n);
      if (name === 'System RAM' && !r.driverManaged && !r.container) firmwareMap = 'add';
    } else if (r.container) {
      for (const x of list) if (x.container && x.start === start && x.size === size) remove.push(x);
    } else {
      for (const x of list) {
        const xEnd = x.start + x.size;
        if (x.container || xEnd <= start || x.start >= end) continue;
        remove.push(x);
        if (x.start < start) insert.push({ ...x, size: start - x.start });
        if (xEnd > end) insert.push({ ...x, start: end, size: xEnd - end });
      }
      if (firmware.some((f) => f.start === start && f.size === size)) firmwareMap = 'remove';
    }
    list = [...list.filter((x) => !remove.includes(x)), ...insert];
    if (firmwareMap === 'add') firmware = [...firmware, { start, size }];
    if (firmwareMap === 'remove') firmware = firmware.filter((f) => !(f.start === start && f.size === size));
    return { ...r, remove, insert, ...(firmwareMap ? { firmwareMap } : {}) };
  };
}

const v3ToV4: Upcaster = {
  from: 3,
  header: (h) => ({ ...h, version: 4 }),
  records: (header) => {
    const resource = v3ResourceRecords();
    // version 3's evolve gave a node new to the world the arch's MAX_PAGE_ORDER as its largest free order
    const maxPageOrder = () => {
      if (header.system === undefined) throw new LineError('a version-3 node record needs its log\'s header to be lifted (read the log with eventLineDecoder)', false);
      return geometryOf(header.system as SystemSpec).profile.maxPageOrder;
    };
    const nodes = new Set<number>();
    return (r) => {
      if (r.type === 'resource') return resource(r);
      if (r.type !== 'node') return r;
      const node = r.node as number;
      const fresh = !nodes.has(node) && r.boot === undefined;
      nodes.add(node);
      return fresh ? { ...r, maxFreeOrder: maxPageOrder() } : r;
    };
  },
};

/** Keyed by the version each step reads. Every version below LOG_VERSION needs one. */
export const UPCASTERS: ReadonlyMap<number, Upcaster> = new Map([
  [1, v1ToV2],
  [2, v2ToV3],
  [3, v3ToV4],
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

/**
 * A function lifting the records of one log of `fromVersion` to the current
 * version (null when current). `header` is the log's header, already
 * current. Feed it every record of that log in order, and make a new one per
 * log: a step may keep state across records.
 */
export function recordUpcaster(fromVersion: number, header: Json): ((r: Json) => Json) | null {
  const steps = chain(fromVersion).map((step) => step.records(header));
  if (steps.length === 0) return null;
  return (r) => steps.reduce((acc, step) => step(acc), r);
}
