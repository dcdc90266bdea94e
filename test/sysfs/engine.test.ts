/**
 * A world from the real engine, exported and read by the real lsmem: what
 * lsmem reports must equal what the view says, block for block.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { HotplugSystem, type Op, type SystemSpec } from '../../src/index.ts';
import { DEFAULT_PARAMS } from '../../src/scenario/defaults.ts';
import { expectedLsmemRows, expectedLsmemSummary, exportSysfs, lsmemArgs, parseLsmemSummary, readSysfs } from '../../src/sysfs/index.ts';
import { lsmem, lsmemJson } from './lsmem-run.ts';

const GiB = 2 ** 30;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(ops: Op[]): HotplugSystem {
  const spec: SystemSpec = {
    name: 'sysfs-engine',
    kernel: '6.8',
    arch: 'x86_64',
    machine: { hypervisor: true, sparsemem: 'vmemmap' },
    boot: [
      { node: 0, size: 4 * GiB, used: GiB, maxFreeOrder: 10 },
      { node: 1, size: 4 * GiB, used: 0, maxFreeOrder: 10 },
    ],
    params: { ...DEFAULT_PARAMS, auto_online_blocks: 'offline' },
  };
  const s = new HotplugSystem(spec, { actors: 'table' });
  for (const op of ops) {
    const r = s.apply(op);
    if (r.ret !== 0) throw new Error(`${JSON.stringify(op)}: ${r.errno} ${r.message ?? ''}`);
  }
  return s;
}

it('lsmem agrees with the engine after hot-add, online_movable and offline', () => {
  const s = run([
    { op: 'add_memory', node: 1, start: 8 * GiB, size: GiB, flags: [] }, // blocks 64-71
    { op: 'state', block: 64, value: 'online_movable' },
    { op: 'state', block: 65, value: 'online_movable' },
    { op: 'state', block: 40, value: 'offline' }, // boot memory of node 1
  ]);
  const v = s.view();
  const dir = mkdtempSync(join(tmpdir(), 'memhp-sysfs-engine-'));
  dirs.push(dir);
  exportSysfs(v, dir);

  const back = readSysfs(dir);
  expect(back.blocks.map((b) => [b.id, b.state, b.node, b.validZones])).toEqual(
    [...v.blocks].sort((a, b) => a.id - b.id).map((b) => [b.id, b.state, b.node, b.validZones]),
  );

  const rows = lsmemJson(lsmemArgs(dir));
  expect(rows).toEqual(expectedLsmemRows(v));
  expect(lsmemJson(lsmemArgs(dir, { all: true }))).toEqual(expectedLsmemRows(v, { all: true }));
  // What the operations say, independent of the view: 64-65 online movable on node 1, 66-71 offline, 40 offline.
  expect(rows).toContainEqual(expect.objectContaining({ block: '64-65', state: 'online', node: 1, zones: 'Movable' }));
  expect(rows).toContainEqual(expect.objectContaining({ block: '66-71', state: 'offline', node: 1 }));
  expect(rows).toContainEqual(expect.objectContaining({ block: '40', state: 'offline', node: 1 }));
  expect(parseLsmemSummary(lsmem(['--sysroot', dir, '-b', '--summary=only']))).toEqual(expectedLsmemSummary(v));
  s.stop();
});
