/**
 * The world as the JSON contract shows it (`run/replay/show --json`, the
 * inspector, the sysfs exporter). Format version: WORLD_VIEW_VERSION.
 * Names and meanings of existing keys must not change without a bump.
 */
import type { KernelConfig } from '../kernel/config.ts';
import type { ArchName, Era, OnlineType, Params, ZoneName } from '../kernel/types.ts';
import type { MemmapPlacement } from './events.ts';

export const WORLD_VIEW_VERSION = 1;

export interface BlockView {
  id: number;
  state: 'online' | 'offline' | 'going-offline';
  /** Zone when online (null if offline or spanning several zones). */
  zone: ZoneName | null;
  node: number;
  startPfn: number;
  nrPages: number;
  /** vmemmap pages carved out of this block's own range (0 for a regular memmap). */
  vmemmapPages: number;
  /** memoryN/valid_zones without the newline. */
  validZones: string;
  /** Boot memory (early sections). */
  early: boolean;
  /** The requested type of the next online (memoryN online_type). */
  onlineType: OnlineType;
  /** An unmovable page is pinned in this block. */
  pinned: boolean;
}

export interface SectionView {
  nr: number;
  state: 'present' | 'online';
  node: number;
  block: number;
  early: boolean;
  memmap: MemmapPlacement;
  /** The memory holding this section's memmap has been removed. */
  memmapLost: boolean;
}

export interface ZoneView {
  node: number;
  zone: ZoneName;
  presentPages: number;
  managedPages: number;
  startPfn: number | null;
  endPfn: number | null;
}

export interface NodeView {
  id: number;
  online: boolean;
  /** memmap pages allocated from this node's memory (boot memmap + regular hot-add memmap). */
  memmapPages: number;
  presentPages: number;
  managedPages: number;
  /** Pages of this node's kernel zones free for kernel allocations. */
  freeKernelPages: number;
}

export interface VmemmapView {
  headPfn: number;
  nrPages: number;
  refcount: number;
  sections: number[];
  node: number;
  /** The range holding these pages was removed while sections still used it. */
  orphaned: boolean;
}

export interface FaultView {
  seq: number;
  kind: 'memmap-in-removed-memory' | 'BUG';
  section: number;
  block: number;
  access: string;
  message: string;
}

export interface WorldView {
  version: number;
  seq: number;
  arch: ArchName;
  kernel: Era;
  pageSize: number;
  sectionSizeBytes: number;
  blockSizeBytes: number;
  params: Params;
  /** The kernel build options it runs with (machine.config with the distribution defaults filled in). */
  config: KernelConfig;
  blocks: BlockView[];
  sections: SectionView[];
  zones: ZoneView[];
  nodes: NodeView[];
  vmemmap: VmemmapView[];
  /** Physical ranges that were hot-added and later removed while still referenced. */
  faults: FaultView[];
  /** Any taint: an oops (a fault, a BUG) or a WARN. */
  tainted: boolean;
  /** /proc/sys/kernel/tainted: TAINT_DIE 128 after an oops, TAINT_WARN 512 after a WARN. */
  taint: number;
  /** The taint letters print_tainted() shows: D, W. */
  taintFlags: string;
  injection: { MEM_GOING_ONLINE: number; MEM_GOING_OFFLINE: number };
  signalPending: boolean;
}
