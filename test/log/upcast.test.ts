import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOG_VERSION, openLogForAppend, readLog, upgradeLog, UPCASTERS } from '../../src/log/index.ts';
import { eventFor } from './helpers/sample.ts';
import { tempDir } from './helpers/tmp.ts';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/log-v1.jsonl');

/** The fixture's events as the current version names them. */
const expectedEvents = [
  { seq: 1, type: 'op', op: { op: 'add_memory', node: 0, start: 4294967296, size: 134217728, flags: ['MHP_MEMMAP_DEVICE'] }, ret: 0, errno: null },
  // version 4 records what the request did (version 3's evolve worked it out on every replay)
  {
    seq: 2, type: 'resource', action: 'request', start: 4294967296, size: 134217728, flags: ['IORESOURCE_SYSTEM_RAM'],
    remove: [], insert: [{ start: 4294967296, size: 134217728, name: 'System RAM', driverManaged: false, container: false }], firmwareMap: 'add',
  },
  { seq: 3, type: 'transition', machine: 'memory_block', actor: 'memory32', event: { type: 'ADD' }, from: 'absent', to: 'offline', context: { nr_vmemmap_pages: 512 } },
  { seq: 4, type: 'op', op: { op: 'state', block: 32, value: 'online_movable' }, ret: 0, errno: null },
  { seq: 5, type: 'transition', machine: 'memory_block', actor: 'memory32', event: { type: 'ONLINE', zone: 'Movable' }, from: 'offline', to: 'online', context: { zone: 'Movable' } },
  { seq: 6, type: 'account', node: 0, zone: 'Movable', presentPages: 32768, managedPages: 32256, span: { startPfn: 1048576, endPfn: 1081344 }, reason: 'online_pages' },
  { seq: 7, type: 'account', node: 0, zone: null, presentPages: 1081344, reason: 'online_pages' },
];

function copyOfFixture(): string {
  const file = path.join(tempDir(), 'old.log');
  fs.copyFileSync(fixture, file);
  return file;
}

describe('format version 1 logs', () => {
  it('the fixture really is version 1 with the old field names', () => {
    const text = fs.readFileSync(fixture, 'utf8');
    expect(text.startsWith('{"format":"memhp-log","version":1,')).toBe(true);
    expect(text).toContain('"present":32768,"managed":32256');
    expect(text).not.toContain('presentPages');
  });

  it('opens as current-version events', () => {
    const r = readLog(fixture);
    expect(r.fileVersion).toBe(1);
    expect(r.header.version).toBe(LOG_VERSION);
    expect(r.header.system.name).toBe('seed-example-1g');
    expect(r.header.createdAt).toBe('2019-03-26T12:00:00.000Z');
    expect(r.events).toEqual(expectedEvents);
    expect(r.warnings).toEqual([]);
  });

  it('is not appended to as is: v2 lines would be mixed into a v1 file', () => {
    const file = copyOfFixture();
    expect(() => openLogForAppend(file)).toThrow(
      `memhp log ${file} is format version 1; it can be read but not appended to. Rewrite it as version ${LOG_VERSION} with upgradeLog()`,
    );
    expect(fs.readFileSync(file)).toEqual(fs.readFileSync(fixture));
  });

  it('upgradeLog rewrites it as the current version, keeping every event', () => {
    const file = copyOfFixture();
    upgradeLog(file);
    const r = readLog(file);
    expect(r.fileVersion).toBe(LOG_VERSION);
    expect(r.events).toEqual(expectedEvents);
    expect(fs.readFileSync(file, 'utf8')).toContain('"presentPages":32768,"managedPages":32256');
    const w = openLogForAppend(file);
    expect(w.append([eventFor(8)])[0]!.seq).toBe(8);
    w.close();
  });

  it('every older version has an upcaster step', () => {
    for (let v = 1; v < LOG_VERSION; v++) expect(UPCASTERS.get(v)?.from).toBe(v);
  });
});

describe('format version 2 headers (before machine.config)', () => {
  it('an x86_64 header gets ARCH_MEMORY_PROBE, which every version-2 run had (the probe file existed on x86)', async () => {
    // the 2 -> 3 step alone (later steps raise the version further)
    const upcastHeader = (h: Record<string, unknown>, _v: 2) => UPCASTERS.get(2)!.header(h);
    const h = { format: 'memhp-log', version: 2, system: { name: 'old', kernel: '6.8', arch: 'x86_64', machine: { hypervisor: true, sparsemem: 'vmemmap' }, boot: [], params: {} } };
    const up = upcastHeader(h, 2) as { version: number; system: { machine: { config?: unknown } } };
    expect(up.version).toBe(3);
    expect(up.system.machine.config).toEqual({ ARCH_MEMORY_PROBE: true });
    // powerpc always had it (def_bool y); other arches never did: nothing to record
    const arm = upcastHeader({ ...h, system: { ...h.system, arch: 'arm64-4k' } }, 2) as typeof up;
    expect(arm.system.machine.config).toBeUndefined();
  });
});
