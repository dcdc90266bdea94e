/**
 * The exported tree as the real util-linux lsmem sees it: ranges, sizes,
 * states, block ranges, nodes and zones must match the view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedLsmemRows, expectedLsmemSummary, exportSysfs, lsmemArgs, parseLsmemSummary } from '../../src/sysfs/index.ts';
import type { WorldView } from '../../src/engine/view.ts';
import { block, mixedBlocks, view } from './fixtures.ts';
import { lsmem, lsmemJson } from './lsmem-run.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function exported(v: WorldView): string {
  const dir = mkdtempSync(join(tmpdir(), 'memhp-sysfs-'));
  dirs.push(dir);
  exportSysfs(v, dir);
  return dir;
}

describe('lsmem --sysroot over an exported tree', () => {
  it('is installed as util-linux lsmem', () => {
    expect(lsmem(['--version'])).toMatch(/^lsmem from util-linux \d+\.\d+/);
  });

  it('merges rows as the view predicts (two nodes, a gap, going-offline, valid_zones "none")', () => {
    const v = view(mixedBlocks());
    const dir = exported(v);
    const rows = lsmemJson(lsmemArgs(dir));
    expect(rows).toEqual(expectedLsmemRows(v));
    // Independent of expectedLsmemRows: what a person reading the view expects.
    expect(rows.map((r) => [r.block, r.state, r.node, r.zones])).toEqual([
      ['0', 'online', 0, 'None'],
      ['1-2', 'online', 0, 'DMA32'],
      ['3', 'on->off', 0, 'DMA32'],
      ['4', 'online', 0, 'DMA32'],
      ['5-6', 'online', 1, 'Normal'],
      ['16-19', 'offline', 1, 'Normal/Movable'],
      ['20', 'online', 1, 'Movable'],
      ['21', 'offline', 1, 'Normal/Movable'],
    ]);
    expect(rows[5]).toMatchObject({ range: '0x0000000080000000-0x000000009fffffff', size: 4 * 128 * 2 ** 20 });
  });

  it('lists every block with -a', () => {
    const v = view(mixedBlocks());
    const dir = exported(v);
    const rows = lsmemJson(lsmemArgs(dir, { all: true }));
    expect(rows).toEqual(expectedLsmemRows(v, { all: true }));
    expect(rows.map((r) => r.block)).toEqual(v.blocks.map((b) => `${b.id}`));
    expect(rows.every((r) => r.size === v.blockSizeBytes)).toBe(true);
  });

  it('splits rows where v2-2019 removable differs (a pinned online block reads 0)', () => {
    const blocks = [0, 1, 2, 3].map((id) => block(id, 0, 'online', 'Normal', 'Normal', { pinned: id === 2 }));
    const v = view(blocks, { kernel: 'v2-2019' });
    const rows = lsmemJson(lsmemArgs(exported(v)));
    expect(rows).toEqual(expectedLsmemRows(v));
    expect(rows.map((r) => [r.block, r.removable])).toEqual([['0-1', true], ['2', false], ['3', true]]);
    // From 5.9 on removable is a constant 1: the same blocks make one row.
    const modern = view(blocks, { kernel: '6.8' });
    expect(lsmemJson(lsmemArgs(exported(modern))).map((r) => r.block)).toEqual(['0-3']);
  });

  it('shows no zones when memory0 is missing (lsmem probes memory0/valid_zones only)', () => {
    const v = view([block(8, 0, 'online', 'Normal', 'Normal'), block(9, 0, 'offline', null, 'Normal Movable')]);
    const rows = lsmemJson(lsmemArgs(exported(v)));
    expect(rows).toEqual(expectedLsmemRows(v));
    expect(rows.map((r) => r.zones)).toEqual([null, null]);
  });

  it('without CONFIG_MEMORY_HOTREMOVE the real lsmem sees no valid_zones and removable 0, as the view predicts', () => {
    const v = view(mixedBlocks(), { config: { MEMORY_HOTREMOVE: false } });
    const rows = lsmemJson(lsmemArgs(exported(v)));
    expect(rows).toEqual(expectedLsmemRows(v));
    expect(rows.every((r) => r.zones === null)).toBe(true);
    expect(rows.filter((r) => r.state === 'online').every((r) => r.removable === false)).toBe(true);
  });

  it('reports the summary: block size, online and offline bytes (going-offline counts as offline)', () => {
    const v = view(mixedBlocks());
    const dir = exported(v);
    const summary = parseLsmemSummary(lsmem(['--sysroot', dir, '-b', '--summary=only']));
    expect(summary).toEqual(expectedLsmemSummary(v));
    expect(summary).toEqual({ blockSize: 128 * 2 ** 20, online: 7 * 128 * 2 ** 20, offline: 6 * 128 * 2 ** 20 });
  });

  it('follows a re-export: stale blocks vanish, new states show', () => {
    const v1 = view(mixedBlocks());
    const dir = exported(v1);
    const v2 = view([block(0, 0, 'online', null, 'none'), block(1, 0, 'offline', null, 'DMA32 Movable')]);
    exportSysfs(v2, dir);
    const rows = lsmemJson(lsmemArgs(dir, { all: true }));
    expect(rows).toEqual(expectedLsmemRows(v2, { all: true }));
    expect(rows.map((r) => r.block)).toEqual(['0', '1']);
  });

  it('reads a 2 GiB block size beyond 32 bits', () => {
    const big = 2 * 2 ** 30;
    const v = { ...view([]), blockSizeBytes: big, sectionSizeBytes: 128 * 2 ** 20 };
    v.blocks = [0, 1, 40].map((id) => ({ ...block(id, 0, 'online', 'Normal', 'Normal'), startPfn: (id * big) / v.pageSize, nrPages: big / v.pageSize }));
    const rows = lsmemJson(lsmemArgs(exported(v)));
    expect(rows).toEqual(expectedLsmemRows(v));
    expect(rows.at(-1)).toMatchObject({ block: '40', range: '0x0000001400000000-0x000000147fffffff', size: big });
  });
});
