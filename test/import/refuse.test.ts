/**
 * What cannot be a memhp world is refused with a message naming the file; what is odd but
 * importable (no node link, a node link to nowhere, RAM in no block) is imported and said.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { importSysfs } from '../../src/import/index.ts';
import { memhp, tempDir } from '../cli/helpers.ts';
import { smallX86, writeDump } from './helpers.ts';

const tmp = tempDir('memhp-import-bad-');
const M = 'sys/devices/system/memory';
let n = 0;
/** A dump folder: the small x86 one with `change` applied (undefined deletes a file). */
function dump(change: Record<string, string | undefined> = {}): string {
  const files: Record<string, string> = { ...smallX86() };
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) delete files[k];
    else files[k] = v;
  }
  return writeDump(join(tmp, `d${n++}`, 'machine'), files);
}

describe('memhp import refuses what cannot be a memhp world, naming the file', () => {
  const cases: Array<[string, Record<string, string | undefined>, RegExp]> = [
    ['no block size', { [`${M}/block_size_bytes`]: undefined }, /memory\/block_size_bytes: missing/],
    ['a block size that is not hex', { [`${M}/block_size_bytes`]: '128M\n' }, /block_size_bytes: "128M" is not a size in hex/],
    ['a block size that is not a power of two', { [`${M}/block_size_bytes`]: '6000000\n' }, /block_size_bytes: 0x6000000 is not a power of two/],
    ['a state the kernel never prints', { [`${M}/memory2/state`]: 'Online\n' }, /memory2\/state: "Online" is not a memory block state/],
    ['a block without a state', { [`${M}/memory2/state`]: undefined }, /memory2\/state: missing/],
    ['a phys_index that is another block', { [`${M}/memory3/phys_index`]: '00000007\n' }, /memory3\/phys_index: 00000007 is block 7, but the directory is memory3/],
    ['a block on two nodes', { [`${M}/memory1/node1`]: '-> ../../node/node1' }, /memory1: links to nodes 0 and 1/],
    ['nodes 0 and 2 but no node 1', { [`${M}/memory3/node0`]: undefined, [`${M}/memory3/node2`]: '-> ../../node/node2' }, /blocks are on nodes 0, 2 but none on node 1/],
    ['an auto_online_blocks value that is not an online type', { [`${M}/auto_online_blocks`]: 'yes\n' }, /auto_online_blocks: "yes" is not an online type/],
  ];
  for (const [what, change, message] of cases) {
    it(what, async () => {
      await expect(importSysfs(dump(change))).rejects.toThrow(message);
    });
  }

  it('no memoryN directories', async () => {
    const d = writeDump(join(tmp, 'empty', 'machine'), { [`${M}/block_size_bytes`]: '8000000\n' });
    await expect(importSysfs(d)).rejects.toThrow(/memory: no memoryN directories/);
  });

  it('a block size below the section size of the arch: the scenario\'s own message', async () => {
    await expect(importSysfs(dump({ [`${M}/block_size_bytes`]: '4000000\n' }), { arch: 'x86_64' })).rejects.toThrow(
      /cannot be a memhp world[\s\S]*machine\.memoryBlockSize: 64M is smaller than one section \(128M on x86_64/,
    );
  });

  it('not a dump: a folder without sys/devices/system/memory, a file that is not a tarball, a tarball with two top folders', async () => {
    mkdirSync(join(tmp, 'nothing'));
    await expect(importSysfs(join(tmp, 'nothing'))).rejects.toThrow(/nothing: no sys\/devices\/system\/memory in it or in one folder inside it/);
    writeFileSync(join(tmp, 'notes.txt'), 'hello\n');
    await expect(importSysfs(join(tmp, 'notes.txt'))).rejects.toThrow(/notes\.txt: not a readable tarball|notes\.txt: expected one top folder/);
    await expect(importSysfs(join(tmp, 'missing.tar.bz2'))).rejects.toThrow(/missing\.tar\.bz2: no such file or directory/);
    const tar = pack();
    tar.entry({ name: 'a/sys/devices/system/memory/block_size_bytes' }, '8000000\n');
    tar.entry({ name: 'b/sys/devices/system/memory/block_size_bytes' }, '8000000\n');
    tar.finalize();
    const chunks: Buffer[] = [];
    for await (const c of tar) chunks.push(c as Buffer);
    writeFileSync(join(tmp, 'two.tar'), Buffer.concat(chunks));
    await expect(importSysfs(join(tmp, 'two.tar'))).rejects.toThrow(/two\.tar: expected one top folder, found "a", "b"/);
  });

  it('the command: exit 2 and the message on stderr', async () => {
    const r = await memhp(['import', dump({ [`${M}/memory2/state`]: 'bogus\n' })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/memory2\/state: "bogus" is not a memory block state/);
    expect(r.stdout).toBe('');
  });
});

describe('odd but importable', () => {
  it('node links pointing nowhere, a block without one, and no valid_zones anywhere', async () => {
    const r = await importSysfs(dump({ [`${M}/memory3/node0`]: undefined }));
    expect(r.notes).toContain('1 block has no nodeN link (memory3…): taken to be on node 0');
    expect(r.verification.differences).toEqual([{ path: `${M}/memory3/node0`, dump: null, memhp: '-> node0' }]);
    const files = Object.fromEntries(Object.keys(smallX86()).filter((k) => k.endsWith('valid_zones')).map((k) => [k, undefined]));
    const noZones = await importSysfs(dump(files));
    expect(noZones.scenario.machine.config?.MEMORY_HOTREMOVE).toBe(false);
    expect(noZones.notes).toContain('no block has valid_zones: built without CONFIG_MEMORY_HOTREMOVE');
  });

  it('a block going offline is taken as online, and said', async () => {
    const r = await importSysfs(dump({ [`${M}/memory2/state`]: 'going-offline\n' }));
    expect(r.notes).toContain('memory2 was going offline when it was read: taken as online');
    expect(r.verification.differences.map((d) => d.path)).toEqual([`${M}/memory2/state`]);
  });

  it('the command prints the scenario on stdout and the report on stderr; --strict fails on a difference', async () => {
    const ok = await memhp(['import', dump()]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ arch: 'x86_64', machine: { memoryBlockSize: '128M' } });
    expect(ok.stderr).toMatch(/compared \d+ files and links with memhp's: all the same/);
    const strict = await memhp(['import', dump({ [`${M}/memory2/state`]: 'going-offline\n' }), '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/memory2\/state: the machine shows "going-offline", memhp "online"/);
    const json = await memhp(['import', dump(), '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ guessed: { arch: { value: 'x86_64' }, kernel: { value: '6.8' } }, verification: { differences: [] } });
  });
});
