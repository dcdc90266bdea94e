/**
 * Eras side by side (`memhp compare`, `memhp run --kernel a,b`): the same
 * operations decided under each era, where they first part and the era-table
 * rows behind it (docs/eras.md).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareEras } from '../../src/cli/compare-eras.ts';
import { validateScenario } from '../../src/scenario/index.ts';
import { memhp, memhpJson, tempDir } from './helpers.ts';

/** A 1 GiB memmap_on_memory add: refused before 6.6, a regular memmap in 6.6, an altmap per block in 6.8. */
const MOM = {
  name: 'memmap_on_memory across eras',
  kernel: '6.8',
  arch: 'x86_64',
  machine: { memoryBlockSize: '128M' },
  boot: [{ node: 0, size: '4G', used: '1G' }],
  params: { memmap_on_memory: 'on' },
  ops: [
    { op: 'add_memory', node: 0, start: '4G', size: '128M', flags: ['MHP_MEMMAP_ON_MEMORY'] },
    { op: 'add_memory', node: 0, start: '8G', size: '1G', flags: ['MHP_MEMMAP_ON_MEMORY'] },
    { op: 'state', block: 64, value: 'online_movable' },
  ],
};

const dir = tempDir('memhp-compare-');
const file = join(dir, 'mom.json');
writeFileSync(file, JSON.stringify(MOM));

describe('comparing eras', () => {
  it('5.13 and 5.15 refuse a multi-block memmap_on_memory add, 6.6 and 6.8 take it: the results part there, and the hint row says why', () => {
    const c = compareEras(validateScenario(MOM, 'mom'), ['5.13', '5.15', '6.6', '6.8']);
    expect(c.steps.map((s) => s.index)).toEqual([-1, 0, 1, 2]);
    // the single-block add works in every era
    expect(c.steps[1]!.results.map((r) => r.ret)).toEqual([0, 0, 0, 0]);
    expect(c.steps[2]!.results.map((r) => r.errno)).toEqual(['EINVAL', 'EINVAL', null, null]);
    expect(c.steps[2]!.results[0]!.message).toMatch(/not exactly one memory block/);
    expect(c.steps[3]!.results.map((r) => r.errno)).toEqual(['ENOENT', 'ENOENT', null, null]);
    const p = c.firstParting!;
    expect(p).toMatchObject({ index: 1, kind: 'results' });
    expect(p.why.find((r) => r.feature === 'rule.memmap_on_memory.hint')?.has).toEqual([false, false, true, true]);
    expect(p.why.find((r) => r.feature === 'rule.memmap_on_memory.per_block')?.has).toEqual([false, false, false, true]);
    expect(p.world).toContainEqual({ path: 'blocks[64].vmemmapPages', values: [undefined, undefined, 0, 512] });
    expect(c.build).toEqual([]);
  });

  it('6.6 and 6.8 return the same but part in the world: a regular memmap against an altmap per block', () => {
    const c = compareEras(validateScenario(MOM, 'mom'), ['6.6', '6.8']);
    const p = c.firstParting!;
    expect(p).toMatchObject({ index: 1, kind: 'world' });
    expect(c.steps.every((s) => !s.resultsPart)).toBe(true);
    expect(p.world).toContainEqual({ path: 'blocks[64].vmemmapPages', values: [0, 512] });
    expect(p.world).toContainEqual({ path: 'sections[64].memmap.kind', values: ['node', 'altmap'] });
    expect(p.why.map((r) => r.feature)).toEqual(['rule.memmap_on_memory.per_block']);
  });

  it('a parameter value an era lacks stays at its default there: the worlds part at boot, and the note says so', () => {
    const force = { ...MOM, params: { memmap_on_memory: 'force' }, ops: [] };
    const c = compareEras(validateScenario(force, 'force'), ['5.15', '6.6']);
    expect(c.eras[0]!.notes.join('\n')).toMatch(/params\.memmap_on_memory: "force" is not a bool/);
    expect(c.eras[1]!.notes).toEqual([]);
    expect(c.firstParting).toMatchObject({ index: -1, kind: 'world' });
    expect(c.firstParting!.world).toContainEqual({ path: 'params.memmap_on_memory', values: ['off', 'force'] });
    expect(c.firstParting!.why.map((r) => r.feature)).toContain('value.memmap_on_memory.force');
    // boot reads every parameter's row; only the one whose value differs is the reason
    expect(c.firstParting!.why.map((r) => r.feature)).not.toContain('param.online_policy');
  });

  it('eras that decide alike do not part; a build option that differs is listed once', () => {
    const one = { ...MOM, ops: MOM.ops.slice(0, 1) };
    expect(compareEras(validateScenario(one, 'one'), ['6.6', '6.8']).firstParting).toBeNull();
    const classic = { ...MOM, kernel: 'v2-2019', params: {}, ops: [{ op: 'add_memory', node: 0, start: '4G', size: '128M' }] };
    const c = compareEras(validateScenario(classic, 'v2'), ['v2-2019', '5.13']);
    expect(c.build).toEqual([{ option: 'MHP_MEMMAP_ON_MEMORY', values: [false, true] }]);
  });
});

describe('memhp compare and run --kernel', () => {
  it('prints one column per era, marks the first parting and names the era-table row', async () => {
    const r = await memhp(['compare', file, '--kernel', '5.13,6.6,6.8']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^step\s+operation\s+5\.13\s+6\.6\s+6\.8$/m);
    expect(r.stdout).toMatch(/^1\s+add_memory node=0 start=8G size=1G flags=MHP_MEMMAP_ON_MEMORY\s+-EINVAL\s+0\s+0\s+← first parting$/m);
    expect(r.stdout).toContain('first parting: step 1 (add_memory node=0 start=8G size=1G flags=MHP_MEMMAP_ON_MEMORY): the results differ');
    expect(r.stdout).toMatch(/^\s+rule\.memmap_on_memory\.hint\s+no\s+yes\s+yes\s+6\.6\s/m);
    expect(r.stdout).toMatch(/^\s+blocks\[64\]\.vmemmapPages\s+\(none\)\s+0\s+512$/m);
  });

  it('--json, and run --kernel with several eras is the same comparison', async () => {
    const a = await memhpJson(['compare', file, '--kernel', '6.6,6.8']);
    const b = await memhpJson(['run', file, '--kernel', '6.6,6.8']);
    expect(b).toEqual(a);
    expect(a.eras.map((e: { kernel: string }) => e.kernel)).toEqual(['6.6', '6.8']);
    expect(a.firstParting).toMatchObject({ index: 1, kind: 'world' });
  });

  it('refuses what is not a comparison, naming the option', async () => {
    for (const [args, message] of [
      [['compare', file, '--kernel', '6.8'], /--kernel: name at least two eras/],
      [['compare', file, '--kernel', '5.13,7.1'], /--kernel: "7\.1" is not a kernel era/],
      [['compare', file, '--kernel', '6.8,6.8'], /--kernel: 6\.8 is named twice/],
      [['run', file, '--kernel', '6.6,6.8', '--log', join(dir, 'x.jsonl')], /--log and --kernel/],
    ] as const) {
      const r = await memhp(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
