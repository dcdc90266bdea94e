/** Messages and shared flags between the mount's main thread and its FUSE worker (fuse-worker.ts). */
import type { SysfsWorld } from '../engine/sysfs/view.ts';
import type { SysfsOptions } from '../sysfs/tree.ts';

/** Int32 slots of the shared control buffer. */
export const CTL_GENERATION = 0; // bumped after each posted world
export const CTL_WRITTEN = 1; // set to 1 when a write's answer has been posted
export const CTL_SLOTS = 2;


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
