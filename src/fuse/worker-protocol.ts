/** Messages and shared flags between the mount's main thread and its FUSE worker (fuse-worker.ts). */
import { isSequence, worldViewFields } from '../engine/to-view.ts';
import type { WorldView } from '../engine/view.ts';
import type { World } from '../engine/world.ts';
import type { SysfsOptions } from '../sysfs/tree.ts';

/** Int32 slots of the shared control buffer. */
export const CTL_GENERATION = 0; // bumped after each posted world
export const CTL_WRITTEN = 1; // set to 1 when a write's answer has been posted
export const CTL_SLOTS = 2;

/** The parts of a world the sysfs renderer reads: sections, zones and vmemmaps stay behind. */
export type SysfsWorld = Omit<WorldView, 'sections' | 'zones' | 'vmemmap' | 'faults' | 'devices' | 'iomem'>;

const LEFT_OUT = new Set<string>(['sections', 'zones', 'vmemmap', 'faults', 'devices', 'iomem']);

/** Those parts, built straight from the world: the mount never builds the whole world view. */
export function sysfsWorld(world: World): SysfsWorld {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(worldViewFields(world)) as [string, () => unknown][]) {
    if (LEFT_OUT.has(key)) continue;
    const v = field();
    out[key] = isSequence(v) ? Array.from(v) : v;
  }
  return out as SysfsWorld;
}

export interface WorkerInit {
  fd: number;
  control: SharedArrayBuffer;
  view: SysfsWorld;
  options: SysfsOptions;
}

export type ToWorker = { type: 'view'; view: SysfsWorld } | { type: 'written'; ret: number };

export type FromWorker =
  | { type: 'write'; path: string; value: string }
  | { type: 'failed'; message: string };
