/** Dumps for the import tests: the committed fixtures, extracted for lsmem, and small bad ones written here. */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decompress, readTar } from '../../src/import/tarball.ts';

export const DUMPS = join(import.meta.dirname, '../fixtures/sysfs-dumps');
export const DUMP_FILES = readdirSync(DUMPS).filter((f) => f.endsWith('.tar.bz2')).sort();

/** Unpacks a fixture under `dir` as `tar -xjf` would (for `lsmem --sysroot`); returns the top folder. */
export async function extract(tarball: string, dir: string): Promise<string> {
  const entries = await readTar(decompress(readFileSync(tarball)));
  let top = '';
  for (const [path, e] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    top ||= path.split('/')[0]!;
    const at = join(dir, path);
    mkdirSync(e.kind === 'dir' ? at : dirname(at), { recursive: true });
    if (e.kind === 'file') writeFileSync(at, e.text);
    if (e.kind === 'link') symlinkSync(e.target, at);
  }
  return join(dir, top);
}

/** A dump folder written from a list: path (below the top folder) → content, or `-> target` for a link. */
export function writeDump(dir: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    const at = join(dir, path);
    mkdirSync(dirname(at), { recursive: true });
    if (content.startsWith('-> ')) symlinkSync(content.slice(3), at);
    else writeFileSync(at, content);
  }
  return dir;
}

/** The memory files of a small, valid x86 dump: `n` online DMA32 blocks from memory1 (memory0 spans DMA and DMA32). */
export function smallX86(n = 4): Record<string, string> {
  const m = 'sys/devices/system/memory';
  const files: Record<string, string> = { [`${m}/block_size_bytes`]: '8000000\n', [`${m}/auto_online_blocks`]: 'offline\n' };
  for (let id = 0; id < n; id++) {
    files[`${m}/memory${id}/state`] = 'online\n';
    files[`${m}/memory${id}/online`] = '1\n';
    files[`${m}/memory${id}/phys_index`] = `${id.toString(16).padStart(8, '0')}\n`;
    files[`${m}/memory${id}/phys_device`] = '0\n';
    files[`${m}/memory${id}/removable`] = '1\n';
    files[`${m}/memory${id}/valid_zones`] = id === 0 ? 'none\n' : 'DMA32\n';
    files[`${m}/memory${id}/node0`] = '-> ../../node/node0';
  }
  return files;
}
