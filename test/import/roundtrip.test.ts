/**
 * `memhp import` round-trips every dump of the test set: real 6.1 and 6.12 guests' sysfs (taken
 * with scripts/conform/dump-sysfs.ts) and hand-written arm64 16K, s390 and old x86 dumps
 * (scripts/sysfs-dumps.ts), all in the layout of util-linux's lsmem tests. Import, then
 * `memhp sysfs export` of the scenario: every file of the dump that memhp models is the same,
 * and real lsmem prints the same over the dump and over the export.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importSysfs, openDump } from '../../src/import/index.ts';
import { parseScenario } from '../../src/scenario/index.ts';
import { memhp, tempDir } from '../cli/helpers.ts';
import { DUMP_FILES, DUMPS, extract } from './helpers.ts';

const LSMEM = '/usr/bin/lsmem';
const HAVE_LSMEM = existsSync(LSMEM);
const tmp = tempDir('memhp-import-');
const COLUMN_SETS = [[], ['--output', 'RANGE,SIZE'], ['--all', '--output', 'RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES'], ['--json', '--output', 'RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES'], ['-o', '+ZONES']];
const lsmem = (root: string, args: string[]) => execFileSync(LSMEM, [...args, '--sysroot', root], { encoding: 'utf8' });

describe('memhp import round-trips every dump', { timeout: 120_000 }, () => {
  it('the test set has real-kernel dumps and the hand-written arm64 16K, s390 and old x86 ones', () => {
    expect(DUMP_FILES).toEqual(expect.arrayContaining(['x86_64-qemu-6.1.tar.bz2', 'x86_64-qemu-6.12.tar.bz2', 'arm64-16k-8192.tar.bz2', 's390-standby.tar.bz2', 'x86_64-4.19-removable.tar.bz2']));
  });

  describe.each(DUMP_FILES)('%s', (file) => {
    const tarball = join(DUMPS, file);
    const name = file.replace(/\.tar\.bz2$/, '');
    const scenario = join(tmp, `${name}.json`);
    const exported = join(tmp, `${name}-export`);
    let dumpRoot: string;

    beforeAll(async () => {
      const r = await memhp(['import', tarball, '-o', scenario, '--strict']);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const e = await memhp(['sysfs', 'export', scenario, exported]);
      expect(e.code, e.stderr).toBe(0);
      dumpRoot = await extract(tarball, join(tmp, `${name}-dump`));
    });

    it('memhp sysfs export of the scenario has every file of the dump that memhp models, the same', async () => {
      const dump = await openDump(tarball);
      const back = await openDump(exported);
      const r = await importSysfs(tarball);
      const modelled = /\/(block_size_bytes|auto_online_blocks|state|online|phys_index|phys_device|removable|valid_zones)$/;
      let compared = 0;
      for (const dir of dump.list('sys/devices/system/memory') ?? []) {
        const base = `sys/devices/system/memory/${dir}`;
        const names = dump.list(base) ?? [dir];
        for (const n of dump.list(base) ? names.map((x) => `${base}/${x}`) : [base]) {
          if (!modelled.test(n) && !/\/node\d+$/.test(n)) continue;
          compared++;
          if (/\/node\d+$/.test(n)) expect(back.readlink(n), n).toBe(dump.readlink(n));
          else expect(back.read(n), n).toBe(dump.read(n));
        }
      }
      expect(compared).toBeGreaterThan(20);
      expect(r.verification.differences).toEqual([]);
      expect(r.verification.same).toBe(r.verification.compared);
    });

    it.skipIf(!HAVE_LSMEM)('lsmem --sysroot prints the same over the dump and over the export', () => {
      for (const args of COLUMN_SETS) expect(lsmem(exported, args), args.join(' ')).toBe(lsmem(dumpRoot, args));
    });

    it('the scenario file reads back as the same scenario', async () => {
      const r = await importSysfs(tarball);
      expect(parseScenario(readFileSync(scenario, 'utf8'), scenario)).toEqual(parseScenario(r.json, scenario));
      writeFileSync(join(tmp, `${name}-again.json`), r.json);
    });
  });
});

describe('what is guessed, and why', { timeout: 60_000 }, () => {
  it('arm64 with 16K pages, numbered from 8192: arm64 from the address, the page size not visible; --arch takes it', async () => {
    const r = await importSysfs(join(DUMPS, 'arm64-16k-8192.tar.bz2'));
    expect(r.guessed.arch).toMatchObject({ value: 'arm64-4k', why: expect.stringContaining('block 8192') });
    expect(r.guessed.arch.why).toContain('--arch arm64-16k');
    expect(r.scenario.boot[0]!.ranges).toEqual([
      { start: 2 ** 40, size: 125 * 2 ** 27, zone: 'DMA', online: true },
      { start: 8319 * 2 ** 27, size: 2 ** 27, zone: 'DMA', online: true },
    ]);
    const given = await importSysfs(join(DUMPS, 'arm64-16k-8192.tar.bz2'), { arch: 'arm64-16k' });
    expect(given.scenario.arch).toBe('arm64-16k');
    expect(given.verification.differences).toEqual([]);
  });

  it('s390 standby memory: s390x from the block size, movable_node from the offline blocks listing Movable first', async () => {
    const r = await importSysfs(join(DUMPS, 's390-standby.tar.bz2'));
    expect(r.guessed.arch.value).toBe('s390x');
    expect(r.guessed.movableNode).toMatchObject({ value: true, why: expect.stringContaining('8 offline blocks list Movable first') });
    expect(r.scenario.params.movable_node).toBe(true);
    expect(r.scenario.boot[0]!.ranges!.at(-1)).toEqual({ start: 4 * 2 ** 30, size: 2 * 2 ** 30, online: false });
  });

  it('an old x86 kernel with removable 0: the v2-2019 era, a pin per such block, and the era\'s extra file said', async () => {
    const r = await importSysfs(join(DUMPS, 'x86_64-4.19-removable.tar.bz2'));
    expect(r.guessed.kernel).toMatchObject({ value: 'v2-2019', why: expect.stringContaining('removable 0') });
    expect(r.scenario.ops).toEqual([0, 1, 23, 39, 47].map((block) => ({ op: 'pin', block })));
    expect(r.scenario.boot.map((b) => b.node)).toEqual([0, 1]);
    expect(r.verification.memhpOnly).toEqual(['sys/devices/system/memory/vmemmap_hotplug']);
  });

  it('a real 6.12 guest: its DIMM blocks are said to be hot-added, the rest is the boot layout', async () => {
    const r = await importSysfs(join(DUMPS, 'x86_64-qemu-6.12.tar.bz2'));
    expect(r.notes.some((n) => n.includes('firmware_node'))).toBe(true);
    expect(r.scenario.boot.map((b) => b.ranges!.map((x) => [x.start / 2 ** 27, x.size / 2 ** 27, x.zone ?? null, x.online]))).toEqual([
      [[0, 1, null, true], [1, 7, 'DMA32', true]],
      [[8, 8, 'DMA32', true], [32, 1, 'Movable', true], [33, 1, 'Normal', true], [34, 2, null, false]],
    ]);
  });
});
