import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/kernel/ops.ts';
import { parseScenario, scenarioToJson } from '../../src/scenario/index.ts';

const G = 2 ** 30;
const parse = (doc: unknown, file = 'scenarios/defaults.json') => parseScenario(JSON.stringify(doc), file);

describe('defaults', () => {
  it('fills every absent field', () => {
    const expected: Scenario = {
      name: 'defaults',
      kernel: '6.8',
      arch: 'x86_64',
      machine: {
        hypervisor: true,
        sparsemem: 'vmemmap',
        possibleNodes: 1,
        // x86_64 6.8 as distributions build it (src/kernel/config.ts)
        config: { ARCH_MEMORY_PROBE: false, MEMORY_HOTREMOVE: true, MHP_MEMMAP_ON_MEMORY: true, MEMORY_HOTPLUG_DEFAULT_ONLINE: false, SPARSEMEM_VMEMMAP: true },
      },
      boot: [{ node: 0, size: 4 * G, used: 0, maxFreeOrder: 10 }],
      params: {
        memmap_on_memory: 'off',
        auto_online_blocks: 'offline',
        online_policy: 'contig-zones',
        auto_movable_ratio: 301,
        auto_movable_numa_aware: true,
        movable_node: false,
        v2_remove_guard: false,
        vmemmap_hotplug: true,
      },
      ops: [],
    };
    expect(parse({})).toEqual(expected);
  });

  it('leaves memoryBlockSize undefined so the engine probes it', () => {
    expect('memoryBlockSize' in parse({}).machine).toBe(false);
    expect(parse({ machine: { memoryBlockSize: '2G' } }).machine.memoryBlockSize).toBe(2 * G);
  });

  it('fills the fields of a partly written boot node and machine', () => {
    const s = parse({ machine: { hypervisor: false }, boot: [{ node: 0, size: '2G' }, { node: 1, size: '1G', used: '512M', maxFreeOrder: 3 }] });
    expect(s.machine).toMatchObject({ hypervisor: false, sparsemem: 'vmemmap', possibleNodes: 2 });
    expect(s.boot).toEqual([
      { node: 0, size: 2 * G, used: 0, maxFreeOrder: 10 },
      { node: 1, size: G, used: G / 2, maxFreeOrder: 3 },
    ]);
  });

  it("takes maxFreeOrder from the arch's MAX_PAGE_ORDER", () => {
    expect(parse({ arch: 'arm64-64k' }).boot[0].maxFreeOrder).toBe(13);
    expect(parse({ arch: 'ppc64-radix' }).boot[0].maxFreeOrder).toBe(8);
    expect(parse({ arch: 'x86_64', boot: [{ node: 0, size: '1G', maxFreeOrder: 4 }] }).boot[0].maxFreeOrder).toBe(4);
  });

  it('makes possibleNodes cover the boot nodes and every node an add names', () => {
    expect(parse({ ops: [{ op: 'add_memory', node: 3, start: '8G', size: '1G' }] }).machine.possibleNodes).toBe(4);
    expect(parse({ boot: [{ node: 0, size: '1G' }, { node: 1, size: '1G' }] }).machine.possibleNodes).toBe(2);
    // Written explicitly it stays, even below an add's node: that add then fails with -EINVAL in the kernel.
    expect(parse({ machine: { possibleNodes: 1 }, ops: [{ op: 'add_memory', node: 1, start: '8G', size: '1G' }] }).machine.possibleNodes).toBe(1);
  });

  it('defaults add_memory to node 0 with no flags', () => {
    expect(parse({ ops: [{ op: 'add_memory', start: '0x200000000', size: '128M' }] }).ops).toEqual([
      { op: 'add_memory', node: 0, start: 8 * G, size: 128 * 2 ** 20, flags: [] },
    ]);
  });
});

describe('value spellings', () => {
  it.each([
    ['off', 'off'],
    ['on', 'on'],
    ['force', 'force'],
    ['FORCE', 'force'],
    [true, 'on'],
    [false, 'off'],
    ['Y', 'on'],
    ['N', 'off'],
    ['1', 'on'],
    ['0', 'off'],
    [1, 'on'],
    [0, 'off'],
  ])('memmap_on_memory %j means %s', (value, mode) => {
    expect(parse({ params: { memmap_on_memory: value } }).params.memmap_on_memory).toBe(mode);
  });

  it('accepts an unquoted kernel era', () => {
    expect(parse({ kernel: 6.8 }).kernel).toBe('6.8');
    expect(parse({ kernel: 5.13 }).kernel).toBe('5.13');
  });

  it('keeps memoryN/online strings and set values as written: the kernel parses them at run time', () => {
    const s = parse({
      ops: [
        { op: 'online', block: 32, value: 1 },
        { op: 'online', block: 32, value: '0' },
        { op: 'online', block: 32, value: true },
        { op: 'set', param: 'vmemmap_hotplug', value: 'N' },
        { op: 'set', param: 'auto_movable_ratio', value: 0 },
        { op: 'set', param: 'online_policy', value: 'auto-movable' },
      ],
    });
    expect(s.ops).toEqual([
      { op: 'online', block: 32, value: true },
      { op: 'online', block: 32, value: '0' },
      { op: 'online', block: 32, value: true },
      { op: 'set', param: 'vmemmap_hotplug', value: 'N' },
      { op: 'set', param: 'auto_movable_ratio', value: 0 },
      { op: 'set', param: 'online_policy', value: 'auto-movable' },
    ]);
  });

  it('parses every operation kind', () => {
    const ops = [
      { op: 'add_memory', node: 1, start: '8G', size: '1G', flags: ['MHP_MEMMAP_ON_MEMORY'] },
      { op: 'probe', addr: '0x240000000' },
      { op: 'state', block: 72, value: 'online_kernel' },
      { op: 'online', block: 72, value: 0 },
      { op: 'remove_memory', start: '8G', size: '128M' },
      { op: 'offline_and_remove_memory', start: '9G', size: '256M' },
      { op: 'set', param: 'auto_online_blocks', value: 'online_movable' },
      { op: 'inject', action: 'MEM_GOING_OFFLINE', error: -16 },
      { op: 'pin', block: 70 },
      { op: 'unpin', block: 70 },
      { op: 'signal' },
      { op: 'touch', block: 66 },
    ];
    expect(parse({ ops }).ops.map((o) => o.op)).toEqual(ops.map((o) => o.op));
    expect(parse({ ops }).ops[1]).toEqual({ op: 'probe', addr: 9 * G });
  });
});

describe('scenarioToJson', () => {
  it('writes every default out and sizes with units, and parses back to the same scenario', () => {
    const s = parse({ ops: [{ op: 'add_memory', start: '0x200000000', size: 1610612736 }] });
    const text = scenarioToJson(s);
    expect(text).toContain('{ "op": "add_memory", "node": 0, "start": "8G", "size": "1536M", "flags": [] }');
    expect(text).toContain('{ "node": 0, "size": "4G", "used": "0", "maxFreeOrder": 10 }');
    expect(text).toContain('"vmemmap_hotplug": true');
    expect(parseScenario(text, 'elsewhere.json')).toEqual(s);
  });
});
