/**
 * Every feature in its era (issue 12, point 1) and machine.config (point 4):
 * what each kernel has, what a scenario may ask of it, and what happens at
 * run time. The kernel function or Kconfig rule behind each value is named.
 */
import { describe, expect, it } from 'vitest';
import { HotplugSystem } from '../../src/engine/system.ts';
import { configOf } from '../../src/kernel/config.ts';
import { ERA_RELEASE, FEATURE_IDS, FEATURES, compareRelease, hasFeature, erasWith } from '../../src/kernel/features.ts';
import { ERAS } from '../../src/kernel/types.ts';
import { parseScenario, ScenarioError } from '../../src/scenario/index.ts';
import { makeSpec } from '../core/spec.ts';

const parse = (doc: unknown) => parseScenario(JSON.stringify(doc), 'scenarios/era.json');
function problems(doc: unknown): string[] {
  try {
    parse(doc);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message.split('\n');
    throw e;
  }
  return [];
}
function run(doc: unknown) {
  const sc = parse(doc);
  const { ops, ...spec } = sc;
  const s = new HotplugSystem(spec, { actors: 'table' });
  return { s, results: ops.map((op) => s.apply(op)) };
}

describe('the feature table', () => {
  it('gives every era a release, in order', () => {
    const releases = ERAS.map((e) => ERA_RELEASE[e].release);
    for (let i = 1; i < releases.length; i++) expect(compareRelease(releases[i]!, releases[i - 1]!)).toBeGreaterThan(0);
  });

  it('an upstream feature, once there, stays in every later era; a series feature exists only in its series', () => {
    for (const id of FEATURE_IDS) {
      const eras = erasWith(id);
      const f = FEATURES[id];
      if ('series' in f) expect(eras, id).toEqual([f.series]);
      else expect(eras, id).toEqual(ERAS.slice(ERAS.length - eras.length));
    }
  });

  it('auto-movable came with 5.15 ("mm/memory_hotplug: introduce "auto-movable" online policy"), force with 6.6, per-block altmaps with 6.8', () => {
    expect(erasWith('param.online_policy')).toEqual(['5.15', '6.6', '6.8']);
    expect(erasWith('value.memmap_on_memory.force')).toEqual(['6.6', '6.8']);
    expect(erasWith('rule.memmap_on_memory.per_block')).toEqual(['6.8']);
    expect(erasWith('operation.offline_and_remove_memory')).toEqual(['5.13', '5.15', '6.6', '6.8']);
    expect(hasFeature('v2-2019', 'flag.MHP_MEMMAP_DEVICE')).toBe(true);
  });
});

describe('a scenario asks only what its kernel has (exit 2, the JSON path named)', () => {
  it('online_policy, auto_movable_ratio and auto_movable_numa_aware do not exist in 5.13', () => {
    expect(problems({ kernel: '5.13', params: { online_policy: 'auto-movable', auto_movable_ratio: 150, auto_movable_numa_aware: false } })).toEqual([
      'scenarios/era.json: params.online_policy: memory_hotplug.online_policy does not exist in kernel 5.13: it came with 5.15 ("mm/memory_hotplug: introduce "auto-movable" online policy"); that kernel would ignore it',
      'scenarios/era.json: params.auto_movable_ratio: memory_hotplug.auto_movable_ratio does not exist in kernel 5.13: it came with 5.15 ("mm/memory_hotplug: introduce "auto-movable" online policy"); that kernel would ignore it',
      'scenarios/era.json: params.auto_movable_numa_aware: memory_hotplug.auto_movable_numa_aware does not exist in kernel 5.13: it came with 5.15 ("mm/memory_hotplug: introduce "auto-movable" online policy"); that kernel would ignore it',
    ]);
    // the value the kernel behaves as having may be written: it changes nothing
    expect(problems({ kernel: 'v2-2019', params: { online_policy: 'contig-zones', auto_movable_ratio: 301 } })).toEqual([]);
  });

  it('memmap_on_memory=force is not a bool before 6.6 (param_set_bool rejects it)', () => {
    expect(problems({ kernel: '5.15', params: { memmap_on_memory: 'force' } })[0]).toMatch(/params\.memmap_on_memory: "force" is not a bool .* it came with 6\.6/);
    expect(problems({ kernel: '6.6', params: { memmap_on_memory: 'force' } })).toEqual([]);
  });

  it('auto_online_blocks took only online/offline before the default online_type (memhp_auto_online was a bool)', () => {
    expect(problems({ kernel: 'v2-2019', params: { auto_online_blocks: 'online_movable' } })[0]).toMatch(/params\.auto_online_blocks: kernel v2-2019 takes only online or offline/);
    expect(problems({ kernel: '5.13', params: { auto_online_blocks: 'online_movable' } })).toEqual([]);
  });

  it('flags and functions the era lacks', () => {
    expect(problems({ kernel: '6.8', ops: [{ op: 'add_memory', start: '8G', size: '1G', flags: ['MHP_MEMMAP_DEVICE'] }] })).toEqual([
      'scenarios/era.json: ops[0].flags[0]: MHP_MEMMAP_DEVICE does not exist in kernel 6.8: it exists only in the v2-2019 series ("[PATCH v2 2/5] mm,memory_hotplug: Introduce MHP_VMEMMAP_FLAGS")',
    ]);
    expect(problems({ kernel: 'v2-2019', ops: [{ op: 'add_memory', start: '8G', size: '1G', flags: ['MHP_MEMMAP_ON_MEMORY'] }] })[0]).toMatch(/ops\[0\]\.flags\[0\]: MHP_MEMMAP_ON_MEMORY does not exist in kernel v2-2019: it came with 5\.13/);
    expect(problems({ kernel: 'v2-2019', ops: [{ op: 'offline_and_remove_memory', start: '8G', size: '128M' }] })[0]).toMatch(
      /ops\[0\]\.op: offline_and_remove_memory\(\) does not exist in kernel v2-2019: it came with 5\.8 \("mm\/memory_hotplug: introduce offline_and_remove_memory\(\)"\)/,
    );
  });
});

describe('at run time', () => {
  it('5.13 keeps contig-zones: a fresh block goes to Normal; 5.15 auto-movable puts it in Movable (auto_movable_zone_for_pfn)', () => {
    const doc = (kernel: string, params = {}) => ({ kernel, params, ops: [{ op: 'add_memory', start: '8G', size: '128M' }, { op: 'state', block: 64, value: 'online' }] });
    const v513 = run(doc('5.13')).s.view();
    expect(v513.blocks.find((b) => b.id === 64)?.zone).toBe('Normal');
    const v515 = run(doc('5.15', { online_policy: 'auto-movable' })).s.view();
    // 128 MiB movable vs 301% of 4 GiB early kernel memory: can_online_movable() holds
    expect(v515.blocks.find((b) => b.id === 64)?.zone).toBe('Movable');
  });

  it('a library spec that sets a parameter its era lacks boots with the default, as the kernel ignores it', () => {
    const s = new HotplugSystem(makeSpec({ kernel: '5.13', params: { online_policy: 'auto-movable' } }), { actors: 'table' });
    expect(s.view().params.online_policy).toBe('contig-zones');
  });

  it('a set of a parameter the era lacks is a write to a missing file: -ENOENT, recorded', () => {
    const { results } = run({ kernel: '5.13', ops: [{ op: 'set', param: 'online_policy', value: 'auto-movable' }] });
    expect(results[0]).toMatchObject({ errno: 'ENOENT' });
    expect(results[0]!.message).toMatch(/came with 5\.15/);
  });

  it('5.15 is still 5.13-6.5 memmap_on_memory: exactly one block, -EINVAL otherwise (mhp_supports_memmap_on_memory(size))', () => {
    const { results } = run({ kernel: '5.15', params: { memmap_on_memory: true }, ops: [{ op: 'add_memory', start: '8G', size: '256M', flags: ['MHP_MEMMAP_ON_MEMORY'] }, { op: 'add_memory', start: '9G', size: '128M', flags: ['MHP_MEMMAP_ON_MEMORY'] }] });
    expect(results.map((r) => r.errno)).toEqual(['EINVAL', null]);
  });
});

describe('machine.config', () => {
  it('defaults as distribution kernels build them: x86_64 without ARCH_MEMORY_PROBE, powerpc with it (def_bool y)', () => {
    expect(parse({}).machine.config).toEqual({ ARCH_MEMORY_PROBE: false, MEMORY_HOTREMOVE: true, MHP_MEMMAP_ON_MEMORY: true, MEMORY_HOTPLUG_DEFAULT_ONLINE: false, SPARSEMEM_VMEMMAP: true });
    expect(parse({ arch: 'ppc64-radix' }).machine.config?.ARCH_MEMORY_PROBE).toBe(true);
    // ARCH_MHP_MEMMAP_ON_MEMORY_ENABLE: powerpc from 6.6, s390 from 6.8
    expect(parse({ arch: 'ppc64-radix', kernel: '5.15' }).machine.config?.MHP_MEMMAP_ON_MEMORY).toBe(false);
    expect(parse({ arch: 's390x', kernel: '6.6' }).machine.config?.MHP_MEMMAP_ON_MEMORY).toBe(false);
    expect(parse({ kernel: 'v2-2019' }).machine.config?.MHP_MEMMAP_ON_MEMORY).toBe(false);
  });

  it('refuses what the arch cannot build, naming the option', () => {
    expect(problems({ arch: 'arm64-4k', machine: { config: { ARCH_MEMORY_PROBE: true } } })[0]).toMatch(/machine\.config\.ARCH_MEMORY_PROBE: CONFIG_ARCH_MEMORY_PROBE cannot be set on arm64-4k/);
    expect(problems({ machine: { config: { MHP_MEMMAP_ON_MEMORY: false } } })[0]).toMatch(/machine\.config\.MHP_MEMMAP_ON_MEMORY: CONFIG_MHP_MEMMAP_ON_MEMORY is always y .*def_bool y/);
    expect(problems({ machine: { sparsemem: 'classic', config: { SPARSEMEM_VMEMMAP: true } } })[0]).toMatch(/machine\.config\.SPARSEMEM_VMEMMAP: true contradicts machine\.sparsemem "classic"/);
    // without SPARSEMEM_VMEMMAP there is no MHP_MEMMAP_ON_MEMORY, and so no memmap_on_memory parameter
    expect(problems({ machine: { config: { SPARSEMEM_VMEMMAP: false } }, params: { memmap_on_memory: true } })[0]).toMatch(/params\.memmap_on_memory: .*CONFIG_MHP_MEMMAP_ON_MEMORY/);
    expect(parse({ machine: { config: { SPARSEMEM_VMEMMAP: false } } }).machine.sparsemem).toBe('classic');
  });

  it('MEMORY_HOTPLUG_DEFAULT_ONLINE=y makes auto_online_blocks default to online (memhp_default_online_type)', () => {
    const { s, results } = run({ machine: { config: { MEMORY_HOTPLUG_DEFAULT_ONLINE: true } }, ops: [{ op: 'add_memory', start: '8G', size: '128M' }] });
    expect(results[0]!.ret).toBe(0);
    expect(s.view().params.auto_online_blocks).toBe('online');
    expect(s.view().blocks.find((b) => b.id === 64)?.state).toBe('online');
  });

  it('without MEMORY_HOTREMOVE: offline is the offline_pages() stub (-EINVAL after going-offline), remove_memory() the stub (-EBUSY), offline_and_remove_memory() is not built', () => {
    const cfg = { config: { MEMORY_HOTREMOVE: false } };
    expect(problems({ machine: cfg, ops: [{ op: 'offline_and_remove_memory', start: '8G', size: '128M' }] })[0]).toMatch(/ops\[0\]\.op: offline_and_remove_memory\(\) is built only with CONFIG_MEMORY_HOTREMOVE/);
    const { s, results } = run({
      machine: cfg,
      ops: [
        { op: 'add_memory', start: '8G', size: '128M' },
        { op: 'state', block: 64, value: 'online_movable' },
        { op: 'state', block: 64, value: 'offline' },
        { op: 'remove_memory', start: '8G', size: '128M' },
      ],
    });
    expect(results.map((r) => r.errno)).toEqual([null, null, 'EINVAL', 'EBUSY']);
    const t = results[2]!.events.flatMap((e) => (e.type === 'transition' ? [`${e.from}->${e.to}`] : []));
    expect(t).toEqual(['online->going-offline', 'going-offline->online']);
    expect(s.view().blocks.find((b) => b.id === 64)?.state).toBe('online');
    expect(configOf(s.spec).MEMORY_HOTREMOVE).toBe(false);
  });

  it('arm64 could not hot-remove before 5.7 (ARCH_ENABLE_MEMORY_HOTREMOVE): the v2-2019 era has no MEMORY_HOTREMOVE there', () => {
    expect(parse({ arch: 'arm64-4k', kernel: 'v2-2019' }).machine.config?.MEMORY_HOTREMOVE).toBe(false);
    expect(parse({ arch: 'arm64-4k', kernel: '5.13' }).machine.config?.MEMORY_HOTREMOVE).toBe(true);
  });
});


describe('docs/eras.md', () => {
  it('lists every feature of the table with its commit subject', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/eras.md', import.meta.url), 'utf8');
    for (const id of FEATURE_IDS) expect(doc, id).toContain(FEATURES[id].commit);
    for (const era of ERAS) expect(doc).toContain(`| \`${era}\` |`);
  });
});
