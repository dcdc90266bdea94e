/**
 * A canonical key of a world: everything that decides what happens next and
 * what the invariants see, and nothing about how the world was reached (no
 * sequence numbers, no event history). Two worlds with the same key behave
 * the same under every operation, so the explorer visits each key once.
 * The opt-in operations keep their state in it too: pin/unpin in each
 * block's pinned flag, inject in `injection`, signal in `signalPending`,
 * set in `params`; a block's and a section's nid and each node's online bit
 * cover the second node.
 */
import { tableToArray } from '../engine/table.ts';
import type { World } from '../engine/world.ts';

export function canonicalKey(w: World): string {
  const parts: string[] = [w.hotplug, String(w.oopses), JSON.stringify(w.params), String(w.faults.length)];
  parts.push(`inj:${w.injection.MEM_GOING_ONLINE},${w.injection.MEM_GOING_OFFLINE},${w.signalPending ? 1 : 0}`);
  // the onlining agents' pending reactions, in order: which one runs next is part of the state
  if (w.agentWork?.length) parts.push(`agents:${w.agentWork.map((x) => `${x.agent} ${x.target}`).join(',')}`);
  for (const b of tableToArray(w.blocks))
    parts.push(`b${b.id}:${b.state}:${b.nid}:${b.zone}:${b.online_type}:${b.early ? 1 : 0}:${b.pinned ? 1 : 0}:${b.nr_vmemmap_pages}:${b.used_pages}:${b.group ?? '-'}${b.kernel_allocations ? ':k' : ''}${b.fake_offline_pages ? `:f${b.fake_offline_pages}` : ''}`);
  for (const s of tableToArray(w.sections)) {
    const m = s.memmap;
    const mm = m.kind === 'boot' ? `B${m.node}` : m.kind === 'node' ? `N${m.node}:${m.pages}:${m.basePages ? 1 : 0}` : `A${m.headPfn}:${m.pages}`;
    parts.push(`s${s.nr}:${s.state}:${s.nid}:${s.block}:${s.early ? 1 : 0}:${mm}`);
  }
  for (const z of tableToArray(w.zones))
    parts.push(`z${z.node}${z.zone}:${z.presentPages}:${z.managedPages}:${z.presentEarlyPages}:${z.span ? `${z.span.startPfn}-${z.span.endPfn}` : '-'}`);
  for (const n of tableToArray(w.nodes))
    parts.push(`n${n.id}:${n.online ? 1 : 0}:${n.boot ? 1 : 0}:${n.memmapPages}:${n.bootMemmapPages}:${n.usedPages}:${n.maxFreeOrder}`);
  for (const v of tableToArray(w.vmemmap))
    parts.push(`v${v.headPfn}:${v.nrPages}:${v.refcount}:${v.sections.join(',')}:${v.node}:${v.orphanedBy ? `${v.orphanedBy.start}+${v.orphanedBy.size}` : '-'}`);
  for (const g of w.groups) parts.push(`g${g.id}:${g.nid}:${g.dynamic ? 1 : 0}:${g.pages}:${g.presentKernelPages}:${g.presentMovablePages}:${g.owner}`);
  for (const d of w.devices) parts.push(`d${JSON.stringify(d)}`);
  for (const r of w.resources) parts.push(`r${r.start}+${r.size}:${r.name}:${r.driverManaged ? 1 : 0}:${r.container ? 1 : 0}`);
  for (const f of w.firmwareMap) parts.push(`f${f.start}+${f.size}`);
  return parts.join('|');
}
