/**
 * `memhp mount`: a real FUSE mount read by real lsmem and written by real
 * bash. The tree is the one `sysfs export` writes (one renderer), writes are
 * logged ops with the kernel's errno, readers never see half a write, and a
 * SIGKILL leaves a valid log holding every write that returned.
 */
import { appendFileSync, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { get } from 'node:http';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { readLog } from '../../src/log/index.ts';
import { replay, toView } from '../../src/index.ts';
import { EXPORT_MARKER, expectedLsmemRows, exportSysfs, lsmemArgs } from '../../src/sysfs/index.ts';
import { lsmemJson } from '../sysfs/lsmem-run.ts';
import { bash, CAN_MOUNT, dir, mount, scenarioFile } from './helpers.ts';

const tmp = dir();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MACHINE = {
  kernel: '6.8',
  // x86 has the probe file only with CONFIG_ARCH_MEMORY_PROBE (a distribution leaves it off)
  machine: { memoryBlockSize: '128M', possibleNodes: 2, config: { ARCH_MEMORY_PROBE: true } },
  boot: [{ node: 0, size: '4G', used: '1G' }, { node: 1, size: '4G' }],
  params: { auto_online_blocks: 'offline' },
};

const worldOf = (log: string) => {
  const { header, events } = readLog(log);
  return toView(replay(header.system, events));
};
const opsOf = (log: string) => readLog(log).events.filter((e) => e.type === 'op');
const mounted = (mnt: string) => readFileSync('/proc/self/mounts', 'utf8').includes(` ${mnt} fuse`);
const getJson = (url: string) =>
  new Promise<any>((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });

describe.skipIf(!CAN_MOUNT)('memhp mount', () => {
  it('serves the tree sysfs export writes: lsmem --sysroot agrees with memhp show; writes land in the log and the inspector; blocks appear on probe', async () => {
    const file = scenarioFile(tmp, 'live', {
      ...MACHINE,
      ops: [
        { op: 'add_memory', node: 1, start: '8G', size: '1G' },
        { op: 'state', block: 64, value: 'online_movable' },
        { op: 'state', block: 65, value: 'online_movable' },
      ],
    });
    const mnt = join(tmp, 'mnt1');
    const log = join(tmp, 'live.jsonl');
    const m = await mount(file, mnt, ['--log', log, '--inspect']);
    try {
      const start = worldOf(log);
      const live = lsmemJson(lsmemArgs(mnt));
      expect(live).toEqual(expectedLsmemRows(start));
      exportSysfs(start, join(tmp, 'export1'));
      expect(live).toEqual(lsmemJson(lsmemArgs(join(tmp, 'export1'))));
      // every entry of the export is in the mount and reads the same (the mount is served by another process: sync reads are safe)
      const tree = (root: string) => {
        const out: string[] = [];
        const walk = (rel: string) => {
          for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
            if (d.name === EXPORT_MARKER) continue;
            const p = join(rel, d.name);
            if (d.isDirectory()) out.push(`${p}/`), walk(p);
            else if (d.isSymbolicLink()) out.push(`${p} -> ${readlinkSync(join(root, p))}`);
            else out.push(`${p} ${lstatSync(join(root, p)).mode.toString(8)} ${d.name === 'probe' ? '' : JSON.stringify(readFileSync(join(root, p), 'utf8'))}`);
          }
        };
        walk('sys');
        return out.sort();
      };
      expect(tree(mnt)).toEqual(tree(join(tmp, 'export1')));

      const url = /inspector: (\S+)/.exec(m.out())![1]!;
      const before = (await getJson(`${url}api/info`)).lastSeq;
      const w = await bash(`echo online_movable > ${mnt}/sys/devices/system/memory/memory66/state && echo 0x300000000 > ${mnt}/sys/devices/system/memory/probe && ls ${mnt}/sys/devices/system/memory | grep -c '^memory96$' && cat ${mnt}/sys/devices/system/memory/memory66/state`);
      expect(w).toMatchObject({ code: 0, stdout: '1\nonline\n' });
      expect((await getJson(`${url}api/info`)).lastSeq).toBeGreaterThan(before);
    } finally {
      expect(await m.stop()).toBe(0);
    }
    expect(mounted(mnt)).toBe(false);
    expect(m.out()).toContain('2 writes recorded');
    const ops = opsOf(log).slice(-2);
    expect(ops.map((e) => e.type === 'op' && [e.op, e.ret])).toEqual([
      [{ op: 'write', path: 'devices/system/memory/memory66/state', value: 'online_movable\n' }, 0],
      [{ op: 'write', path: 'devices/system/memory/probe', value: '0x300000000\n' }, 0],
    ]);
    expect(worldOf(log).blocks.find((b) => b.id === 96)).toMatchObject({ state: 'offline' });
  });

  it('the kernel keeps names and listings, and forgets them the moment the inspector changes the world', async () => {
    const file = scenarioFile(tmp, 'cached', {
      ...MACHINE,
      ops: [
        { op: 'add_memory', node: 1, start: '8G', size: '1G' },
        { op: 'state', block: 64, value: 'online_movable' },
      ],
    });
    const mnt = join(tmp, 'mnt5');
    const m = await mount(file, mnt, ['--log', join(tmp, 'cached.jsonl'), '--inspect']);
    const mem = `${mnt}/sys/devices/system/memory`;
    try {
      // read everything once: the kernel now holds these names, attributes and listings
      const first = await bash(`ls ${mem} | grep -c '^memory'; ls ${mnt}/sys/devices/system/node/node1 | grep -c '^memory'; cat ${mem}/memory66/state; stat -c %F ${mem}/memory71`);
      expect(first).toMatchObject({ code: 0, stdout: '72\n40\noffline\ndirectory\n' });
      const url = /inspector: (\S+)/.exec(m.out())![1]!;
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}ws`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const apply = (id: number, op: object) =>
        new Promise<any>((resolve) => {
          const onMessage = (data: WebSocket.RawData) => {
            const r = JSON.parse(data.toString());
            if (r.id !== id) return;
            ws.off('message', onMessage);
            resolve(r);
          };
          ws.on('message', onMessage);
          ws.send(JSON.stringify({ id, method: 'apply', params: { op, atSeq: 1e9 } }));
        });
      try {
        expect((await apply(1, { op: 'state', block: 66, value: 'online_movable' })).result.ret).toBe(0);
        expect((await apply(2, { op: 'remove_memory', start: 8 * 2 ** 30 + 7 * 2 ** 27, size: 2 ** 27 })).result.ret).toBe(0);
      } finally {
        ws.close();
      }
      // no waiting for a timeout: the change is there on the next look
      const after = await bash(`ls ${mem} | grep -c '^memory'; ls ${mnt}/sys/devices/system/node/node1 | grep -c '^memory'; cat ${mem}/memory66/state; stat -c %F ${mem}/memory71 2>&1 | sed 's/.*: //'`);
      expect(after).toMatchObject({ code: 0, stdout: '71\n39\nonline\nNo such file or directory\n' });
    } finally {
      expect(await m.stop()).toBe(0);
    }
  });

  it('error paths through the shell fail with the kernel\'s errno, are logged, and leave the world unchanged', async () => {
    const file = scenarioFile(tmp, 'errors', {
      ...MACHINE,
      ops: [
        { op: 'add_memory', node: 0, start: '8G', size: '1G' },
        { op: 'state', block: 64, value: 'online_movable' },
        { op: 'state', block: 65, value: 'online' },
        { op: 'pin', block: 65 },
      ],
    });
    const mnt = join(tmp, 'mnt2');
    const log = join(tmp, 'errors.jsonl');
    const m = await mount(file, mnt, ['--log', log]);
    const mem = `${mnt}/sys/devices/system/memory`;
    const inject = `${mnt}/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error`;
    let before: unknown;
    try {
      before = lsmemJson(lsmemArgs(mnt, { all: true }));
      const r = await bash(
        [
          `echo online > ${mem}/memory64/state`, // redundant: device_online() returns 1 → -EINVAL
          `echo onlinee > ${mem}/memory66/state`, // no such online type
          `echo Online > ${mem}/memory66/state`, // sysfs_streq is case-sensitive
          `echo -16 > ${inject} && echo online > ${mem}/memory66/state`, // MEM_GOING_ONLINE vetoed with -EBUSY
          `echo 0 > ${inject}`,
          `echo offline > ${mem}/memory65/state`, // a pinned unmovable page: -EBUSY
          `echo 1 > ${mem}/memory64/phys_index`, // read-only: open() fails
          'true',
        ].join('; '),
      );
      expect(r.stderr.trim().split('\n').map((l) => l.replace(/^.*: /, ''))).toEqual([
        'Invalid argument',
        'Invalid argument',
        'Invalid argument',
        'Device or resource busy',
        'Device or resource busy',
        'Permission denied',
      ]);
      expect(lsmemJson(lsmemArgs(mnt, { all: true }))).toEqual(before);
    } finally {
      expect(await m.stop()).toBe(0);
    }
    const ops = opsOf(log).filter((e) => e.type === 'op' && e.op.op === 'write');
    expect(ops.map((e) => e.type === 'op' && e.errno)).toEqual(['EINVAL', 'EINVAL', 'EINVAL', null, 'EBUSY', null, 'EBUSY']);
    const after = worldOf(log);
    expect(after.blocks.filter((b) => b.id >= 64).map((b) => b.state)).toEqual(['online', 'online', 'offline', 'offline', 'offline', 'offline', 'offline', 'offline']);
  });

  it('many concurrent readers and one writer: no torn reads, no lost ops', async () => {
    const file = scenarioFile(tmp, 'concurrent', { ...MACHINE, ops: [{ op: 'add_memory', node: 0, start: '8G', size: '1G' }] });
    const mnt = join(tmp, 'mnt3');
    const log = join(tmp, 'concurrent.jsonl');
    const m = await mount(file, mnt, ['--log', log]);
    const mem = `${mnt}/sys/devices/system/memory`;
    const N = 60;
    try {
      const readers = Array.from({ length: 4 }, () =>
        bash(`for i in $(seq 1 ${N}); do cat ${mem}/memory64/state ${mem}/memory64/online ${mem}/memory64/valid_zones; done`),
      );
      const writer = bash(`ok=0; for i in $(seq 1 ${N}); do echo online_movable > ${mem}/memory64/state && ok=$((ok+1)); echo offline > ${mem}/memory64/state && ok=$((ok+1)); done; echo $ok`);
      const [w, ...rs] = await Promise.all([writer, ...readers]);
      expect(w.stdout.trim()).toBe(String(2 * N));
      for (const r of rs) {
        expect(r.code).toBe(0);
        const lines = r.stdout.split('\n').filter((l) => l !== '');
        expect(lines.length).toBe(3 * N);
        for (const l of lines) expect(['online', 'offline', '1', '0', 'Normal Movable', 'Movable']).toContain(l);
      }
    } finally {
      expect(await m.stop()).toBe(0);
    }
    const writes = opsOf(log).filter((e) => e.type === 'op' && e.op.op === 'write');
    expect(writes.length).toBe(2 * N);
    expect(writes.every((e) => e.type === 'op' && e.ret === 0)).toBe(true);
  });

  it('SIGTERM with a shell still inside the mount: memhp unmounts and exits, the shell gets ENOTCONN', async () => {
    const file = scenarioFile(tmp, 'inside', { ...MACHINE, ops: [{ op: 'add_memory', node: 0, start: '8G', size: '1G' }] });
    const mnt = join(tmp, 'mnt6');
    const m = await mount(file, mnt, ['--log', join(tmp, 'inside.jsonl')]);
    // The shell says when it is inside (it has read once) and waits for the unmount before its
    // second read: no sleeps to guess, so a loaded machine cannot reorder the steps.
    const inMount = join(tmp, 'inside.ready');
    const unmounted = join(tmp, 'inside.go');
    const inside = bash(
      `cd ${mnt}/sys/devices/system/memory && cat memory64/state && touch ${inMount} && ` +
        `while [ ! -e ${unmounted} ]; do sleep 0.05; done; cat memory64/state`,
    );
    let shellDone = false;
    void inside.finally(() => (shellDone = true));
    while (!existsSync(inMount) && !shellDone) await new Promise((r) => setTimeout(r, 50));
    expect(await m.stop()).toBe(0);
    expect(mounted(mnt)).toBe(false);
    appendFileSync(unmounted, '');
    const r = await inside;
    expect(r.stdout).toBe('offline\n');
    expect(r.stderr).toContain('Transport endpoint is not connected');
  });

  it('SIGKILL mid-write: the log is valid and holds every write that returned; the stale mountpoint is cleared next time', async () => {
    const file = scenarioFile(tmp, 'killed', { ...MACHINE, ops: [{ op: 'add_memory', node: 0, start: '8G', size: '1G' }] });
    const mnt = join(tmp, 'mnt4');
    const log = join(tmp, 'killed.jsonl');
    const done = join(tmp, 'returned.txt');
    const m = await mount(file, mnt, ['--log', log]);
    const mem = `${mnt}/sys/devices/system/memory`;
    const writer = bash(
      `while true; do for b in 64 65 66 67; do for v in online_movable offline; do ` +
        // statfs always reaches the server (names may stay in the kernel's cache after it died)
        `if echo $v > ${mem}/memory$b/state 2>/dev/null; then echo "memory$b $v" >> ${done}; else stat -f ${mnt} >/dev/null 2>&1 || exit 0; fi; done; done; done`,
    );
    // kill it mid-stream: once some writes have returned (however slow the machine), a little later
    let writerDone = false;
    void writer.finally(() => (writerDone = true));
    while (!existsSync(done) && !writerDone) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    m.child.kill('SIGKILL');
    await m.exited;
    await writer;
    const returned = existsSync(done) ? readFileSync(done, 'utf8').trim().split('\n') : [];
    expect(returned.length).toBeGreaterThan(0);
    const { events, warnings } = readLog(log); // verifies every CRC; a torn tail would be reported
    expect(warnings).toEqual([]);
    const logged = events.flatMap((e) => (e.type === 'op' && e.op.op === 'write' && e.ret === 0 ? [`${e.op.path.split('/')[3]} ${e.op.value.trim()}`] : []));
    // every write that returned is in the log, in order (at most one more was logged before its reply)
    expect(logged.slice(0, returned.length)).toEqual(returned);
    expect(logged.length - returned.length).toBeLessThanOrEqual(1);

    // The dead mount is still there (ENOTCONN); a new mount clears it.
    const again = await mount(log, mnt);
    try {
      expect(again.err()).toContain('cleared a stale FUSE mount');
      expect((await bash(`cat ${mem}/memory64/phys_index`)).stdout).toBe('00000040\n');
    } finally {
      expect(await again.stop()).toBe(0);
    }
    appendFileSync(done, ''); // keep the file for a failing run's post-mortem
  });
});
