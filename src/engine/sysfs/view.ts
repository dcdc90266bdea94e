/**
 * The part of a world view that sysfs shows (blocks, nodes, parameters,
 * build options, the firmware memmap, the injected errors), built straight
 * from the world: the FUSE server and `sysfs export` never need sections,
 * zones, vmemmaps or /proc/iomem, nor the whole view of a 32,768-block world.
 */
import { isSequence, worldViewFields } from '../to-view.ts';
import type { WorldView } from '../view.ts';
import type { World } from '../world.ts';

export type SysfsWorld = Omit<WorldView, 'sections' | 'zones' | 'vmemmap' | 'faults' | 'devices' | 'iomem'>;

const LEFT_OUT = new Set<string>(['sections', 'zones', 'vmemmap', 'faults', 'devices', 'iomem']);

export function sysfsView(world: World): SysfsWorld {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(worldViewFields(world)) as [string, () => unknown][]) {
    if (LEFT_OUT.has(key)) continue;
    const v = field();
    out[key] = isSequence(v) ? Array.from(v) : v;
  }
  return out as SysfsWorld;
}
