/**
 * `memhp sysfs export` then the real util-linux lsmem: its ranges, states,
 * nodes and zones equal what `memhp show --json` reports. Fails (does not
 * skip) when /usr/bin/lsmem is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memhp, memhpJson, scenario, tempDir } from './helpers.ts';

const LSMEM = '/usr/bin/lsmem';
const dir = tempDir();

interface Row { range: string; size: number; state: string; block: string; node: number | null; zones: string | null }

function lsmem(root: string): Row[] {
  const out = execFileSync(LSMEM, ['--sysroot', root, '-b', '-J', '-o', 'RANGE,SIZE,STATE,BLOCK,NODE,ZONES,REMOVABLE'], { encoding: 'utf8' });
  return (JSON.parse(out) as { memory: any[] }).memory.map((m) => ({ range: m.range, size: Number(m.size), state: m.state, block: String(m.block), node: m.node === null || m.node === undefined ? null : Number(m.node), zones: m.zones ?? null }));
}

const fromShow = (rows: any[]): Row[] => rows.map((r) => ({ range: r.range, size: r.size, state: r.state, block: r.block, node: r.node, zones: r.zones }));

describe('lsmem --sysroot agrees with memhp show', { timeout: 180_000 }, () => {
  it('util-linux lsmem is installed (apt-get install util-linux)', () => {
    expect(existsSync(LSMEM)).toBe(true);
  });

  const cases: Array<[string, string | undefined]> = [
    ['seed-reviewer-partial-remove.json', undefined],
    ['seed-reviewer-partial-remove.json', '290'], // block 64 going offline is done, 65 online
    ['movable-node-remote-memmap.json', undefined],
    ['ppc64-radix-force.json', undefined],
    ['selftest-round.json', undefined],
  ];
  for (const [file, at] of cases) {
    it(`${file}${at ? ` --at ${at}` : ''}`, async () => {
      const root = join(dir, `${file}-${at ?? 'end'}`);
      const atArgs = at ? ['--at', at] : [];
      const exp = await memhp(['sysfs', 'export', scenario(file), root, ...atArgs]);
      expect(exp.code, exp.stderr).toBe(0);
      const shown = await memhpJson(['show', scenario(file), ...atArgs]);
      const rows = lsmem(root);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows).toEqual(fromShow(shown.ranges));
      // and the ranges describe the world show prints
      const blocks = shown.world.blocks.length;
      const covered = rows.reduce((n, r) => n + r.size, 0);
      expect(covered).toBe(blocks * shown.world.blockSizeBytes);
    });
  }

  it('a log exported at a past step reads back as that step', async () => {
    const log = join(dir, 'guard.jsonl');
    expect((await memhp(['run', scenario('seed-reviewer-guard.json'), '--log', log])).code).toBe(0);
    const root = join(dir, 'guard-at');
    expect((await memhp(['sysfs', 'export', log, root, '--at', '282'])).code).toBe(0);
    const rows = lsmem(root);
    // after the add, before any online: blocks 64-71 one offline row
    expect(rows.at(-1)).toMatchObject({ state: 'offline', block: '64-71', node: 0 });
    expect(rows).toEqual(fromShow((await memhpJson(['show', log, '--at', '282'])).ranges));
  });
});
