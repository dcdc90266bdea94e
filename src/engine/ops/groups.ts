/**
 * Memory groups (drivers/base/memory.c, 5.15+; docs/drivers.md): a driver
 * registers one per device, every block it adds joins it (MHP_NID_IS_MGID),
 * and auto-movable judges the group's blocks together.
 */
import { fail } from '../../kernel/errno.ts';
import { hasMemoryGroups } from '../../kernel/drivers.ts';
import type { Tx } from '../tx.ts';
import type { MemoryGroupState } from '../../kernel/reader.ts';

/** The lowest free id: xa_alloc() over memory_groups with xa_limit_31b. */
function nextGroupId(groups: readonly MemoryGroupState[]): number {
  let id = 0;
  for (const g of groups) if (g.id === id) id++;
  return id;
}

/**
 * memory_group_register_static(nid, max_pages) / memory_group_register_dynamic(nid, unit_pages):
 * -EINVAL for a node that is not possible, for max_pages 0, and for a unit that is
 * not a power of two or smaller than a memory block. Returns the mgid.
 */
export function registerGroup(tx: Tx, owner: string, nid: number, dynamic: boolean, pages: number, possibleNodes: number): number {
  if (!hasMemoryGroups(tx.system.kernel)) fail('ENOENT', `memory groups do not exist in ${tx.system.kernel} (5.15+)`, 'memory_group_register');
  if (nid < 0 || nid >= possibleNodes) fail('EINVAL', `memory_group_register: node ${nid} is not possible`, 'memory_group_register');
  if (!dynamic && pages === 0) fail('EINVAL', 'memory_group_register_static: max_pages is 0', 'memory_group_register');
  if (dynamic && (pages === 0 || (pages & (pages - 1)) !== 0 || pages < tx.g.pagesPerBlock))
    fail('EINVAL', `memory_group_register_dynamic: unit_pages ${pages} is not a power of two of at least one memory block (${tx.g.pagesPerBlock})`, 'memory_group_register');
  const id = nextGroupId(tx.draft.groups);
  tx.emit({ type: 'group', action: 'register', id, nid, dynamic, pages, owner });
  return id;
}

/** memory_group_unregister(mgid): -EINVAL for an unknown group, -EBUSY while blocks still belong to it. */
export function unregisterGroup(tx: Tx, id: number): void {
  const g = tx.draft.groups.find((x) => x.id === id);
  if (!g) fail('EINVAL', `memory group ${id} does not exist`, 'memory_group_unregister');
  const b = tx.draft.blocks.find((x) => x.group === id);
  if (b) fail('EBUSY', `memory group ${id} still has memory${b.id}`, 'memory_group_unregister');
  tx.emit({ type: 'group', action: 'unregister', id, nid: g.nid, dynamic: g.dynamic, pages: g.pages, owner: g.owner });
}
