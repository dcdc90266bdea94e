/**
 * `memhp exec`: unmodified lsmem, chmem and a udev-style shell script see the
 * simulated sysfs at the real /sys paths; the exit status passes through; the
 * log replays to the same world; missing prerequisites change nothing.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendFromLog } from '../../src/inspector/engine-backend.ts';
import { readLog } from '../../src/log/index.ts';
import { replay, toView, type WorldView } from '../../src/index.ts';
import { expectedLsmemRows, LSMEM_COLUMNS } from '../../src/sysfs/index.ts';
import { BIN } from '../cli/helpers.ts';
import { CAN_MOUNT, dir, memhpExec, run, scenarioFile } from './helpers.ts';

const tmp = dir();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MACHINE = {
  kernel: '6.8',
  machine: { memoryBlockSize: '128M', possibleNodes: 2 },
  boot: [{ node: 0, size: '4G', used: '1G' }, { node: 1, size: '4G' }],
  params: { auto_online_blocks: 'offline' },
};
const LSMEM = ['lsmem', '-b', '-J', '-o', LSMEM_COLUMNS];

const worldOf = (log: string): WorldView => {
  const { header, events } = readLog(log);
  return toView(replay(header.system, events));
};
const showWorld = async (file: string): Promise<WorldView> => JSON.parse((await run(process.execPath, [BIN, 'show', file, '--json'])).stdout).world;

describe.skipIf(!CAN_MOUNT)('memhp exec', () => {
  it('plain lsmem (no --sysroot) prints the ranges memhp show prints; the exit status passes through', async () => {
    const file = scenarioFile(tmp, 'lsmem', { ...MACHINE, ops: [{ op: 'add_memory', node: 1, start: '8G', size: '2G' }, { op: 'state', block: 70, value: 'online_movable' }] });
    const r = await memhpExec(file, join(tmp, 'lsmem.jsonl'), LSMEM);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).memory).toEqual(expectedLsmemRows(await showWorld(file)));
    expect(r.stderr).toContain('it made 0 writes');
    expect((await memhpExec(file, join(tmp, 'exit7.jsonl'), ['sh', '-c', 'exit 7'])).code).toBe(7);
  });

  it('real chmem -e/-d by size and by block onlines and offlines; the log holds the writes and replays to the same world', async () => {
    const file = scenarioFile(tmp, 'chmem', { ...MACHINE, ops: [{ op: 'add_memory', node: 0, start: '8G', size: '1G' }] });
    const log = join(tmp, 'chmem.jsonl');
    const r = await memhpExec(file, log, ['bash', '-c', 'chmem -e 512M && chmem -d -b 64 && chmem -e -b 70-71 && chmem -d 128M && lsmem -o RANGE,STATE,BLOCK']);
    expect(r.code, r.stderr).toBe(0);
    const world = worldOf(log);
    const online = world.blocks.filter((b) => b.id >= 64 && b.state === 'online').map((b) => b.id);
    // -e 512M: 64-67 (lowest offline first); -d -b 64; -e -b 70-71; -d 128M: the highest online one (71)
    expect(online).toEqual([65, 66, 67, 70]);
    const writes = readLog(log).events.filter((e) => e.type === 'op' && e.op.op === 'write');
    expect(writes.length).toBe(8);
    expect(writes.every((e) => e.type === 'op' && e.ret === 0)).toBe(true);
    expect(r.stderr).toMatch(/it made 8 writes:\n(  write path=devices\/system\/memory\/memory\d+\/state value=(online|offline)\w* → 0\n){8}log: /);
    expect(r.stdout).toMatch(/0x0000000208000000-0x000000021fffffff\s+online\s+65-67/);
    const verify = await run(process.execPath, [BIN, 'replay', log, '--verify', '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout).world).toEqual(world);
  });

  it('a udev-style auto-online script after a v2 1 GiB MHP_MEMMAP_DEVICE add, then the partial removal: the fault is in the log and the inspector', async () => {
    const file = scenarioFile(tmp, 'udev', {
      kernel: 'v2-2019',
      machine: { hypervisor: false, memoryBlockSize: '128M' },
      boot: [{ node: 0, size: '4G', used: '1G' }],
      params: { auto_online_blocks: 'offline' },
      ops: [{ op: 'add_memory', node: 0, start: '8G', size: '1G', flags: ['MHP_MEMMAP_DEVICE'] }],
    });
    const log = join(tmp, 'udev.jsonl');
    const udev = 'for d in /sys/devices/system/memory/memory*; do [ "$(cat $d/state)" = offline ] && echo online_movable > $d/state; done; exit 0';
    const r = await memhpExec(file, log, ['sh', '-c', udev]);
    expect(r.code, r.stderr).toBe(0);
    expect(worldOf(log).blocks.filter((b) => b.id >= 64).every((b) => b.state === 'online' && b.zone === 'Movable')).toBe(true);

    // Then the reviewer's question on the same log, as the inspector runs it: offline and remove the first 128 MiB, touch the next block.
    const backend = backendFromLog(log);
    try {
      await backend.apply({ op: 'state', block: 64, value: 'offline' }, backend.info().lastSeq);
      expect((await backend.apply({ op: 'remove_memory', start: 8 * 2 ** 30, size: 128 * 2 ** 20 }, backend.info().lastSeq)).ret).toBe(0);
      const hit = await backend.apply({ op: 'write', path: 'devices/system/memory/memory65/state', value: 'offline\n' }, backend.info().lastSeq);
      expect(hit.errno).toBe('EFAULT');
      const last = backend.info().lastSeq;
      expect(backend.invariantsAt(last).find((i) => i.name === 'no-fault')).toMatchObject({ holds: false });
      expect(backend.worldAt(last).tainted).toBe(true);
    } finally {
      backend.close();
    }
    expect(readLog(log).events.some((e) => e.type === 'fault' && e.block === 65)).toBe(true);
  });

  it('without /dev/fuse or root it says what is missing and creates nothing', async () => {
    const file = scenarioFile(tmp, 'nothing', MACHINE);
    const log = join(tmp, 'never.jsonl');
    const noDev = await run('unshare', ['-m', 'sh', '-c', `mount -t tmpfs none /dev && exec "${process.execPath}" "${BIN}" exec "${file}" --log "${log}" -- true`]);
    expect(noDev.code).toBe(1);
    expect(noDev.stderr).toContain('/dev/fuse is missing');
    const noRoot = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'exec', file, '--log', log, '--', 'true']);
    expect(noRoot.code).toBe(1);
    expect(noRoot.stderr).toContain('needs root');
    expect(existsSync(log)).toBe(false);
  });
});
