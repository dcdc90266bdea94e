/**
 * Writes memhp import's hand-written dumps (test/fixtures/sysfs-dumps/*.tar.bz2) in the layout
 * of util-linux's tests/ts/lsmem/mk-input.sh: one top folder holding sys/devices/system/memory,
 * as `cp -r` copies it from a running kernel (readable files with their content, symlinks as
 * symlinks even where they point outside the dump, write-only files left out). Each machine is
 * described below with what its kernel shows; the real-kernel dumps come from
 * scripts/conform/dump-sysfs.ts instead.
 *
 *   tsx scripts/sysfs-dumps.ts [outdir]
 *
 * Needs tar and bzip2 (a developer's tool; memhp import itself reads the tarballs without them).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

interface Block {
  id: number;
  state: 'online' | 'offline';
  zones: string;
  removable: 0 | 1;
  node: number;
}

interface Machine {
  name: string;
  blockSize: number;
  autoOnline: string;
  blocks: Block[];
  /** the device core's files in each memoryN/ (uevent, power/, subsystem): old and new kernels alike */
  deviceCore: boolean;
}

const M = 2 ** 20;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const POWER = { async: 'disabled\n', control: 'auto\n', runtime_active_kids: '0\n', runtime_active_time: '0\n', runtime_enabled: 'disabled\n', runtime_status: 'unsupported\n', runtime_suspended_time: '0\n', runtime_usage: '0\n' };

const MACHINES: Machine[] = [
  {
    // arm64 with 16K pages: RAM from 1 TiB, so blocks are numbered from 8192; two blocks of
    // firmware-reserved memory are missing; all of it in ZONE_DMA (a 6.x kernel)
    name: 'arm64-16k-8192',
    blockSize: 128 * M,
    autoOnline: 'offline',
    deviceCore: true,
    blocks: [...range(8192, 8316), 8319].map((id) => ({ id, state: 'online', zones: 'DMA', removable: 1, node: 0 })),
  },
  {
    // s390 under z/VM on a 6.x kernel: 4 GiB online in 256 MiB storage increments (DMA below
    // 2 GiB), 2 GiB of standby memory offline, which onlines movable by default
    name: 's390-standby',
    blockSize: 256 * M,
    autoOnline: 'offline',
    deviceCore: true,
    blocks: [
      ...range(0, 7).map((id) => ({ id, state: 'online' as const, zones: 'DMA', removable: 1 as const, node: 0 })),
      ...range(8, 15).map((id) => ({ id, state: 'online' as const, zones: 'Normal', removable: 1 as const, node: 0 })),
      ...range(16, 23).map((id) => ({ id, state: 'offline' as const, zones: 'Movable Normal', removable: 1 as const, node: 0 })),
    ],
  },
  {
    // an x86_64 VM on a 4.19 kernel: 3 GiB below the PCI hole and 1 GiB above on node 0, 1 GiB
    // on node 1, and a 1 GiB DIMM added offline; removable was computed then, so blocks
    // holding kernel data read 0 (and block 0 spans DMA and DMA32: "none")
    name: 'x86_64-4.19-removable',
    blockSize: 128 * M,
    autoOnline: 'offline',
    deviceCore: true,
    blocks: [
      { id: 0, state: 'online', zones: 'none', removable: 0, node: 0 },
      ...range(1, 23).map((id) => ({ id, state: 'online' as const, zones: 'DMA32', removable: (id === 1 || id === 23 ? 0 : 1) as 0 | 1, node: 0 })),
      ...range(32, 39).map((id) => ({ id, state: 'online' as const, zones: 'Normal', removable: (id === 39 ? 0 : 1) as 0 | 1, node: 0 })),
      ...range(40, 47).map((id) => ({ id, state: 'online' as const, zones: 'Normal', removable: (id === 47 ? 0 : 1) as 0 | 1, node: 1 })),
      ...range(48, 55).map((id) => ({ id, state: 'offline' as const, zones: 'Normal Movable', removable: 1 as const, node: 1 })),
    ],
  },
];

function write(root: string, m: Machine): void {
  const mem = join(root, m.name, 'sys/devices/system/memory');
  const file = (p: string, text: string) => {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  };
  file(join(mem, 'block_size_bytes'), `${m.blockSize.toString(16)}\n`);
  file(join(mem, 'auto_online_blocks'), `${m.autoOnline}\n`);
  if (m.deviceCore) {
    file(join(mem, 'uevent'), '');
    for (const [k, v] of Object.entries(POWER)) file(join(mem, 'power', k), v);
  }
  for (const b of m.blocks) {
    const d = join(mem, `memory${b.id}`);
    file(join(d, 'phys_index'), `${b.id.toString(16).padStart(8, '0')}\n`);
    file(join(d, 'state'), `${b.state}\n`);
    file(join(d, 'online'), b.state === 'online' ? '1\n' : '0\n');
    file(join(d, 'valid_zones'), `${b.zones}\n`);
    file(join(d, 'removable'), `${b.removable}\n`);
    file(join(d, 'phys_device'), '0\n');
    // the node link points into sys/devices/system/node, which the dump does not hold
    symlinkSync(`../../node/node${b.node}`, join(d, `node${b.node}`));
    if (m.deviceCore) {
      file(join(d, 'uevent'), '');
      symlinkSync('../../../../bus/memory', join(d, 'subsystem'));
      for (const [k, v] of Object.entries(POWER)) file(join(d, 'power', k), v);
    }
  }
}

const out = resolve(process.argv[2] ?? 'test/fixtures/sysfs-dumps');
mkdirSync(out, { recursive: true });
for (const m of MACHINES) {
  const tmp = mkdtempSync(join(tmpdir(), 'memhp-dumps-'));
  try {
    write(tmp, m);
    execFileSync('tar', ['-C', tmp, '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '--mtime=@0', '-cjf', join(out, `${m.name}.tar.bz2`), m.name]);
    console.log(`wrote ${join(out, `${m.name}.tar.bz2`)}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
