/**
 * The invariants the inspector shows for a step, checked on the world view.
 * (src/check may later own a fuller set; these are the ones a reader of the
 * map needs to see hold or break.)
 */
import type { WorldView } from '../engine/view.ts';
import type { InvariantResult } from './backend.ts';

type Check = { name: string; violations: (w: WorldView) => string[] };

const CHECKS: Check[] = [
  {
    name: 'memmap lives in present memory',
    violations: (w) => w.sections.filter((s) => s.memmapLost).map((s) => `section${s.nr} (memory${s.block}) has its memmap in removed memory`),
  },
  {
    name: 'no fault',
    violations: (w) => w.faults.map((f) => `seq ${f.seq}: ${f.message}`),
  },
  {
    name: 'block and section states agree',
    violations: (w) => {
      const online = new Map(w.blocks.map((b) => [b.id, b.state === 'online']));
      return w.sections
        .filter((s) => online.has(s.block) && (s.state === 'online') !== online.get(s.block))
        .map((s) => `section${s.nr} is ${s.state} but memory${s.block} is ${online.get(s.block) ? 'online' : 'not online'}`);
    },
  },
  {
    name: 'vmemmap refcount = sections served',
    violations: (w) => w.vmemmap.filter((v) => v.refcount !== v.sections.length)
      .map((v) => `head pfn 0x${v.headPfn.toString(16)}: refcount ${v.refcount}, serves ${v.sections.length} sections`),
  },
  {
    name: '0 <= managed <= present',
    violations: (w) => w.zones.filter((z) => z.managedPages < 0 || z.managedPages > z.presentPages)
      .map((z) => `node${z.node}/${z.zone}: present ${z.presentPages}, managed ${z.managedPages}`),
  },
  {
    name: 'kernel not tainted',
    violations: (w) => (w.tainted ? ['the kernel oopsed (tainted)'] : []),
  },
];

export function checkInvariants(w: WorldView): InvariantResult[] {
  return CHECKS.map((c) => {
    const violations = c.violations(w);
    return { name: c.name, holds: violations.length === 0, violations };
  });
}
