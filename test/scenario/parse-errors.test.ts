/**
 * Invalid scenario input: every problem is reported, one per line, as
 * `<file>: <JSON path>: <explanation>` (syntax errors as `<file>:<line>:<col>: ...`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../src/scenario/index.ts';

const FILE = 'scenarios/x.json';

function errorOf(text: string, file = FILE): ScenarioError {
  try {
    parseScenario(text, file);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError, but the scenario parsed');
}

/** A scenario document with one operation list, written as JSON. */
const withOps = (...ops: unknown[]) => JSON.stringify({ name: 't', ops }, null, 2);

describe('field values', () => {
  it('names file and path of a bad size, formatted exactly', () => {
    const err = errorOf(
      withOps(
        { op: 'add_memory', node: 0, start: '8G', size: '1G' },
        { op: 'state', block: 64, value: 'online' },
        { op: 'state', block: 64, value: 'offline' },
        { op: 'remove_memory', start: '8G', size: '12Q' },
      ),
    );
    expect(err.message).toBe('scenarios/x.json: ops[3].size: "12Q" is not a size');
    expect(err.file).toBe(FILE);
    expect(err.path).toBe('ops[3].size');
    expect(err.problems).toEqual([{ path: 'ops[3].size', message: '"12Q" is not a size' }]);
  });

  it('names an unknown operation and lists the known ones', () => {
    const err = errorOf(withOps({ op: 'signal' }, { op: 'signal' }, { op: 'ad_memory', start: '8G', size: '1G' }));
    expect(err.message).toBe(
      'scenarios/x.json: ops[2].op: "ad_memory" is not an operation (expected one of add_memory, probe, state, online, ' +
        'remove_memory, offline_and_remove_memory, set, inject, pin, unpin, signal, touch, write, acpi_dimm_add, acpi_dimm_eject, ' +
        'virtio_mem_add, virtio_mem_resize, dax_kmem_add, dax_kmem_remove, agent)',
    );
  });

  it('rejects unknown fields at every level (typos)', () => {
    const err = errorOf(
      JSON.stringify({
        parmas: {},
        machine: { hypervisor: true, blockSize: '128M' },
        params: { memmap_on_memry: 'on' },
        boot: [{ node: 0, size: '4G', free: '1G' }],
        ops: [{ op: 'add_memory', start: '8G', sise: '1G' }],
      }),
    );
    // In the order the places appear in the file; a missing field after the fields present.
    expect(err.message.split('\n')).toEqual([
      'scenarios/x.json: parmas: unknown field (expected one of name, description, kernel, arch, machine, boot, params, agents, ops)',
      'scenarios/x.json: machine.blockSize: unknown field (expected one of hypervisor, memoryBlockSize, sparsemem, possibleNodes, config)',
      'scenarios/x.json: params.memmap_on_memry: unknown field (expected one of memmap_on_memory, auto_online_blocks, online_policy, ' +
        'auto_movable_ratio, auto_movable_numa_aware, movable_node, v2_remove_guard, vmemmap_hotplug)',
      'scenarios/x.json: boot[0].free: unknown field (expected one of node, size, used, maxFreeOrder, ranges)',
      'scenarios/x.json: ops[0].sise: unknown field (expected one of op, node, start, size, flags)',
      'scenarios/x.json: ops[0].size: missing (expected a size such as 128M, 1G or 0x8000000)',
    ]);
  });

  it('names wrong JSON types with what was written', () => {
    const err = errorOf(JSON.stringify({ name: 7, boot: { node: 0 }, machine: { hypervisor: 'maybe' }, ops: [{ op: 'touch', block: '65' }, 3] }));
    expect(err.message.split('\n')).toEqual([
      'scenarios/x.json: name: expected a scenario name (a non-empty string), got 7',
      'scenarios/x.json: boot: expected a list, got an object',
      'scenarios/x.json: machine.hypervisor: expected true or false (also Y/N, 1/0, on/off), got "maybe"',
      'scenarios/x.json: ops[0].block: expected a memory block number (a whole number >= 0), got "65"',
      'scenarios/x.json: ops[1]: expected an object, got 3',
    ]);
  });

  it('rejects a document that is not an object', () => {
    expect(errorOf('[1, 2]').message).toBe('scenarios/x.json: expected an object, got a list');
  });

  it('checks the injected errno range [-4095, 0]', () => {
    const err = errorOf(
      withOps(
        { op: 'inject', action: 'MEM_GOING_ONLINE', error: -4096 },
        { op: 'inject', action: 'MEM_GOING_OFFLINE', error: 12 },
        { op: 'inject', action: 'MEM_GOING_OFFLINE', error: '-ENOMEM' },
        { op: 'inject', action: 'MEM_ONLINE', error: -12 },
      ),
    );
    const range = 'expected a negative errno or 0 to disarm (a whole number from -4095 to 0)';
    expect(err.message.split('\n')).toEqual([
      `scenarios/x.json: ops[0].error: ${range}, got -4096`,
      `scenarios/x.json: ops[1].error: ${range}, got 12`,
      `scenarios/x.json: ops[2].error: ${range}, got "-ENOMEM"`,
      'scenarios/x.json: ops[3].action: "MEM_ONLINE" is not an injectable notifier action (expected one of MEM_GOING_ONLINE, MEM_GOING_OFFLINE)',
    ]);
    // The bounds themselves are accepted.
    expect(() => parseScenario(withOps({ op: 'inject', action: 'MEM_GOING_ONLINE', error: -4095 }, { op: 'inject', action: 'MEM_GOING_ONLINE', error: 0 }), FILE)).not.toThrow();
  });

  it('names a bad architecture and kernel era', () => {
    const err = errorOf(JSON.stringify({ kernel: '5.4', arch: 'x86', machine: { sparsemem: 'flat' } }));
    expect(err.message.split('\n')).toEqual([
      'scenarios/x.json: kernel: "5.4" is not a kernel era (expected one of v2-2019, 5.13, 5.15, 6.6, 6.8)',
      'scenarios/x.json: arch: "x86" is not an architecture (expected one of x86_64, arm64-4k, arm64-16k, arm64-64k, ppc64-radix, ppc64-hash, s390x)',
      'scenarios/x.json: machine.sparsemem: "flat" is not a sparsemem model (expected one of vmemmap, classic)',
    ]);
  });

  it('checks per-operation structure: flags, value types, runtime parameters, block sizes (string values are the kernel\'s to judge)', () => {
    const err = errorOf(
      JSON.stringify({
        kernel: 'v2-2019',
        machine: { memoryBlockSize: '384M' },
        ops: [
          { op: 'add_memory', start: '8G', size: '1G', flags: ['MHP_MEMMAP_DEVICE', 'MHP_MEMMAP_DEVICE'] },
          { op: 'add_memory', start: '8G', size: '1G', flags: 'MHP_MEMMAP_DEVICE' },
          { op: 'state', block: 64, value: 3 },
          { op: 'online', block: 64, value: null },
          { op: 'set', param: 'memmap_on_memory', value: 'on' },
          { op: 'set', param: 'auto_movable_ratio', value: [1] },
          { op: 'probe', addr: 'eight gigs' },
        ],
      }),
    );
    expect(err.message.split('\n')).toEqual([
      'scenarios/x.json: machine.memoryBlockSize: "384M" is not a power of two (memory block sizes are)',
      'scenarios/x.json: ops[0].flags[1]: MHP_MEMMAP_DEVICE is listed twice',
      'scenarios/x.json: ops[1].flags: expected a list, got "MHP_MEMMAP_DEVICE"',
      'scenarios/x.json: ops[2].value: expected an online type (offline, online, online_kernel, online_movable) as a string, got 3',
      'scenarios/x.json: ops[3].value: expected 1, 0, true, false or the string written, got null',
      'scenarios/x.json: ops[4].param: "memmap_on_memory" is not a runtime parameter (expected one of auto_online_blocks, online_policy, ' +
        'auto_movable_ratio, auto_movable_numa_aware, vmemmap_hotplug, v2_remove_guard); memmap_on_memory is fixed at boot: set it in "params"',
      'scenarios/x.json: ops[5].value: expected the value written to the parameter (a string, number or boolean), got a list',
      'scenarios/x.json: ops[6].addr: "eight gigs" is not a size',
    ]);
  });

  it('requires a one-line description', () => {
    expect(errorOf(JSON.stringify({ description: 'one\ntwo' })).message).toBe('scenarios/x.json: description: must be a single line');
  });
});

describe('boot nodes and machine', () => {
  it('rejects a boot node listed twice', () => {
    const err = errorOf(JSON.stringify({ boot: [{ node: 0, size: '4G' }, { node: 0, size: '4G' }] }));
    expect(err.message).toBe('scenarios/x.json: boot[1].node: node 0 is listed twice (first at boot[0])');
  });

  it('requires boot nodes in order 0, 1, 2', () => {
    const err = errorOf(JSON.stringify({ boot: [{ node: 1, size: '4G' }] }));
    expect(err.message).toBe('scenarios/x.json: boot[0].node: expected node 0, got 1 (boot nodes are listed in order: 0, 1, 2 ...)');
  });

  it('requires positive boot sizes, used within size, and some boot memory', () => {
    const err = errorOf(JSON.stringify({ boot: [{ node: 0, size: 0 }, { node: 1, size: '1G', used: '2G', maxFreeOrder: 14 }] }));
    expect(err.message.split('\n')).toEqual([
      'scenarios/x.json: boot[0].size: 0 is zero (expected a size above 0)',
      "scenarios/x.json: boot[1].used: 2G used is more than the node's 1G of boot memory",
      'scenarios/x.json: boot[1].maxFreeOrder: expected a page order (a whole number from 0 to 13), got 14',
    ]);
    expect(errorOf(JSON.stringify({ boot: [] })).message).toBe('scenarios/x.json: boot: needs at least one boot node');
  });

  it('checks limits of the architecture: MAX_PAGE_ORDER and the section size', () => {
    const err = errorOf(JSON.stringify({ arch: 'ppc64-radix', machine: { memoryBlockSize: '8M' }, boot: [{ node: 0, size: '4G', maxFreeOrder: 10 }] }));
    expect(err.message.split('\n')).toEqual([
      'scenarios/x.json: machine.memoryBlockSize: 8M is smaller than one section (16M on ppc64-radix, kernel 6.8)',
      'scenarios/x.json: boot[0].maxFreeOrder: 10 is above MAX_PAGE_ORDER (8 on ppc64-radix)',
    ]);
    // arm64 4K sections were 1 GiB in 2019 (docs/kernel-model.md §2).
    expect(errorOf(JSON.stringify({ kernel: 'v2-2019', arch: 'arm64-4k', machine: { memoryBlockSize: '128M' } })).message).toBe(
      'scenarios/x.json: machine.memoryBlockSize: 128M is smaller than one section (1G on arm64-4k, kernel v2-2019)',
    );
  });

  it('requires possibleNodes to cover the boot nodes', () => {
    const err = errorOf(JSON.stringify({ machine: { possibleNodes: 1 }, boot: [{ node: 0, size: '4G' }, { node: 1, size: '4G' }] }));
    expect(err.message).toBe('scenarios/x.json: machine.possibleNodes: 1 is fewer than the 2 boot nodes');
  });
});

describe('JSON syntax', () => {
  it('names line and column of a missing comma', () => {
    const text = '{\n  "name": "t",\n  "kernel": "6.8"\n  "arch": "x86_64"\n}\n';
    const err = errorOf(text);
    expect(err.message).toBe('scenarios/x.json:4:3: invalid JSON: expected "," or "}" after the value of "kernel", found "\\""');
    expect(err.problems[0]).toMatchObject({ line: 4, column: 3 });
  });

  it.each([
    ['{\n  "ops": [\n    { "op": "signal" },\n  ]\n}', 'scenarios/x.json:4:3: invalid JSON: trailing comma before "]"'],
    ['{\n  "machine": { "memoryBlockSize": 128M }\n}', 'scenarios/x.json:2:35: invalid JSON: malformed number "128M" (sizes such as 128M need double quotes)'],
    ['{ "kernel": v2 }', 'scenarios/x.json:1:13: invalid JSON: unexpected word "v2" (strings need double quotes)'],
    ['{ "name": "a\nb" }', 'scenarios/x.json:1:13: invalid JSON: line break inside a string (unterminated string?)'],
    ['{ "name": "t" } }', 'scenarios/x.json:1:17: invalid JSON: unexpected "}" after the end of the JSON value'],
    ['{ "name": "t"', 'scenarios/x.json:1:14: invalid JSON: expected "," or "}" after the value of "name", found the end of the file'],
    ['  \n', 'scenarios/x.json:2:1: invalid JSON: the file is empty (expected a JSON object)'],
    ["{ 'name': 't' }", 'scenarios/x.json:1:3: invalid JSON: expected a field name in double quotes, found "\'"'],
    ['{ "name": "t", // comment\n}', 'scenarios/x.json:1:16: invalid JSON: expected a field name in double quotes, found "/"'],
  ])('%j', (text, message) => {
    expect(errorOf(text).message).toBe(message);
  });

  it('reports a field written twice instead of silently keeping the last', () => {
    const err = errorOf('{ "params": { "memmap_on_memory": "on", "memmap_on_memory": "off" } }');
    expect(err.message).toBe('scenarios/x.json: params.memmap_on_memory: field written twice in one object');
  });

  it('accepts a byte-order mark', () => {
    expect(parseScenario('\uFEFF{ "name": "bom" }', FILE).name).toBe('bom');
  });
});

describe('all problems at once', () => {
  it('lists every problem of the file, one per line, in file order', () => {
    const err = errorOf(
      JSON.stringify({
        arch: 'arm',
        boot: [{ node: 0, size: '4G' }, { node: 0, size: '4X' }],
        ops: [{ op: 'add_memory', start: '8G', size: '1Q' }, { op: 'touch' }, { op: 'nope' }],
      }),
    );
    expect(err.problems.map((p) => p.path)).toEqual(['arch', 'boot[1].node', 'boot[1].size', 'ops[0].size', 'ops[1].block', 'ops[2].op']);
    expect(err.message.split('\n')).toHaveLength(6);
    for (const line of err.message.split('\n')) expect(line.startsWith('scenarios/x.json: ')).toBe(true);
  });
});

describe('loadScenarioFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'memhp-scenario-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file it read in every message', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, withOps({ op: 'touch', block: -1 }));
    expect(() => loadScenarioFile(file)).toThrow(`${file}: ops[0].block: expected a memory block number (a whole number >= 0), got -1`);
  });

  it('reports a missing file or a directory clearly', () => {
    const missing = join(dir, 'nope.json');
    expect(() => loadScenarioFile(missing)).toThrow(new ScenarioError(missing, [{ path: '', message: 'no such file' }]));
    expect(() => loadScenarioFile(dir)).toThrow(`${dir}: is a directory, not a scenario file`);
  });

  it('loads a valid file and names the scenario after it when it has no name', () => {
    const file = join(dir, 'tiny-add.json');
    writeFileSync(file, JSON.stringify({ ops: [{ op: 'add_memory', start: '4G', size: '128M' }] }));
    expect(loadScenarioFile(file)).toMatchObject({ name: 'tiny-add', ops: [{ op: 'add_memory', node: 0, start: 4 * 2 ** 30, size: 2 ** 27, flags: [] }] });
  });
});

describe('driver operations in a scenario', () => {
  it('take sizes, a device name and defaults (node 0, requested 0), and name the place of a bad value', () => {
    const sc = parseScenario(
      JSON.stringify({
        ops: [
          { op: 'virtio_mem_add', device: 'virtio0', start: '16G', size: '8G' },
          { op: 'virtio_mem_resize', device: 'virtio0', requested: '2G' },
          { op: 'dax_kmem_add', device: 'dax0.0', node: 1, start: '32G', size: '1G', memmap_on_memory: 'yes' },
          { op: 'acpi_dimm_add', device: 'PNP0C80:00', start: '40G', size: '1G' },
        ],
      }),
      'scenarios/d.json',
    );
    expect(sc.ops[0]).toEqual({ op: 'virtio_mem_add', device: 'virtio0', node: 0, start: 16 * 1024 ** 3, size: 8 * 1024 ** 3, requested: 0 });
    expect(sc.ops[2]).toMatchObject({ op: 'dax_kmem_add', node: 1, memmap_on_memory: true });
    expect(sc.machine.possibleNodes).toBe(2);
    let err: unknown;
    try {
      parseScenario(JSON.stringify({ ops: [{ op: 'virtio_mem_resize', device: 'virtio 0', requested: '2Q' }] }), 'scenarios/d.json');
    } catch (e) {
      err = e;
    }
    expect(String((err as Error).message)).toMatch(/ops\[0\]\.device: expected a device name/);
    expect(String((err as Error).message)).toMatch(/ops\[0\]\.requested: "2Q" is not a size/);
  });
});
