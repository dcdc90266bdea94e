/**
 * What a world change changed in sysfs, among the paths the kernel may be
 * caching: the server tells the kernel to forget exactly those (server.ts).
 *
 * Cheap on a 32,768-block machine where a write changes one block: blocks are
 * compared first (a block whose view is unchanged keeps every file of its
 * memoryN/ directory), and only the files of changed, added or removed blocks
 * and the few hundred paths outside block directories are compared by
 * content, listing or symlink target.
 */
import type { BlockView } from '../engine/view.ts';
import { MEMORY_DIR, NODE_DIR, sysfsDir, sysfsLookup, type SysfsEntry, type SysfsIndex } from '../sysfs/tree.ts';
import type { KnownPaths } from './server.ts';

function entryAt(ix: SysfsIndex, path: string): SysfsEntry | undefined {
  return path === '' ? { kind: 'dir', path: '' } : sysfsLookup(ix, path);
}

function sameNames(a: SysfsEntry[] | undefined, b: SysfsEntry[] | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.path !== b[i]!.path) return false;
  return true;
}

/** Whether `path` reads, lists or resolves differently in the two worlds (or exists in only one). */
function differs(before: SysfsIndex, after: SysfsIndex, path: string): boolean {
  const a = entryAt(before, path);
  const b = entryAt(after, path);
  if (!a || !b) return a !== b;
  if (a.kind !== b.kind) return true;
  if (a.kind === 'file') return b.kind === 'file' && (a.content !== b.content || a.mode !== b.mode);
  if (a.kind === 'symlink') return b.kind === 'symlink' && a.target !== b.target;
  return path !== '' && !sameNames(sysfsDir(before, path), sysfsDir(after, path));
}

function sameBlock(a: BlockView, b: BlockView): boolean {
  if (a === b) return true;
  for (const k of Object.keys(a) as (keyof BlockView)[]) if (a[k] !== b[k]) return false;
  return Object.keys(a).length === Object.keys(b).length;
}

/** Paths of one block the kernel may know: its directory, what is in it, its node link. */
function blockPaths(id: number, before: SysfsIndex, after: SysfsIndex): Set<string> {
  const dir = `${MEMORY_DIR}/memory${id}`;
  const out = new Set<string>([dir]);
  for (const ix of [before, after]) {
    for (const e of sysfsDir(ix, dir) ?? []) out.add(e.path);
    const b = ix.byId.get(id);
    if (b) out.add(`${NODE_DIR}/node${b.node}/memory${id}`);
  }
  return out;
}

export function changedPaths(before: SysfsIndex, after: SysfsIndex, known: KnownPaths): string[] {
  const out: string[] = [];
  for (const path of known.globals()) if (differs(before, after, path)) out.push(path);
  const check = (id: number) => {
    for (const path of blockPaths(id, before, after)) if (known.has(path) && differs(before, after, path)) out.push(path);
  };
  for (const [id, b] of before.byId) {
    const a = after.byId.get(id);
    if (!a || !sameBlock(b, a)) check(id);
  }
  for (const id of after.byId.keys()) if (!before.byId.has(id)) check(id);
  return out;
}
