/**
 * The kernel's own selftest, unmodified, inside `memhp exec`: both its parts run (the plain
 * online/offline rounds, then the notifier error injection it finds through `mount -t debugfs`
 * and loads with `/sbin/modprobe`), nothing is skipped and nothing is unexpected, and no
 * module is loaded into or unloaded from the host kernel.
 *
 * The script is the kernel's (tools/testing/selftests/memory-hotplug/mem-on-off-test.sh): it
 * is not part of memhp, so the test reads it from MEMHP_SELFTEST, else from
 * ~/.cache/memhp/selftests/mem-on-off-test.sh, and says so when it is in neither place.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLog } from '../../src/log/index.ts';
import { SCENARIOS } from '../cli/helpers.ts';
import { CAN_MOUNT, dir, memhpExec } from './helpers.ts';

const SCRIPT = process.env.MEMHP_SELFTEST ?? join(homedir(), '.cache/memhp/selftests/mem-on-off-test.sh');
const HAVE_SCRIPT = existsSync(SCRIPT);
const MACHINE = join(SCENARIOS, 'selftest-machine.json');

const tmp = dir();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const writes = (log: string) =>
  readLog(log).events.flatMap((e) => (e.type === 'op' && e.op.op === 'write' ? [{ path: e.op.path, value: e.op.value, ret: e.ret, errno: e.errno }] : []));

describe.skipIf(!CAN_MOUNT)('memhp exec: the in-namespace modprobe and debugfs', () => {
  it('modprobe of another module fails without touching the host; the injection module loads; debugfs is listed', async () => {
    // a kernel built without modules has no /proc/modules (this VM's): then there is nothing to compare
    const modules = () => (existsSync('/proc/modules') ? readFileSync('/proc/modules', 'utf8') : null);
    const before = modules();
    const log = join(tmp, 'modprobe.jsonl');
    const r = await memhpExec(MACHINE, log, [
      'sh', '-c',
      'mount -t debugfs | head -1 | cut -d" " -f3; /sbin/modprobe fuse; echo "fuse $?"; rmmod loop; echo "rmmod $?"; ' +
        '/sbin/modprobe -q memory-notifier-error-inject priority=0 && echo "inject $?"; ' +
        'echo -5 > /sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error; ' +
        '/sbin/modprobe -q -r memory-notifier-error-inject; cat /sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['/sys/kernel/debug', 'fuse 1', 'rmmod 1', 'inject 0', '0', '']);
    expect(r.stderr).toContain('modprobe: memhp exec does not load or unload modules in the host kernel (asked for fuse)');
    expect(r.stderr).toContain('rmmod: memhp exec does not load or unload modules in the host kernel (asked for loop)');
    // unloading the module disarmed what was armed, through memhp's own files
    expect(writes(log).map((w) => [w.path.split('/').at(-2), w.value])).toEqual([['MEM_GOING_ONLINE', '-5\n'], ['MEM_GOING_ONLINE', '0\n']]);
    expect(modules()).toBe(before);
  });
});

describe.skipIf(!CAN_MOUNT || !HAVE_SCRIPT)(`the unmodified mem-on-off-test.sh (${HAVE_SCRIPT ? SCRIPT : `not found at ${SCRIPT}: set MEMHP_SELFTEST to a kernel tree's tools/testing/selftests/memory-hotplug/mem-on-off-test.sh`})`, () => {
  it('with -r 100 every hot-pluggable block goes through each step; no skip, no unexpected', async () => {
    const log = join(tmp, 'r100.jsonl');
    const r = await memhpExec(MACHINE, log, ['bash', SCRIPT, '-r', '100']);
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(0);
    expect(out).not.toMatch(/skip|unexpected/i);
    expect(r.stdout).toContain('Test with memory notifier error injection');
    const w = writes(log);
    const hot = [32, 33, 34, 35, 36, 37, 38, 39];
    const stateWrites = (value: string) => w.filter((x) => x.path.endsWith('/state') && x.value === `${value}\n`);
    // the plain part: online all, offline all (100 %), online all; then the injection part:
    // offline all, each online vetoed, online all, each offline vetoed
    expect(stateWrites('online').map((x) => [x.path.match(/memory(\d+)/)![1], x.ret])).toEqual(
      [...hot, ...hot, ...hot, ...hot].map((b, i) => [String(b), i >= 16 && i < 24 ? -12 : 0]),
    );
    expect(stateWrites('offline').map((x) => x.ret)).toEqual([...hot.map(() => 0), ...hot.map(() => 0), ...hot.map(() => -12)]);
    expect(w.filter((x) => x.path.includes('notifier-error-inject')).map((x) => [x.path.split('/').at(-2), x.value.trim()])).toEqual([
      ['MEM_GOING_OFFLINE', '0'], ['MEM_GOING_ONLINE', '-12'], ['MEM_GOING_ONLINE', '0'], ['MEM_GOING_OFFLINE', '-12'], ['MEM_GOING_OFFLINE', '0'],
    ]);
    expect(w.every((x) => x.ret === 0 || x.errno === 'ENOMEM')).toBe(true);
  });

  it('with its default options: no skip, no unexpected', async () => {
    const r = await memhpExec(MACHINE, join(tmp, 'default.jsonl'), ['bash', SCRIPT]);
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(0);
    expect(out).not.toMatch(/skip|unexpected/i);
    expect(r.stdout).toContain('Test with memory notifier error injection');
  });
});
