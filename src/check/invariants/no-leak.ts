/**
 * Hot-remove must undo hot-add: once every hot-added block is gone (and the
 * boot blocks are back as they booted), each node's accounting is what it
 * was right after boot — no memmap pages still charged to a node, no
 * present or managed pages left in a zone, no vmemmap head left behind, no
 * hot-added node left online.
 */
import { decide } from '../../engine/decide.ts';
import { TableGate } from '../../engine/gate.ts';
import { tableGet, tableToArray } from '../../engine/table.ts';
import { emptyWorld, zoneKey, type BlockState, type World } from '../../engine/world.ts';
import { PerChunk } from './chunks.ts';
import type { SystemSpec } from '../../kernel/types.ts';
import { ZONE_NAMES } from '../../kernel/types.ts';
import type { Invariant } from '../types.ts';
import { hex } from '../walk.ts';

const booted = new WeakMap<SystemSpec, World>();

/** The world right after boot for this system (decided once per spec). */
export function bootedWorld(system: SystemSpec): World {
  let w = booted.get(system);
  if (!w) {
    w = decide(emptyWorld(system), new TableGate(), { op: 'boot' }).world;
    booted.set(system, w);
  }
  return w;
}

const spanText = (s: { startPfn: number; endPfn: number } | null) => (s ? `[${hex(s.startPfn)}, ${hex(s.endPfn)})` : 'empty');

export const noLeak: Invariant = {
  name: 'nothing-leaks',
  description:
    "Adding then removing everything returns every node's accounting to its start: with no hot-added memory left and the boot blocks as they booted, every zone and node counter equals its value after boot.",
  check({ world }) {
    const base = bootedWorld(world.system);
    for (const b of tableToArray(world.blocks)) if (!b.early) return []; // hot-added memory remains: not applicable
    for (const b0 of tableToArray(base.blocks)) {
      const b = tableGet(world.blocks, b0.id);
      if (!b || b.state !== b0.state || b.zone !== b0.zone) return []; // boot memory changed: the start is not comparable
    }
    const out: string[] = [];
    for (const h of tableToArray(world.vmemmap))
      out.push(`no hot-added memory is left, but a vmemmap head at pfn ${hex(h.headPfn)} (${h.nrPages} pages, refcount ${h.refcount}) still exists`);
    for (const n of tableToArray(world.nodes)) {
      const n0 = tableGet(base.nodes, n.id);
      if (!n0) {
        // it may stay online: try_offline_node() runs only for the last block's node of a removal
        if (n.memmapPages !== 0) out.push(`node ${n.id} still provides ${n.memmapPages} memmap pages after all hot-added memory was removed`);
        continue;
      }
      if (n.memmapPages !== n0.memmapPages)
        out.push(`node ${n.id} provides ${n.memmapPages} memmap pages after all hot-added memory was removed; it started with ${n0.memmapPages}`);
      if (n.online !== n0.online) out.push(`node ${n.id} is ${n.online ? 'online' : 'offline'}; it booted ${n0.online ? 'online' : 'offline'}`);
    }
    const nodeIds = new Set(tableToArray(world.nodes).map((n) => n.id));
    for (const node of nodeIds)
      for (const zone of ZONE_NAMES) {
        const z = tableGet(world.zones, zoneKey(node, zone));
        const z0 = tableGet(base.zones, zoneKey(node, zone));
        for (const k of ['presentPages', 'managedPages', 'presentEarlyPages'] as const) {
          const now = z?.[k] ?? 0;
          const start = z0?.[k] ?? 0;
          if (now !== start) out.push(`node ${node} zone ${zone}: ${k} is ${now} after all hot-added memory was removed; it started at ${start}`);
        }
        const span = z?.span ?? null;
        const span0 = z0?.span ?? null;
        if (spanText(span) !== spanText(span0))
          out.push(`node ${node} zone ${zone} spans ${spanText(span)} after all hot-added memory was removed; it started as ${spanText(span0)}`);
      }
    return out;
  },
  // with a hot-added block left it holds vacuously; otherwise the full check compares the whole world
  delta: () => (d) => {
    for (const c of d.world.blocks.chunks) if (c) for (const b of c) if (b !== undefined && !b.early) return true;
    return false;
  },
  // only a world with no hot-added block left is compared (whole), so only that is kept per chunk
  incremental: (g) => {
    const allEarly = incrementalAllEarly();
    return (world) => (allEarly(world) ? noLeak.check({ world, g }) : []);
  },
};

/** Per block chunk (./chunks.ts): whether every block is boot memory. */
function incrementalAllEarly(): (world: World) => boolean {
  const allEarly = new PerChunk<BlockState, boolean>('blocks', (chunk) => !chunk || chunk.every((b) => b === undefined || b.early));
  return (world) => allEarly.run(world).every(Boolean);
}
