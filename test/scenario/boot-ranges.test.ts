/**
 * boot[].ranges: boot memory at given addresses, in given zones, online or not (what `memhp
 * import` writes). The rules a file must keep, and the world such a boot makes: blocks where the
 * ranges are, one iomem and firmware memmap entry per range, probe's node by address, and the
 * invariants holding.
 */
import { describe, expect, it } from 'vitest';
import { HotplugSystem } from '../../src/index.ts';
import { checkScenario } from '../../src/check/run-check.ts';
import { parseScenario, scenarioToJson } from '../../src/scenario/index.ts';

const G = 2 ** 30;
const M = 2 ** 20;
const parse = (doc: object) => parseScenario(JSON.stringify(doc), 'x.json');
const problems = (doc: object) => {
  try {
    parse(doc);
    return [];
  } catch (err) {
    return (err as Error).message.split('\n');
  }
};

const HOLE = {
  machine: { memoryBlockSize: '128M', possibleNodes: 2, config: { ARCH_MEMORY_PROBE: true } },
  boot: [
    { node: 0, ranges: [{ start: 0, size: '3G' }, { start: '4G', size: '1G' }] },
    { node: 1, ranges: [{ start: '5G', size: '512M', zone: 'Movable' }, { start: '6G', size: '256M', online: false }] },
  ],
};

describe('boot ranges in a scenario', () => {
  it('size is their sum; they write back and read again as the same scenario', () => {
    const s = parse(HOLE);
    expect(s.boot.map((b) => b.size)).toEqual([4 * G, 768 * M]);
    expect(s.boot[1]!.ranges).toEqual([{ start: 5 * G, size: 512 * M, zone: 'Movable', online: true }, { start: 6 * G, size: 256 * M, online: false }]);
    expect(parseScenario(scenarioToJson(s), 'x.json')).toEqual(s);
  });

  it('refuses a size that is not their sum, overlapping or unordered ranges, a zone on an offline range, a node with neither', () => {
    expect(problems({ boot: [{ node: 0, size: '2G', ranges: [{ start: 0, size: '1G' }] }] })).toEqual(['x.json: boot[0].size: 2G is not the 1G its ranges hold (leave size out to take their sum)']);
    expect(problems({ boot: [{ node: 0, ranges: [{ start: '1G', size: '1G' }, { start: '1536M', size: '1G' }] }] })).toEqual([
      'x.json: boot[0].ranges[1].start: 1536M is below the end of the range before it (2G): list ranges in address order, without overlap',
    ]);
    expect(problems({ boot: [{ node: 0, ranges: [{ start: 0, size: '1G', zone: 'Normal', online: false }] }] })).toEqual([
      'x.json: boot[0].ranges[0].zone: an offline range is in no zone (its zone is chosen when it is onlined)',
    ]);
    expect(problems({ boot: [{ node: 0 }] })).toEqual(["x.json: boot[0].size: missing (expected a size above 0, or the node's ranges)"]);
    expect(problems({ boot: [{ node: 0, ranges: [{ start: 0, size: '1G' }] }, { node: 1, ranges: [{ start: '512M', size: '1G' }] }] })).toEqual([
      "x.json: boot: boot memory of node 1 at 512M overlaps node 0's, which runs to 1G",
    ]);
    expect(problems({ machine: { memoryBlockSize: '128M' }, boot: [{ node: 0, ranges: [{ start: '64M', size: '1G' }] }] })).toEqual([
      'x.json: boot[0].ranges[0]: 1G at 64M is not whole 128M memory blocks (memhp lays boot memory out in whole blocks)',
    ]);
  });
});

describe('the world a boot with ranges makes', () => {
  const { ops: _ops, ...spec } = parse(HOLE);
  const s = new HotplugSystem(spec);
  const v = s.view();

  it('blocks where the ranges are, online in their zones or offline; nothing in the hole', () => {
    const ids = v.blocks.map((b) => b.id);
    expect(ids).toEqual([...Array.from({ length: 24 }, (_, i) => i), ...Array.from({ length: 8 }, (_, i) => 32 + i), 40, 41, 42, 43, 48, 49]);
    expect(v.blocks.find((b) => b.id === 0)).toMatchObject({ state: 'online', zone: null, validZones: 'none' });
    expect(v.blocks.find((b) => b.id === 32)).toMatchObject({ state: 'online', zone: 'Normal', node: 0 });
    expect(v.blocks.find((b) => b.id === 40)).toMatchObject({ state: 'online', zone: 'Movable', node: 1 });
    expect(v.blocks.find((b) => b.id === 48)).toMatchObject({ state: 'offline', zone: null, node: 1 });
  });

  it('/proc/iomem and /sys/firmware/memmap have one System RAM entry per range', () => {
    const ranges = [[0, 3 * G], [4 * G, 5 * G], [5 * G, 5 * G + 512 * M], [6 * G, 6 * G + 256 * M]];
    expect(v.iomem!.map((r) => [r.start, r.end + 1])).toEqual(ranges);
    expect(v.firmwareMemmap!.map((r) => [r.start, r.end + 1])).toEqual(ranges);
  });

  it('every invariant holds; onlining the offline range works; an add into the hole and a probe there succeed on node 0', () => {
    expect(s.apply({ op: 'state', block: 48, value: 'online_movable' }).ret).toBe(0);
    expect(s.apply({ op: 'probe', addr: 3 * G }).ret).toBe(0);
    expect(s.view().blocks.find((b) => b.id === 24)).toMatchObject({ node: 0, state: 'offline' });
    expect(s.apply({ op: 'add_memory', node: 1, start: 4 * G, size: 128 * M, flags: [] }).errno).toBe('EEXIST');
    const report = checkScenario(parse({ ...HOLE, ops: [{ op: 'state', block: 48, value: 'online_movable' }, { op: 'probe', addr: '3G' }, { op: 'state', block: 24, value: 'online' }, { op: 'state', block: 40, value: 'offline' }] }));
    expect(report.first).toBeNull();
    expect(report.ok).toBe(true);
    s.stop();
  });
});
