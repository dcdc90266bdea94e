/** The scenario files shipped in scenarios/: they parse, say what they show, and touch only memory they have. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/kernel/ops.ts';
import { loadScenarioFile, parseScenario, scenarioToJson } from '../../src/scenario/index.ts';

const DIR = join(import.meta.dirname, '../../scenarios');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const load = (name: string) => loadScenarioFile(join(DIR, name));
const M = 2 ** 20;
const G = 2 ** 30;

/** [start, end) ranges of memory a scenario's boot nodes and hot-adds provide. */
function memoryRanges(s: Scenario): [number, number][] {
  const ranges: [number, number][] = [];
  let end = 0;
  for (const b of s.boot) ranges.push([end, (end += b.size)]);
  // add_memory and the drivers' adds (acpi_dimm_add, virtio_mem_add, dax_kmem_add: their device's range)
  for (const op of s.ops) if (op.op === 'add_memory' || op.op.endsWith('_add')) ranges.push([(op as { start: number }).start, (op as { start: number; size: number }).start + (op as { size: number }).size]);
  return ranges;
}

describe('shipped scenarios', () => {
  it('include the seed examples and the listed demonstrations', () => {
    expect(FILES).toEqual(
      expect.arrayContaining([
        'seed-device-1g.json',
        'seed-memblock-1g.json',
        'seed-reviewer-partial-remove.json',
        'seed-reviewer-guard.json',
        'seed-reviewer-6.8.json',
        'device-8g-memmap-fills-first-block.json',
        'balloon-near-oom.json',
        'movable-node-remote-memmap.json',
        'ppc64-radix-force.json',
        'classic-ignores-flags.json',
        'selftest-round.json',
      ]),
    );
  });

  describe.each(FILES)('%s', (file) => {
    const s = load(file);

    it('has a name and a one-line description', () => {
      expect(s.name.length).toBeGreaterThan(0);
      expect(s.description).toMatch(/^[^\n]{10,200}$/);
    });

    it('names its block size and refers only to blocks and ranges that exist', () => {
      const bs = s.machine.memoryBlockSize;
      expect(bs).toBeDefined();
      const ranges = memoryRanges(s);
      const covered = (start: number, size: number) => ranges.some(([a, b]) => start >= a && start + size <= b);
      for (const op of s.ops) {
        if ('block' in op) expect(covered(op.block * bs!, bs!), `${op.op} block ${op.block}`).toBe(true);
        if (op.op === 'remove_memory' || op.op === 'offline_and_remove_memory') expect(covered(op.start, op.size)).toBe(true);
        if (op.op === 'add_memory') {
          expect(op.start % bs!).toBe(0);
          expect(op.size % bs!).toBe(0);
        }
      }
    });

    it('survives a round trip through scenarioToJson', () => {
      expect(parseScenario(scenarioToJson(s), file)).toEqual(s);
    });
  });

  it('asks the reviewer question: DEVICE add at 8G, remove the first block (block 64), touch block 65', () => {
    const s = load('seed-reviewer-partial-remove.json');
    expect(s.kernel).toBe('v2-2019');
    expect(s.params.v2_remove_guard).toBe(false);
    expect(s.ops[0]).toEqual({ op: 'add_memory', node: 0, start: 8 * G, size: G, flags: ['MHP_MEMMAP_DEVICE'] });
    expect(s.ops.slice(-3)).toEqual([
      { op: 'state', block: 64, value: 'offline' },
      { op: 'remove_memory', start: 64 * 128 * M, size: 128 * M },
      { op: 'touch', block: 65 },
    ]);
  });

  it('varies the reviewer question only where it says', () => {
    const base = load('seed-reviewer-partial-remove.json');
    const guard = load('seed-reviewer-guard.json');
    const merged = load('seed-reviewer-6.8.json');
    expect(guard.ops).toEqual(base.ops);
    expect(guard.params).toEqual({ ...base.params, v2_remove_guard: true });
    expect(merged.kernel).toBe('6.8');
    expect(merged.params.memmap_on_memory).toBe('on');
    expect(merged.ops[0]).toEqual({ ...base.ops[0], flags: ['MHP_MEMMAP_ON_MEMORY'] });
    expect(merged.ops.slice(1)).toEqual(base.ops.slice(1));
  });

  it('removes the MEMBLOCK add in eight 128 MiB pieces covering the whole GiB', () => {
    const removes = load('seed-memblock-1g.json').ops.filter((o) => o.op === 'remove_memory');
    expect(removes.map((o) => ('start' in o ? o.start : -1))).toEqual([...Array(8).keys()].map((i) => 8 * G + i * 128 * M));
  });

  it('configures ppc64 radix with 256 MiB blocks and memmap_on_memory=force', () => {
    const s = load('ppc64-radix-force.json');
    expect([s.arch, s.machine.memoryBlockSize, s.params.memmap_on_memory]).toEqual(['ppc64-radix', 256 * M, 'force']);
  });

  it('leaves node 1 memoryless but possible for the movable_node scenario', () => {
    const s = load('movable-node-remote-memmap.json');
    expect(s.boot.map((b) => b.node)).toEqual([0]);
    expect(s.machine.possibleNodes).toBe(2);
    expect(s.params.movable_node).toBe(true);
    expect(s.ops[0]).toMatchObject({ op: 'add_memory', node: 1, flags: [] });
  });
});
