/**
 * `--export sh`: the counterexample as a POSIX shell script. Run inside
 * `memhp exec` (memhp's simulated /sys at the real paths) it makes the same
 * sysfs writes, gets the results memhp predicted, and leaves the world memhp
 * predicted; on a machine that behaves differently it says where it parted.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalKey } from '../../src/check/canonical.ts';
import { exportShell } from '../../src/check/export-sh.ts';
import { bootedWorld } from '../../src/check/invariants/index.ts';
import { smallMachine } from '../../src/check/machine.ts';
import { decide } from '../../src/engine/decide.ts';
import { TableGate } from '../../src/engine/gate.ts';
import type { Op } from '../../src/kernel/ops.ts';
import type { SystemSpec } from '../../src/kernel/types.ts';
import { readLog } from '../../src/log/index.ts';
import { replay } from '../../src/index.ts';
import { CAN_MOUNT, dir, memhpExec } from '../fuse/helpers.ts';

const tmp = dir('memhp-export-sh-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// memhp's small 6.8 machine, with the probe file (CONFIG_ARCH_MEMORY_PROBE) so that a one-block add is a sysfs write
const m = smallMachine({ kernel: '6.8', blocks: 3 });
const spec: SystemSpec = { ...m.spec, machine: { ...m.spec.machine, config: { ARCH_MEMORY_PROBE: true } } };
const bs = m.blockSize;
const at = (i: number) => m.windowStart + i * bs;
const b0 = m.firstBlock;

/** Every kind of step that goes through sysfs or debugfs, successes and refusals, then one the script cannot make. */
const SYSFS_OPS: Op[] = [
  { op: 'add_memory', node: 0, start: at(0), size: bs, flags: [] },
  { op: 'state', block: b0, value: 'online_movable' },
  { op: 'state', block: b0, value: 'online' },
  { op: 'inject', action: 'MEM_GOING_OFFLINE', error: -12 },
  { op: 'state', block: b0, value: 'offline' },
  { op: 'inject', action: 'MEM_GOING_OFFLINE', error: 0 },
  { op: 'online', block: b0, value: false },
  { op: 'state', block: b0, value: 'offline' },
  { op: 'set', param: 'auto_online_blocks', value: 'online_movable' },
  { op: 'add_memory', node: 0, start: at(1), size: bs, flags: [] },
  { op: 'state', block: b0 + 7, value: 'online' },
  { op: 'write', path: `devices/system/memory/memory${b0 + 1}/state`, value: 'offline\n' },
];
const LAST: Op = { op: 'remove_memory', start: at(0), size: bs };

function predicted(ops: readonly Op[]) {
  const gate = new TableGate();
  let w = bootedWorld(spec);
  for (const op of ops) w = decide(w, gate, op).world;
  return w;
}

function scenario(name: string, params: object = {}) {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...spec, name, params: { ...spec.params, ...params }, ops: [] }));
  return file;
}

describe('export sh', { timeout: 120_000 }, () => {
  it('writes sysfs steps as writes with their predicted result, device steps as QMP lines, kernel-internal calls as steps it cannot make', () => {
    const text = exportShell(spec, [...SYSFS_OPS, { op: 'acpi_dimm_add', device: 'PNP0C80:01', node: 0, start: at(2), size: bs }, { op: 'acpi_dimm_eject', device: 'PNP0C80:01' }, LAST]);
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toContain(`expect_write 'devices/system/memory/probe' '0x${at(0).toString(16)}' 0 ''`);
    expect(text).toContain(`expect_write 'devices/system/memory/memory${b0}/state' 'online' EINVAL 'Invalid argument'`);
    expect(text).toContain(`expect_write 'kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error' '-12' 0 ''`);
    expect(text).toContain(`expect_write 'devices/system/memory/memory${b0}/state' 'offline' ENOMEM 'Cannot allocate memory'`);
    expect(text).toContain(`expect_write_raw 'devices/system/memory/memory${b0 + 1}/state' 'offline\n' 0 ''`);
    expect(text).toContain(`{"execute":"device_add","arguments":{"driver":"pc-dimm","id":"memhp-PNP0C80-01","memdev":"memhp-PNP0C80-01-mem${SYSFS_OPS.length + 1}","node":0,"addr":${at(2)}}}`);
    expect(text).toContain('{"execute":"device_del","arguments":{"id":"memhp-PNP0C80-01"}}');
    expect(text).toMatch(/cannot 'remove_memory\(\) is called by drivers inside the kernel/);
    expect(text).toContain(`expect_block ${b0} online 'Movable'`);
    // an onlining agent acts by itself on a real machine: the script waits for its effect instead of doing its work
    const agent = exportShell(spec, [SYSFS_OPS[0]!, { op: 'agent', agent: 'udev' }]);
    expect(agent).toMatch(/onlining agent handles its oldest reaction by itself: waiting for it'\nsettle 30\n/);
    expect(agent).toMatch(/^settled\(\) \{ case \$step in 2\) /m);
    // a two-block add is one resource in memhp; two probe writes would make two: not offered as the same thing
    expect(exportShell(spec, [{ op: 'add_memory', node: 0, start: at(0), size: 2 * bs, flags: [] }])).toMatch(/cannot 'add_memory\(\) is called by drivers/);
  });

  it('pipes a device step\'s QMP lines to $MEMHP_QMP, waits for the guest to settle, then checks the blocks', () => {
    const sys = join(tmp, 'fake-sys');
    const mem = join(sys, 'devices/system/memory');
    mkdirSync(mem, { recursive: true });
    writeFileSync(join(mem, 'block_size_bytes'), `${bs.toString(16)}\n`);
    const script = join(tmp, 'qmp.sh');
    const dimm: Op = { op: 'acpi_dimm_add', device: 'PNP0C80:01', node: 0, start: at(2), size: bs };
    writeFileSync(script, exportShell(spec, [dimm], { settleSeconds: 2 }));
    const block = join(mem, `memory${b0 + 2}`);
    // a stand-in hypervisor: records the QMP lines and, like the guest's ACPI driver, adds the block offline
    const hypervisor = `cat > ${join(tmp, 'qmp.out')}; mkdir -p ${block}; echo offline > ${block}/state; echo 'Normal Movable' > ${block}/valid_zones`;
    const r = spawnSync('sh', [script], { encoding: 'utf8', env: { ...process.env, MEMHP_SYSFS: sys, MEMHP_QMP: hypervisor } });
    expect(r.stdout).not.toMatch(/PARTED/);
    expect(r.stdout).toMatch(/every step went as memhp predicted/);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(tmp, 'qmp.out'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).execute)).toEqual(['qmp_capabilities', 'object-add', 'device_add']);
    // without a monitor it prints the commands and stops there
    rmSync(block, { recursive: true });
    const none = spawnSync('sh', [script], { encoding: 'utf8', env: { ...process.env, MEMHP_SYSFS: sys, MEMHP_QMP: '' } });
    expect(none.status).toBe(2);
    expect(none.stdout).toMatch(/set MEMHP_QMP[^\n]*\n {4}\{"execute":"object-add"/);
  });

  it.skipIf(spawnSync('shellcheck', ['--version']).status !== 0)('is clean under shellcheck -s sh', () => {
    const file = join(tmp, 'check.sh');
    writeFileSync(file, exportShell(spec, [...SYSFS_OPS, { op: 'acpi_dimm_add', device: 'PNP0C80:01', node: 0, start: at(2), size: bs }, { op: 'dax_kmem_remove', device: 'dax0.0' }, LAST]));
    const r = spawnSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!CAN_MOUNT)('inside memhp exec: every sysfs step gets the result memhp predicted and leaves the world memhp predicted; it stops at a step it cannot make', async () => {
    const script = join(tmp, 'cx.sh');
    writeFileSync(script, exportShell(spec, [...SYSFS_OPS, LAST]));
    const log = join(tmp, 'exec.jsonl');
    const r = await memhpExec(scenario('same'), log, ['sh', script]);
    expect(r.stdout).not.toMatch(/PARTED/);
    expect(r.stdout).toMatch(new RegExp(`stopped at step ${SYSFS_OPS.length + 1}; every step before it went as memhp predicted`));
    expect(r.code, r.stdout + r.stderr).toBe(2);
    // the writes memhp exec recorded, the refused ones with the errnos memhp predicted (the write to a
    // missing memoryN/state never reaches sysfs: the shell cannot open it, as on a real machine)
    const ops = readLog(log).events.filter((e) => e.type === 'op' && e.op.op === 'write');
    expect(ops.map((e) => (e.type === 'op' ? e.errno : null))).toEqual([null, null, 'EINVAL', null, 'ENOMEM', null, null, 'EINVAL', null, null, null]);
    const { header, events } = readLog(log);
    expect(canonicalKey(replay(header.system, events))).toBe(canonicalKey(predicted(SYSFS_OPS)));
  });

  it.skipIf(!CAN_MOUNT)('on a machine that behaves differently it reports where it parted and exits 1', async () => {
    const script = join(tmp, 'parts.sh');
    writeFileSync(script, exportShell(spec, SYSFS_OPS.slice(0, 3)));
    // this machine onlines new blocks itself: the probe's block is online before step 2, so step 2's write fails
    const r = await memhpExec(scenario('differs', { auto_online_blocks: 'online' }), join(tmp, 'differs.jsonl'), ['sh', script]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`PARTED at step 1: memory${b0} is online, memhp predicted offline`);
    expect(r.stdout).toMatch(/PARTED at step 2: devices\/system\/memory\/memory\d+\/state: failed \(.*Invalid argument\), memhp predicted success/);
    expect(r.stdout).toMatch(/this machine parted from memhp \d+ time\(s\)/);
  });
});
