/**
 * Takes a real kernel's /sys/devices/system/memory in the layout of util-linux's
 * tests/ts/lsmem/mk-input.sh (a .tar.bz2 whose one top folder holds sys/devices/system/memory),
 * for memhp import's fixtures (test/fixtures/sysfs-dumps; docs/import.md):
 *
 *   tsx scripts/conform/dump-sysfs.ts --kernel 6.12 --out test/fixtures/sysfs-dumps
 *
 * The guest: 2 GiB on two NUMA nodes, memmap_on_memory, new memory offline; then a 512 MiB DIMM
 * on node 1 whose first block is onlined movable and second kernel, the rest left offline.
 * Needs QEMU and the cached kernel (as `memhp conform`), and tar and bzip2 to pack.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GuestDriver } from '../../src/conform/driver.ts';
import { resolveKernel } from '../../src/conform/kernels.ts';
import type { MachineShape } from '../../src/conform/mapping.ts';
import { Guest } from '../../src/conform/qemu.ts';
import { takeSysfsDump } from '../../src/conform/sysfs-dump.ts';

const { values } = parseArgs({ options: { kernel: { type: 'string', default: '6.12' }, out: { type: 'string', default: 'test/fixtures/sysfs-dumps' } } });
const name = `x86_64-qemu-${values.kernel}`;
const shape: MachineShape = { memMiB: 2048, slots: 2, maxMemMiB: 4096, numa: [1024, 1024], bootParams: ['memory_hotplug.memmap_on_memory=1'], runtimeParams: [] };
const guest = await Guest.boot(resolveKernel(values.kernel!), { memMiB: shape.memMiB, slots: shape.slots, maxMemMiB: shape.maxMemMiB, numa: shape.numa, cmdline: [...shape.bootParams, 'memhp_default_state=offline'], accel: 'tcg' });
try {
  const driver = new GuestDriver(guest, shape);
  const add = await driver.dimmAdd(0, 1, 4 * 2 ** 30, 512 * 2 ** 20);
  if (add.status !== 'ok') throw new Error(`DIMM add: ${JSON.stringify(add)}`);
  console.log('online_movable memory32:', await driver.write('devices/system/memory/memory32/state', 'online_movable'));
  console.log('online_kernel memory33:', await driver.write('devices/system/memory/memory33/state', 'online_kernel'));
  const entries = await takeSysfsDump(guest.shell);
  const tmp = mkdtempSync(join(tmpdir(), 'memhp-dump-'));
  try {
    for (const [path, e] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
      const at = join(tmp, name, path);
      if (e.kind === 'dir') mkdirSync(at, { recursive: true });
      else if (e.kind === 'file') writeFileSync(at, e.text);
      else symlinkSync(e.target, at);
    }
    mkdirSync(values.out!, { recursive: true });
    const out = resolve(values.out!, `${name}.tar.bz2`);
    execFileSync('tar', ['-C', tmp, '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '--mtime=@0', '-cjf', out, name]);
    console.log(`wrote ${out} (${entries.size} entries)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} finally {
  await guest.close();
}
