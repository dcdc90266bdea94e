/**
 * The exported tree on disk: file contents byte for byte, kernel modes,
 * relative symlinks, node lists, module parameters, safe replacement, and
 * the round trip through readSysfs.
 */
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportSysfs, readSysfs } from '../../src/sysfs/index.ts';
import { block, mixedBlocks, node, view } from './fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'memhp-sysfs-'));
  dirs.push(d);
  return d;
}

const MEM = 'sys/devices/system/memory';
const NODE = 'sys/devices/system/node';
const PARAMS = 'sys/module/memory_hotplug/parameters';
const read = (dir: string, p: string) => readFileSync(join(dir, p), 'utf8');
const mode = (dir: string, p: string) => lstatSync(join(dir, p)).mode & 0o777;

describe('exportSysfs', () => {
  it('writes the memory directory attributes as the kernel prints them', () => {
    const dir = tmp();
    // a kernel built with CONFIG_ARCH_MEMORY_PROBE (x86 distributions leave it off: no probe file)
    exportSysfs(view(mixedBlocks(), { params: { auto_online_blocks: 'online_movable' }, config: { ARCH_MEMORY_PROBE: true } }), dir);
    expect(read(dir, `${MEM}/block_size_bytes`)).toBe('8000000\n');
    expect(read(dir, `${MEM}/auto_online_blocks`)).toBe('online_movable\n');
    expect(read(dir, `${MEM}/probe`)).toBe('');
    expect(existsSync(join(dir, `${MEM}/vmemmap_hotplug`))).toBe(false);
    expect([mode(dir, `${MEM}/block_size_bytes`), mode(dir, `${MEM}/auto_online_blocks`), mode(dir, `${MEM}/probe`)]).toEqual([0o444, 0o644, 0o200]);
    const memories = readdirSync(join(dir, MEM)).filter((n) => n.startsWith('memory'));
    expect(memories.sort()).toEqual(mixedBlocks().map((b) => `memory${b.id}`).sort());
  });

  it('writes each memoryN with exact contents, modes and a relative node link', () => {
    const dir = tmp();
    exportSysfs(view(mixedBlocks()), dir);
    const m = (id: number, f: string) => read(dir, `${MEM}/memory${id}/${f}`);
    expect([m(0, 'phys_index'), m(0, 'state'), m(0, 'online'), m(0, 'valid_zones'), m(0, 'removable'), m(0, 'phys_device')]).toEqual(['00000000\n', 'online\n', '1\n', 'none\n', '1\n', '0\n']);
    expect([m(3, 'state'), m(3, 'online')]).toEqual(['going-offline\n', '1\n']);
    expect([m(16, 'phys_index'), m(16, 'state'), m(16, 'online'), m(16, 'valid_zones')]).toEqual(['00000010\n', 'offline\n', '0\n', 'Normal Movable\n']);
    const d = `${MEM}/memory20`;
    expect(Object.fromEntries(['phys_index', 'state', 'online', 'valid_zones', 'removable', 'phys_device'].map((f) => [f, mode(dir, `${d}/${f}`)]))).toEqual({
      phys_index: 0o444, state: 0o644, online: 0o644, valid_zones: 0o444, removable: 0o444, phys_device: 0o444,
    });
    expect(readlinkSync(join(dir, `${d}/node1`))).toBe('../../node/node1');
    expect(realpathSync(join(dir, `${d}/node1`))).toBe(realpathSync(join(dir, `${NODE}/node1`)));
  });

  it('writes node lists and the reverse memoryN links of online nodes', () => {
    const dir = tmp();
    // Node 2 is online without memory; node 3 is possible but offline.
    const v = view(mixedBlocks(), { nodes: [node(0, true), node(1, true), node(2, true), node(3, false)] });
    exportSysfs(v, dir);
    expect(read(dir, `${NODE}/possible`)).toBe('0-3\n');
    expect(read(dir, `${NODE}/online`)).toBe('0-2\n');
    expect(read(dir, `${NODE}/has_memory`)).toBe('0-1\n');
    expect(readdirSync(join(dir, NODE)).filter((n) => /^node\d+$/.test(n)).sort()).toEqual(['node0', 'node1', 'node2']);
    expect(readdirSync(join(dir, `${NODE}/node0`)).sort()).toEqual(['memory0', 'memory1', 'memory2', 'memory3', 'memory4']);
    expect(readdirSync(join(dir, `${NODE}/node2`))).toEqual([]);
    expect(readlinkSync(join(dir, `${NODE}/node1/memory17`))).toBe('../../memory/memory17');
    expect(read(dir, `${NODE}/node1/memory17/phys_index`)).toBe('00000011\n');
  });

  it('takes node_possible_map from machine.possibleNodes', () => {
    const dir = tmp();
    exportSysfs(view(mixedBlocks()), dir, { possibleNodes: 4 });
    expect(read(dir, `${NODE}/possible`)).toBe('0-3\n');
    exportSysfs(view(mixedBlocks()), dir, { possibleNodes: [0, 1, 3] });
    expect(read(dir, `${NODE}/possible`)).toBe('0-1,3\n');
    expect(() => exportSysfs(view(mixedBlocks()), dir, { possibleNodes: 0 })).toThrow(/possibleNodes: 0 is not a node count/);
  });

  it('lists only nodes with online memory in has_memory, Movable-only nodes not in has_normal_memory', () => {
    const dir = tmp();
    exportSysfs(view([block(0, 0, 'online', 'Normal', 'Normal'), block(1, 1, 'online', 'Movable', 'Movable'), block(2, 2, 'offline', null, 'Normal Movable')], { nodes: [node(0, true), node(1, true), node(2, true)] }), dir);
    expect(read(dir, `${NODE}/has_memory`)).toBe('0-1\n');
    expect(read(dir, `${NODE}/has_normal_memory`)).toBe('0\n');
  });

  it('writes memory_hotplug module parameters per era', () => {
    const dir = tmp();
    exportSysfs(view(mixedBlocks(), { params: { memmap_on_memory: 'force', online_policy: 'auto-movable', auto_movable_ratio: 150, auto_movable_numa_aware: false } }), dir);
    expect(['memmap_on_memory', 'online_policy', 'auto_movable_ratio', 'auto_movable_numa_aware'].map((f) => [read(dir, `${PARAMS}/${f}`), mode(dir, `${PARAMS}/${f}`)])).toEqual([
      ['force\n', 0o444], ['auto-movable\n', 0o644], ['150\n', 0o644], ['N\n', 0o644],
    ]);
    exportSysfs(view(mixedBlocks(), { kernel: '5.15', params: { memmap_on_memory: 'on' } }), dir);
    expect(read(dir, `${PARAMS}/memmap_on_memory`)).toBe('Y\n');
    expect(read(dir, `${PARAMS}/auto_movable_numa_aware`)).toBe('Y\n');
    // 5.13 has memmap_on_memory only: online_policy and its tunables came with 5.15
    // ("mm/memory_hotplug: introduce "auto-movable" online policy")
    exportSysfs(view(mixedBlocks(), { kernel: '5.13', params: { memmap_on_memory: 'on' } }), dir);
    expect(readdirSync(join(dir, PARAMS))).toEqual(['memmap_on_memory']);
  });

  it('has no probe file without CONFIG_ARCH_MEMORY_PROBE, as x86 distribution kernels are built', () => {
    const dir = tmp();
    exportSysfs(view(mixedBlocks()), dir);
    expect(existsSync(join(dir, `${MEM}/probe`))).toBe(false);
  });

  it('without CONFIG_MEMORY_HOTREMOVE: no valid_zones (drivers/base/memory.c), removable reads 0 (removable_show)', () => {
    const dir = tmp();
    exportSysfs(view(mixedBlocks(), { config: { MEMORY_HOTREMOVE: false } }), dir);
    expect(existsSync(join(dir, `${MEM}/memory4/valid_zones`))).toBe(false);
    expect(read(dir, `${MEM}/memory4/removable`)).toBe('0\n');
  });

  it('without CONFIG_MHP_MEMMAP_ON_MEMORY: no memmap_on_memory parameter file', () => {
    const dir = tmp();
    exportSysfs(view(mixedBlocks(), { config: { MHP_MEMMAP_ON_MEMORY: false } }), dir);
    expect(readdirSync(join(dir, PARAMS)).sort()).toEqual(['auto_movable_numa_aware', 'auto_movable_ratio', 'online_policy']);
  });

  it('writes vmemmap_hotplug and no module parameters for v2-2019', () => {
    const dir = tmp();
    exportSysfs(view(mixedBlocks(), { kernel: 'v2-2019', params: { vmemmap_hotplug: false, auto_online_blocks: 'online_kernel' } }), dir);
    expect(read(dir, `${MEM}/vmemmap_hotplug`)).toBe('disabled\n');
    expect(mode(dir, `${MEM}/vmemmap_hotplug`)).toBe(0o644);
    expect(read(dir, `${MEM}/auto_online_blocks`)).toBe('online\n');
    expect(existsSync(join(dir, 'sys/module'))).toBe(false);
    // The pinned online block 4 fails the pre-5.9 removability check.
    expect(read(dir, `${MEM}/memory4/removable`)).toBe('0\n');
    expect(read(dir, `${MEM}/memory16/removable`)).toBe('1\n');
  });

  it('replaces an earlier export so stale memoryN never linger, leaving no staging directories', () => {
    const dir = tmp();
    exportSysfs(view(mixedBlocks()), dir);
    exportSysfs(view([block(0, 0, 'online', null, 'none')]), dir);
    expect(readdirSync(join(dir, MEM)).filter((n) => n.startsWith('memory'))).toEqual(['memory0']);
    expect(readdirSync(join(dir, `${NODE}/node0`))).toEqual(['memory0']);
    expect(readdirSync(dir)).toEqual(['sys']);
  });

  it('refuses to replace a sys directory it did not write, and the real root', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'sys'));
    writeFileSync(join(dir, 'sys/precious'), 'keep me\n');
    expect(() => exportSysfs(view(mixedBlocks()), dir)).toThrow(/not written by memhp/);
    expect(read(dir, 'sys/precious')).toBe('keep me\n');
    expect(readdirSync(dir)).toEqual(['sys']);
    expect(() => exportSysfs(view(mixedBlocks()), '/')).toThrow(/refusing to write into \//);
  });

  it('rejects an inconsistent view before touching the disk, naming the JSON path', () => {
    const dir = tmp();
    const dup = view([block(0, 0, 'online', null, 'none'), block(0, 0, 'online', null, 'none')]);
    expect(() => exportSysfs(dup, dir)).toThrow(/view\.blocks\[1\]\.id: memory0 already at view\.blocks\[0\]/);
    const misplaced = view([{ ...block(5, 0, 'online', 'Normal', 'Normal'), startPfn: 0 }]);
    expect(() => exportSysfs(misplaced, dir)).toThrow(/view\.blocks\[0\]\.startPfn: 0 .*memory5/);
    const odd = { ...view([]), blockSizeBytes: 3 * 2 ** 27 };
    expect(() => exportSysfs(odd, dir)).toThrow(/view\.blockSizeBytes: .* not a positive power of two/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is relocatable: a copied tree reads back the same', () => {
    const dir = tmp();
    const v = view(mixedBlocks());
    exportSysfs(v, dir);
    const moved = tmp();
    cpSync(join(dir, 'sys'), join(moved, 'sys'), { recursive: true, verbatimSymlinks: true });
    rmSync(join(dir, 'sys'), { recursive: true });
    expect(readSysfs(moved).blocks.map((b) => b.node)).toEqual(v.blocks.map((b) => b.node));
  });
});

describe('readSysfs', () => {
  it('round-trips a view', () => {
    const dir = tmp();
    const v = view(mixedBlocks(), { kernel: '6.6', params: { memmap_on_memory: 'force' } });
    exportSysfs(v, dir);
    const s = readSysfs(dir);
    expect(s.blockSizeBytes).toBe(v.blockSizeBytes);
    expect(s.autoOnlineBlocks).toBe('offline');
    expect(s.vmemmapHotplug).toBeNull();
    expect(s.blocks).toEqual(v.blocks.map((b) => ({ id: b.id, state: b.state, online: b.state !== 'offline', node: b.node, validZones: b.validZones, removable: 1 })));
    expect(s.nodes).toEqual({ possible: [0, 1], online: [0, 1], hasMemory: [0, 1], memory: { 0: [0, 1, 2, 3, 4], 1: [5, 6, 16, 17, 18, 19, 20, 21] } });
    expect(s.params).toEqual({ memmap_on_memory: 'force', online_policy: 'contig-zones', auto_movable_ratio: 301, auto_movable_numa_aware: true });
  });

  it('names the file that is malformed', () => {
    const dir = tmp();
    exportSysfs(view(mixedBlocks()), dir);
    writeFileSync(join(dir, `${MEM}/memory17/state`), 'sleeping\n');
    expect(() => readSysfs(dir)).toThrow(/memory17\/state: "sleeping" is not one of online, offline, going-offline/);
    writeFileSync(join(dir, `${MEM}/memory17/state`), 'online');
    expect(() => readSysfs(dir)).toThrow(/memory17\/state: "online" does not end in a newline/);
    writeFileSync(join(dir, `${MEM}/memory17/state`), 'online\n');
    writeFileSync(join(dir, `${MEM}/memory17/phys_index`), '00000012\n');
    expect(() => readSysfs(dir)).toThrow(/memory17\/phys_index: 12 does not match memory17/);
    expect(() => readSysfs(tmp())).toThrow(/block_size_bytes: missing/);
  });
});
