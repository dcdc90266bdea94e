/**
 * Helpers every operation uses: reading blocks and sections from the draft,
 * zone accounting, and the oops raised when a section's memmap lives in
 * memory that has been removed (the seed reviewer's hazard).
 */
import { ERRNO } from '../../kernel/errno.ts';
import type { ZoneName } from '../../kernel/types.ts';
import { grownSpan, shrunkSpan } from '../../kernel/zone-choice.ts';
import type { AccountEvent } from '../events.ts';
import { Oops, type Tx } from '../tx.ts';
import type { BlockState, SectionState } from '../world.ts';
import { TAINT_DIE, TAINT_WARN, zoneKey } from '../world.ts';

export const hex = (n: number) => `0x${n.toString(16)}`;
export const range = (start: number, size: number) => `[mem ${hex(start)}-${hex(start + size - 1)}]`;

export function block(tx: Tx, id: number): BlockState | undefined {
  return tx.draft.blocks.get(id);
}

/** The first section of block `id` (sectionsOf(tx, id)[0], without the array). */
export function firstSectionOf(tx: Tx, id: number): number {
  return id * tx.g.sectionsPerBlock;
}

export function sectionsOf(tx: Tx, id: number): number[] {
  const n = tx.g.sectionsPerBlock;
  const first = id * n;
  // a plain loop: Array.from with a mapping function was 2% of the model checker's time
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(first + i);
  return out;
}

/** Existing blocks whose range lies in [start, start+size), ascending. */
export function blocksIn(tx: Tx, start: number, size: number): BlockState[] {
  const out: BlockState[] = [];
  const first = Math.floor(start / tx.g.blockSize);
  const end = Math.ceil((start + size) / tx.g.blockSize);
  for (let id = first; id < end; id++) {
    const b = tx.draft.blocks.get(id);
    if (b) out.push(b);
  }
  return out;
}

/** The removed range holding this section's memmap, if that memory is gone. */
export function lostMemmap(tx: Tx, s: SectionState): { start: number; size: number } | null {
  if (s.memmap.kind !== 'altmap') return null;
  const head = tx.draft.vmemmap.get(Math.floor(s.memmap.headPfn / tx.g.pagesPerSection));
  return head?.orphanedBy ?? null;
}

/**
 * The kernel reads struct pages of a block whose memmap is gone: a simulated
 * oops. Records the fault, taints the system, and aborts the operation.
 */
export function checkMemmapAlive(tx: Tx, b: BlockState, access: string): void {
  for (const nr of sectionsOf(tx, b.id)) {
    const s = tx.draft.sections.get(nr);
    if (!s) continue;
    const removed = lostMemmap(tx, s);
    if (!removed) continue;
    const message = `BUG: unable to handle page fault: ${access} of memory${b.id} reads the struct pages of section ${nr}, which lived in removed memory ${range(removed.start, removed.size)}`;
    tx.emit({ type: 'fault', kind: 'memmap-in-removed-memory', section: nr, block: b.id, removed, access, message });
    tx.transition('hotplug', null, { type: 'OOPS', set: { oopses: tx.draft.oopses + 1, taint: tx.draft.taint | TAINT_DIE } });
    throw new Oops(ERRNO.EFAULT, message, 'page_fault_oops');
  }
}

/**
 * BUG() / BUG_ON() on a kernel path (docs/eras.md lists each): an oops. The
 * fault names the function and the range it was given; the system is
 * tainted (TAINT_DIE) and the task dies, so the operation does not return
 * normally and no caller cleans up after it.
 */
export function kernelBug(tx: Tx, site: string, condition: string, where: { start: number; size: number }): never {
  const message = `kernel BUG in ${site}(): ${condition} ${range(where.start, Math.max(where.size, 1))}`;
  const section = Math.floor(where.start / tx.g.sectionSize);
  const blockId = Math.floor(where.start / tx.g.blockSize);
  tx.emit({ type: 'fault', kind: 'BUG', section, block: blockId, removed: { ...where }, access: site, message });
  tx.transition('hotplug', null, { type: 'OOPS', set: { oopses: tx.draft.oopses + 1, taint: tx.draft.taint | TAINT_DIE } });
  throw new Oops(ERRNO.EFAULT, message, site);
}

/**
 * WARN() / WARN_ON() (once: WARN_ON_ONCE()) on a kernel path: a warning event
 * naming the site, and TAINT_WARN. A WARN_ON_ONCE site prints only the first
 * time in a boot; later hits change nothing.
 */
export function kernelWarn(tx: Tx, site: string, message: string, once: boolean): void {
  if (once && tx.draft.warnedOnce.includes(site)) return;
  tx.emit({ type: 'warning', message: `WARNING: ${site}(): ${message}`, site, taint: 'W' });
  const taint = tx.draft.taint | TAINT_WARN;
  if (taint !== tx.draft.taint || once)
    tx.transition('hotplug', null, { type: 'TAINT', set: once ? { taint, warnedOnce: [...tx.draft.warnedOnce, site] } : { taint } });
}

export interface ZoneDelta {
  present?: number;
  managed?: number;
  early?: number;
  /** the block's memory group: its present_{kernel,movable}_pages change with the zone's */
  group?: number | null;
}

/** adjust_present_page_count() / adjust_managed_page_count() for one zone, growing or shrinking its span. */
export function accountZone(
  tx: Tx,
  node: number,
  zone: ZoneName,
  delta: ZoneDelta,
  reason: string,
  span?: { grow: { pfn: number; nr: number } } | { shrinkBlock: number },
): void {
  const z = tx.draft.zones.get(zoneKey(node, zone));
  let newSpan: { startPfn: number; endPfn: number } | null | undefined;
  if (span && 'grow' in span) {
    const s = grownSpan(z, span.grow.pfn, span.grow.nr);
    if (!z?.span || s.startPfn !== z.span.startPfn || s.endPfn !== z.span.endPfn) newSpan = s;
  } else if (span && z) {
    newSpan = shrunkSpan(z, tx.g, (id) => tx.draft.blocks.get(id), span.shrinkBlock);
  }
  // the fields a change has, set one by one (conditional spreads cost 7x as much: docs/explore.md
  // "Where the time went"), in the order the log has always written them
  const e = { type: 'account', node, zone } as Omit<AccountEvent, 'seq'>;
  if (delta.present) e.presentPages = delta.present;
  if (delta.managed) e.managedPages = delta.managed;
  if (delta.early) e.presentEarlyPages = delta.early;
  if (newSpan !== undefined) e.span = newSpan;
  if (delta.group != null && delta.present) e.group = delta.group;
  e.reason = reason;
  tx.emit(e);
}

