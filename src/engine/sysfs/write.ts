/**
 * The raw `write` operation: write(2) of a string to /sys/<path>, what
 * `memhp mount` records for every write. The path is looked up in the
 * attribute table (attrs.ts, paths.ts) against the world's blocks and nodes
 * directly, never through a rendered view; then the attribute's store
 * function runs. A file that does not exist is -ENOENT, a directory -EISDIR,
 * a read-only file -EACCES, a link -EINVAL, all recorded in the log.
 */
import { bootRanges } from '../../kernel/boot-layout.ts';
import { configOf } from '../../kernel/config.ts';
import { fail, type KernelError } from '../../kernel/errno.ts';
import { tableGet } from '../table.ts';
import type { Tx } from '../tx.ts';
import type { World } from '../world.ts';
import { SYSFS_ATTRS } from './attrs.ts';
import { sysfsNodeAt, type SysfsPresence } from './paths.ts';

/** What exists in sysfs for this world, read from its tables. */
export function worldPresence(world: World): SysfsPresence {
  const k = { kernel: world.system.kernel, config: configOf(world.system) };
  return {
    ...k,
    blockNode: (id) => tableGet(world.blocks, id)?.nid,
    nodeOnline: (n) => tableGet(world.nodes, n)?.online === true,
    // boot memory's ranges and plain add_memory() ones (to-view.ts firmwareMemmapView)
    firmwareEntries: bootRanges(world.system).length + world.firmwareMap.length,
    hasModuleParams: SYSFS_ATTRS.some((a) => a.dir === 'params' && (!a.when || a.when(k))),
  };
}

/** Paths below /sys as the op carries them: no leading or doubled slash, no `.`/`..`. */
function normalise(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) fail('ENOENT', `${path}: ".." is not followed in a sysfs path`, 'kernfs_iop_lookup');
  return parts.join('/');
}

/** write(2) of `value` to /sys/<path>: the file must exist in this world and be writable by mode; then its store function runs. */
export function sysfsWrite(tx: Tx, rawPath: string, value: string): KernelError | void {
  const path = normalise(rawPath);
  const node = sysfsNodeAt(worldPresence(tx.world), `sys/${path}`);
  if (!node) fail('ENOENT', `/sys/${path} does not exist`, 'kernfs_iop_lookup');
  if (node.kind === 'dir') fail('EISDIR', `/sys/${path} is a directory`, 'kernfs_fop_open');
  if (node.kind === 'symlink') fail('EINVAL', `/sys/${path} is a link`, 'kernfs_fop_open');
  const { attr } = node;
  if ((attr.mode & 0o222) === 0) fail('EACCES', `/sys/${path} is read-only (mode ${attr.mode.toString(8)})`, 'kernfs_fop_open');
  // A file marked writable that has no store here: say so rather than pretend.
  if (!attr.store) fail('EACCES', `/sys/${path}: memhp has no store function for this file`, 'kernfs_fop_open');
  return attr.store(tx, value, node.in.key as never);
}
