/**
 * The model checker checks a successor from what its operation changed
 * (src/check/invariants/delta.ts): given that the parent held every
 * invariant, each invariant's delta says whether it still holds, and the full
 * check runs where it cannot tell. The first violation must be the full
 * check's, invariant and message: over every successor of several small
 * machines (the v2 ones break memmap-in-present-memory), and over successors
 * broken by hand in every table the invariants read.
 */
import { describe, expect, it } from 'vitest';
import { DeltaCheck } from '../../src/check/invariants/delta.ts';
import { firstViolation, INVARIANTS } from '../../src/check/invariants/index.ts';
import { EXTRA_OPS } from '../../src/check/machine.ts';
import { StateSpace, type SpaceOptions } from '../../src/check/mc/space.ts';
import type { WorldDraft } from '../../src/engine/evolve.ts';
import { tableToArray } from '../../src/engine/table.ts';
import type { World } from '../../src/engine/world.ts';
import { edited } from './helpers.ts';

const STATE_INVARIANTS = INVARIANTS.filter((i) => i.name !== 'replay-reproduces-world');

/** Every (parent, changed successor) pair within `depth` operations whose parent holds every invariant. */
function pairs(o: SpaceOptions, depth: number): [World, World][] {
  const space = new StateSpace({ ...o, invariants: [] });
  const out: [World, World][] = [];
  const seen = new Set<string>();
  const fp = { hi: 0, lo: 0 };
  let level = [space.initial()];
  for (let d = 0; d < depth; d++) {
    const next: World[] = [];
    for (const w of level) {
      if (firstViolation({ world: w }, STATE_INVARIANTS) !== null) continue;
      for (const s of space.successors(w)) {
        if (!s.changed) continue;
        out.push([w, s.next]);
        const k = `${space.fingerprint(s.next, fp).hi}:${fp.lo}`;
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(s.next);
      }
    }
    level = next;
  }
  return out;
}

const configs: [string, SpaceOptions, number][] = [
  ['6.8, 3 blocks, every kind', { kernel: '6.8', blocks: 3, extraOps: [...EXTRA_OPS] }, 2],
  ['6.8, 2 blocks, 2 nodes, every kind', { kernel: '6.8', blocks: 2, nodes: 2, extraOps: [...EXTRA_OPS] }, 3],
  ['5.13 with the onlining agents queued', { kernel: '5.13', blocks: 2, agents: ['udev', 'daxctl', 'virtio_mem'], extraOps: [...EXTRA_OPS] }, 3],
  ['v2-2019, 3 blocks (the hazard)', { kernel: 'v2-2019', blocks: 3 }, 3],
  ['v2-2019, 2 blocks, every kind', { kernel: 'v2-2019', blocks: 2, extraOps: [...EXTRA_OPS] }, 2],
  ['ppc64 radix: 8 sections a block', { kernel: '6.8', arch: 'ppc64-radix', blocks: 2, extraOps: [...EXTRA_OPS] }, 2],
];

const same = (check: DeltaCheck, parent: World, world: World, what: string) =>
  expect(check.firstViolation(parent, world), what).toEqual(firstViolation({ world }, STATE_INVARIANTS));

/** Ways a buggy engine could break a successor, each in one table the invariants read (null: not applicable here). */
const BREAKS: [string, (w: World) => ((d: WorldDraft) => void) | null][] = [
  ['a zone counts a page more', (w) => {
    const z = tableToArray(w.zones)[0];
    return z ? (d) => d.zones.set(z.node * 4 + ['DMA', 'DMA32', 'Normal', 'Movable'].indexOf(z.zone), { ...z, presentPages: z.presentPages + 1 }) : null;
  }],
  ['a node provides a memmap page more', (w) => {
    const n = tableToArray(w.nodes)[0];
    return n ? (d) => d.nodes.set(n.id, { ...n, memmapPages: n.memmapPages + 1 }) : null;
  }],
  ['a node goes offline', (w) => {
    const n = tableToArray(w.nodes).at(-1);
    return n ? (d) => d.nodes.set(n.id, { ...n, online: false }) : null;
  }],
  ['the last block sets aside a vmemmap page more', (w) => {
    const b = tableToArray(w.blocks).at(-1)!;
    return (d) => d.blocks.set(b.id, { ...b, nr_vmemmap_pages: b.nr_vmemmap_pages + 1 });
  }],
  ['the last block goes offline alone', (w) => {
    const b = tableToArray(w.blocks).at(-1)!;
    return b.state === 'offline' ? null : (d) => d.blocks.set(b.id, { ...b, state: 'offline' });
  }],
  ['the last block moves to node 1', (w) => {
    const b = tableToArray(w.blocks).at(-1)!;
    return (d) => d.blocks.set(b.id, { ...b, nid: 1 });
  }],
  ['the last block joins an unregistered group', (w) => {
    const b = tableToArray(w.blocks).at(-1)!;
    return (d) => d.blocks.set(b.id, { ...b, group: 99 });
  }],
  ['the last block claims to be boot memory', (w) => {
    const b = tableToArray(w.blocks).at(-1)!;
    return b.early ? null : (d) => d.blocks.set(b.id, { ...b, early: true });
  }],
  ['the last block vanishes', (w) => {
    const b = tableToArray(w.blocks).at(-1)!;
    return (d) => d.blocks.set(b.id, undefined);
  }],
  ['a block is filed in the next slot', (w) => {
    const b = tableToArray(w.blocks).at(-1)!;
    return (d) => d.blocks.set(b.id + 1, { ...b });
  }],
  ['the last section flips online', (w) => {
    const s = tableToArray(w.sections).at(-1)!;
    return (d) => d.sections.set(s.nr, { ...s, state: s.state === 'online' ? 'present' : 'online' } as typeof s);
  }],
  ['the last section vanishes', (w) => {
    const s = tableToArray(w.sections).at(-1)!;
    return (d) => d.sections.set(s.nr, undefined);
  }],
  ['the last section takes a node memmap page more', (w) => {
    const s = tableToArray(w.sections).at(-1)!;
    const m = s.memmap;
    return m.kind === 'node' ? (d) => d.sections.set(s.nr, { ...s, memmap: { ...m, pages: m.pages + 1 } }) : null;
  }],
  ['a vmemmap head counts a user more', (w) => {
    const h = tableToArray(w.vmemmap)[0];
    return h ? (d) => d.vmemmap.set(slotOf(w, h), { ...h, refcount: h.refcount + 1 }) : null;
  }],
  ['a vmemmap head spans a page more', (w) => {
    const h = tableToArray(w.vmemmap)[0];
    return h ? (d) => d.vmemmap.set(slotOf(w, h), { ...h, nrPages: h.nrPages + 1 }) : null;
  }],
  ['the last block is in another zone', (w) => {
    const b = tableToArray(w.blocks).at(-1)!;
    return b.state === 'offline' ? null : (d) => d.blocks.set(b.id, { ...b, zone: b.zone === 'Movable' ? 'Normal' : 'Movable' });
  }],
  ['a vmemmap head vanishes', (w) => {
    const h = tableToArray(w.vmemmap)[0];
    return h ? (d) => d.vmemmap.set(slotOf(w, h), undefined) : null;
  }],
  ['a zone spans a page more with no hot-added memory left', (w) => {
    const z = tableToArray(w.zones).find((x) => x.span);
    return z && tableToArray(w.blocks).every((b) => b.early)
      ? (d) => d.zones.set(z.node * 4 + ['DMA', 'DMA32', 'Normal', 'Movable'].indexOf(z.zone), { ...z, span: { startPfn: z.span!.startPfn, endPfn: z.span!.endPfn + 1 } })
      : null;
  }],
  ['the iomem resources vanish', (w) => (w.resources.length ? (d) => (d.resources = []) : null)],
  ['the last System RAM resource loses its last page (a new entry in its place)', (w) => {
    const i = w.resources.map((r) => !r.container).lastIndexOf(true);
    return i < 0 ? null : (d) => (d.resources = w.resources.map((r, j) => (j === i ? { ...r, size: r.size - 4096 } : r)));
  }],
  ['a memory group counts a movable page more', (w) =>
    w.groups.length ? (d) => (d.groups = w.groups.map((x, i) => (i === 0 ? { ...x, presentMovablePages: x.presentMovablePages + 1 } : x))) : null],
  ['the memory groups vanish', (w) => (w.groups.length ? (d) => (d.groups = []) : null)],
];

/** The slot a vmemmap head is filed under. */
function slotOf(w: World, h: unknown): number {
  let slot = -1;
  w.vmemmap.chunks.forEach((c, ci) => c?.forEach((x, j) => x === h && (slot = ci * 256 + j)));
  return slot;
}

describe('a successor checked by delta gets the full check’s first violation', { timeout: 300_000 }, () => {
  it.each(configs)('%s', (_name, o, depth) => {
    const check = new DeltaCheck(STATE_INVARIANTS);
    const all = pairs(o, depth);
    let violations = 0;
    let broken = 0;
    for (const [i, [parent, world]] of all.entries()) {
      same(check, parent, world, `successor ${i}`);
      if (firstViolation({ world }, STATE_INVARIANTS) !== null) violations++;
      // break every 7th successor each way (all of them would take minutes)
      if (i % 7 !== 0) continue;
      for (const [what, make] of BREAKS) {
        const edit = make(world);
        if (!edit) continue;
        const bad = edited(world, edit);
        same(check, parent, bad, `successor ${i}: ${what}`);
        if (firstViolation({ world: bad }, STATE_INVARIANTS) !== null) broken++;
      }
    }
    expect(all.length).toBeGreaterThan(50);
    expect(broken).toBeGreaterThan(all.length / 7);
    if (o.kernel === 'v2-2019' && !o.extraOps) expect(violations).toBeGreaterThan(0);
  });
});
