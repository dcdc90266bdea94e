/**
 * memhp's world rendered as an Observation (observation.ts), the same keys the
 * guest's `obs` helper produces: the sysfs files memhp renders, its symlinks,
 * the System RAM lines of /proc/iomem, /sys/firmware/memmap and the zone
 * counters /proc/zoneinfo shows.
 */
import type { WorldView } from '../engine/view.ts';
import { sysfsEntries } from '../sysfs/index.ts';
import type { Observation } from './observation.ts';

/** The sysfs directories whose files are compared (issue 18 point 4). */
export const COMPARED_PREFIXES = ['devices/system/memory/', 'devices/system/node/', 'module/memory_hotplug/parameters/'];

const hex = (n: number) => n.toString(16).padStart(8, '0');

export function memhpObservation(view: WorldView, possibleNodes?: number): Observation {
  const obs: Observation = {};
  for (const e of sysfsEntries(view, possibleNodes ? { possibleNodes } : {})) {
    const path = e.path.replace(/^sys\//, '');
    if (!COMPARED_PREFIXES.some((p) => path.startsWith(p))) continue;
    if (e.kind === 'file') {
      const text = e.content.replace(/\n$/, '');
      if (text !== '') obs[`F ${path}`] = text; // grep -H . skips empty files
    } else if (e.kind === 'symlink') obs[`L ${path}`] = '1';
  }
  // the guest lists the lines that say System RAM (a driver's container, "virtio0", is not one)
  for (const r of view.iomem ?? []) if (r.name.includes('System RAM')) obs[`I ${hex(r.start)}-${hex(r.end)}`] = `${r.name}${r.level > 0 ? ` (depth ${r.level})` : ''}`;
  for (const m of view.firmwareMemmap ?? []) obs[`M 0x${m.start.toString(16)}-0x${m.end.toString(16)}`] = m.type;
  for (const z of view.zones) {
    const k = `Z ${z.node} ${z.zone}`;
    obs[`${k} present`] = String(z.presentPages);
    obs[`${k} managed`] = String(z.managedPages);
    obs[`${k} spanned`] = String(z.startPfn === null || z.endPfn === null ? 0 : z.endPfn - z.startPfn);
    obs[`${k} start_pfn`] = String(z.startPfn ?? 0);
  }
  return obs;
}

/**
 * The guest's observation in the comparable form: /sys/firmware/memmap entries keyed by
 * their range (the entry numbers are the firmware's order, not behaviour), and the iomem
 * range keys without leading zeros beyond eight digits, as memhp writes them.
 */
export function normaliseGuest(obs: Observation): Observation {
  const out: Observation = {};
  const memmap = new Map<string, { start?: string; end?: string; type?: string }>();
  for (const [k, v] of Object.entries(obs)) {
    const m = /^F firmware\/memmap\/(\d+)\/(start|end|type)$/.exec(k);
    if (m) {
      const e = memmap.get(m[1]!) ?? {};
      e[m[2] as 'start' | 'end' | 'type'] = v;
      memmap.set(m[1]!, e);
    } else out[k] = v;
  }
  for (const e of memmap.values()) out[`M ${e.start}-${e.end}`] = e.type ?? '';
  return out;
}

/**
 * What both sides are compared in: an empty zone (nothing present, nothing spanned) is
 * left out, since /proc/zoneinfo lists every zone of a node and memhp only those it has.
 */
export function dropEmptyZones(obs: Observation): Observation {
  const out: Observation = { ...obs };
  for (const k of Object.keys(obs)) {
    const m = /^Z (\d+) (\S+) present$/.exec(k);
    if (!m || obs[k] !== '0') continue;
    const z = `Z ${m[1]} ${m[2]}`;
    if ((obs[`${z} spanned`] ?? '0') !== '0') continue;
    for (const c of ['present', 'managed', 'spanned', 'start_pfn']) delete out[`${z} ${c}`];
  }
  return out;
}
