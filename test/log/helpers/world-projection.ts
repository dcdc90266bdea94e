/**
 * A world as plain JSON, limited to the fields that format version 3 logs
 * could set: what an old log means. A later world may carry more fields;
 * they are left out here so that the comparison asks only "does the old log
 * still mean what it meant?".
 */
import { tableToArray } from '../../../src/engine/table.ts';
import type { World } from '../../../src/engine/world.ts';

const pick = <T extends object, K extends keyof T>(o: T, keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, o[k] ?? null]));

export function projectV3World(w: World): Record<string, unknown> {
  return {
    seq: w.seq,
    hotplug: w.hotplug,
    params: w.params,
    oopses: w.oopses,
    taint: w.taint,
    warnedOnce: w.warnedOnce,
    blocks: tableToArray(w.blocks).map((b) => pick(b, ['id', 'state', 'nid', 'zone', 'online_type', 'early', 'pinned', 'nr_vmemmap_pages', 'used_pages', 'group'])),
    sections: tableToArray(w.sections).map((s) => pick(s, ['nr', 'state', 'nid', 'block', 'early', 'memmap'])),
    zones: tableToArray(w.zones).map((z) => pick(z, ['node', 'zone', 'presentPages', 'managedPages', 'presentEarlyPages', 'span'])),
    nodes: tableToArray(w.nodes).map((n) => pick(n, ['id', 'online', 'boot', 'memmapPages', 'bootMemmapPages', 'usedPages', 'maxFreeOrder'])),
    vmemmap: tableToArray(w.vmemmap),
    faults: w.faults,
    injection: w.injection,
    signalPending: w.signalPending,
    groups: w.groups,
    devices: w.devices,
    resources: w.resources,
    firmwareMap: w.firmwareMap,
  };
}
