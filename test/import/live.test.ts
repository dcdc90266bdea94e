/**
 * `memhp import /` on this machine's own /sys, and inside `memhp exec`, where /sys is memhp's:
 * the scenario it writes shows the same files, and lsmem over the live tree prints what lsmem
 * over the scenario's export prints.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSysfs } from '../../src/import/index.ts';
import { memhp, tempDir } from '../cli/helpers.ts';
import { CAN_MOUNT, memhpExec, scenarioFile } from '../fuse/helpers.ts';

const LSMEM = '/usr/bin/lsmem';
const HAVE_SYS = existsSync('/sys/devices/system/memory/block_size_bytes');
const tmp = tempDir('memhp-import-live-');
const ARGS = ['--all', '--output', 'RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES'];

describe.skipIf(!HAVE_SYS)("this machine's /sys", { timeout: 120_000 }, () => {
  it('imports with every modelled file the same; lsmem over /sys and over the export agree', async () => {
    const r = await importSysfs('/');
    expect(r.verification.differences).toEqual([]);
    expect(r.verification.compared).toBeGreaterThan(0);
    const file = join(tmp, 'host.json');
    const cli = await memhp(['import', '/', '-o', file]);
    expect(cli.code, cli.stderr).toBe(0);
    const out = join(tmp, 'host-export');
    expect((await memhp(['sysfs', 'export', file, out])).code).toBe(0);
    if (existsSync(LSMEM)) expect(execFileSync(LSMEM, [...ARGS, '--sysroot', out], { encoding: 'utf8' })).toBe(execFileSync(LSMEM, ARGS, { encoding: 'utf8' }));
  });
});

describe.skipIf(!CAN_MOUNT)('inside memhp exec', { timeout: 120_000 }, () => {
  it("reads memhp's /sys, not the host's: the scenario it writes has the same blocks, and lsmem agrees", async () => {
    const file = scenarioFile(tmp, 'inner', {
      kernel: '6.8',
      machine: { memoryBlockSize: '128M', possibleNodes: 2 },
      boot: [{ node: 0, size: '2G' }, { node: 1, size: '1G' }],
      params: { auto_online_blocks: 'offline' },
      ops: [{ op: 'add_memory', node: 1, start: '4G', size: '1G' }, { op: 'state', block: 32, value: 'online_movable' }, { op: 'state', block: 33, value: 'online_kernel' }],
    });
    const imported = join(tmp, 'imported.json');
    const r = await memhpExec(file, join(tmp, 'inner.jsonl'), ['sh', '-c', `"${process.execPath}" bin/memhp.js import / -o "${imported}" --strict && ${LSMEM} ${ARGS.join(' ')}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("memhp exec's /sys");
    expect(r.stdout).toMatch(/compared \d+ files and links with memhp's: all the same/);
    const scenario = JSON.parse(readFileSync(imported, 'utf8'));
    expect(scenario.boot.map((b: { ranges: unknown[] }) => b.ranges)).toEqual([
      [{ start: '0', size: '128M', online: true }, { start: '128M', size: '1920M', zone: 'DMA32', online: true }],
      [{ start: '2G', size: '1G', zone: 'DMA32', online: true }, { start: '4G', size: '128M', zone: 'Movable', online: true }, { start: '4224M', size: '128M', zone: 'Normal', online: true }, { start: '4352M', size: '768M', online: false }],
    ]);
    const out = join(tmp, 'inner-export');
    expect((await memhp(['sysfs', 'export', imported, out])).code).toBe(0);
    const lsmemInside = r.stdout.slice(r.stdout.indexOf('RANGE'));
    expect(execFileSync(LSMEM, [...ARGS, '--sysroot', out], { encoding: 'utf8' })).toBe(lsmemInside);
  });
});
