/**
 * What util-linux lsmem (2.38, sys-utils/lsmem.c) prints for the tree that
 * exportSysfs() writes from a view, computed from the view alone, so a
 * test can run the real lsmem and compare (docs/kernel-model.md §10.1).
 *
 * Rows are for `lsmem -b -J -o RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES`
 * (plus `-a` when `all`), in lsmem's JSON shape.
 */
import type { BlockView, WorldView } from '../engine/view.ts';
import { removableOf } from './format.ts';
import { blocksById } from './tree.ts';

/** The columns these rows describe, in lsmem's -o syntax. */
export const LSMEM_COLUMNS = 'RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES';

/** Arguments for the row comparison: bytes, JSON, every column above. */
export function lsmemArgs(sysroot: string, opts: { all?: boolean } = {}): string[] {
  return ['--sysroot', sysroot, '-b', '-J', ...(opts.all ? ['-a'] : []), '-o', LSMEM_COLUMNS];
}

export interface LsmemRow {
  /** `0x%016llx-0x%016llx`, inclusive end. */
  range: string;
  /** Bytes (a JSON number with -b). */
  size: number;
  state: 'online' | 'offline' | 'on->off';
  /**
   * lsmem fills REMOVABLE only for online rows; libsmartcols prints the
   * empty cell of a boolean JSON column as `false`, not null.
   */
  removable: boolean;
  /** `N` or `N-M`. */
  block: string;
  /** null when the lowest memoryN has no nodeX link (lsmem then shows no nodes at all). */
  node: number | null;
  /** valid_zones tokens joined with `/`; null when memory0/valid_zones is missing. */
  zones: string | null;
}

export interface LsmemSummary {
  blockSize: number;
  online: number;
  offline: number;
}

/** lsmem's zone table: tokens match case-insensitively, anything else is Unknown. */
const LSMEM_ZONES = ['DMA', 'DMA32', 'Normal', 'Highmem', 'Movable', 'Device', 'None'];
const MAX_NR_ZONES = 8;

function lsmemZones(validZones: string): string[] {
  return validZones
    .split(' ')
    .filter((t) => t !== '') // strtok skips empty tokens
    .slice(0, MAX_NR_ZONES)
    .map((t) => LSMEM_ZONES.find((z) => z.toLowerCase() === t.toLowerCase()) ?? 'Unknown');
}

interface Run {
  first: number;
  count: number;
  block: BlockView;
  removable: boolean;
  zones: string[];
}

function sameAttrs(a: Run, b: Run): boolean {
  if (a.block.state !== b.block.state) return false;
  if (a.removable !== b.removable) return false;
  if (a.block.node !== b.block.node) return false;
  if (a.zones.length !== b.zones.length) return false;
  // An Unknown zone never merges, not even with another Unknown.
  return a.zones.every((z, i) => z !== 'Unknown' && z === b.zones[i]);
}

function hex16(n: bigint): string {
  return `0x${n.toString(16).padStart(16, '0')}`;
}

/**
 * lsmem's merge rule: with every split column shown, a block joins the row
 * before it when its number follows on and state, removable, node and
 * zones are equal; a gap in numbering always starts a new row; `all` gives
 * one row per block.
 */
export function expectedLsmemRows(view: WorldView, opts: { all?: boolean } = {}): LsmemRow[] {
  const blocks = blocksById(view);
  if (blocks.length === 0) return [];
  // lsmem probes memory0/valid_zones only; the file exists only with CONFIG_MEMORY_HOTREMOVE
  const hotremove = view.config?.MEMORY_HOTREMOVE ?? true;
  const haveZones = blocks[0].id === 0 && hotremove;
  const runs: Run[] = [];
  for (const block of blocks) {
    const run: Run = { first: block.id, count: 1, block, removable: removableOf(view.kernel, block, hotremove) === 1, zones: haveZones ? lsmemZones(block.validZones) : [] };
    const prev = runs.at(-1);
    if (!opts.all && prev && prev.first + prev.count === block.id && sameAttrs(prev, run)) prev.count++;
    else runs.push(run);
  }
  const bs = BigInt(view.blockSizeBytes);
  return runs.map((r) => {
    const start = BigInt(r.first) * bs;
    const size = BigInt(r.count) * bs;
    const state = r.block.state === 'going-offline' ? 'on->off' : r.block.state;
    return {
      range: `${hex16(start)}-${hex16(start + size - 1n)}`,
      size: Number(size),
      state,
      removable: state === 'online' ? r.removable : false,
      block: r.count === 1 ? `${r.first}` : `${r.first}-${r.first + r.count - 1}`,
      node: r.block.node,
      zones: haveZones ? r.zones.join('/') : null,
    };
  });
}

/** `lsmem --summary=only -b`: every block that is not online counts as offline. */
export function expectedLsmemSummary(view: WorldView): LsmemSummary {
  const online = view.blocks.filter((b) => b.state === 'online').length;
  return {
    blockSize: view.blockSizeBytes,
    online: online * view.blockSizeBytes,
    offline: (view.blocks.length - online) * view.blockSizeBytes,
  };
}

/** Parse the three lines of `lsmem --summary=only -b`. */
export function parseLsmemSummary(text: string): LsmemSummary {
  const field = (label: string): number => {
    const m = new RegExp(`^${label}:\\s+(\\d+)$`, 'm').exec(text);
    if (!m) throw new Error(`lsmem summary: no "${label}:" line in ${JSON.stringify(text)}`);
    return Number(m[1]);
  };
  return {
    blockSize: field('Memory block size'),
    online: field('Total online memory'),
    offline: field('Total offline memory'),
  };
}
