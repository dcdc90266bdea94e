/**
 * Path evaluation straight from a World, without building the whole
 * WorldView: a breakpoint or watchpoint is checked at every step, and
 * toView() of a 32K-block world costs far more than the step itself.
 *
 * Only the entity a path names is turned into its view. The results must be
 * exactly what evaluateInView(toView(world), path) gives — a test compares
 * the two on random worlds — so anything not handled here falls back to the
 * full view (cached per world).
 */
import { readerOfTable, validZones } from '../engine/ops/zones.ts';
import { tableGet } from '../engine/table.ts';
import { freeKernelPagesOf, toView } from '../engine/to-view.ts';
import type { BlockView, NodeView, SectionView, VmemmapView, WorldView, ZoneView } from '../engine/view.ts';
import { WORLD_VIEW_VERSION } from '../engine/view.ts';
import { geometry, zoneKey, ZONE_INDEX, type BlockState, type VmemmapState, type World, type ZoneState } from '../engine/world.ts';
import type { ZoneName } from '../kernel/types.ts';
import { evaluateInView, isKeyedRoot, stepInto, type ParsedPath, type PathStep } from './path.ts';

const viewCache = new WeakMap<World, WorldView>();
/** toView(world), computed once per world object. */
export function viewOf(world: World): WorldView {
  let v = viewCache.get(world);
  if (!v) {
    v = toView(world);
    viewCache.set(world, v);
  }
  return v;
}

const ZONES = Object.keys(ZONE_INDEX) as ZoneName[];

function blockView(world: World, b: BlockState): BlockView {
  const g = geometry(world);
  return {
    id: b.id,
    state: b.state,
    zone: b.zone,
    node: b.nid,
    startPfn: b.id * g.pagesPerBlock,
    nrPages: g.pagesPerBlock,
    vmemmapPages: b.nr_vmemmap_pages,
    validZones: validZones(readerOfTable(world.zones), world.params, g, b),
    early: b.early,
    onlineType: b.online_type,
    pinned: b.pinned,
  };
}

function zoneView(z: ZoneState): ZoneView {
  return { node: z.node, zone: z.zone, presentPages: z.presentPages, managedPages: z.managedPages, startPfn: z.span?.startPfn ?? null, endPfn: z.span?.endPfn ?? null };
}

function zonesOfNode(world: World, node: number): ZoneState[] {
  const out: ZoneState[] = [];
  for (const name of ZONES) {
    const z = tableGet(world.zones, zoneKey(node, name));
    if (z) out.push(z);
  }
  return out;
}

function vmemmapHead(world: World, headPfn: number): VmemmapState | undefined {
  const v = tableGet(world.vmemmap, Math.floor(headPfn / geometry(world).pagesPerSection));
  return v && v.headPfn === headPfn ? v : undefined;
}

function vmemmapView(v: VmemmapState): VmemmapView {
  return { headPfn: v.headPfn, nrPages: v.nrPages, refcount: v.refcount, sections: [...v.sections], node: v.node, orphaned: v.orphanedBy !== null };
}

function entity(world: World, root: string, k: number): unknown {
  if (!Number.isSafeInteger(k) || k < 0) return undefined;
  switch (root) {
    case 'blocks': {
      const b = tableGet(world.blocks, k);
      return b && blockView(world, b);
    }
    case 'sections': {
      const s = tableGet(world.sections, k);
      if (!s) return undefined;
      const head = s.memmap.kind === 'altmap' ? vmemmapHead(world, s.memmap.headPfn) : undefined;
      const view: SectionView = { nr: s.nr, state: s.state, node: s.nid, block: s.block, early: s.early, memmap: s.memmap, memmapLost: !!head && head.orphanedBy !== null };
      return view;
    }
    case 'nodes': {
      const n = tableGet(world.nodes, k);
      if (!n) return undefined;
      const mine = zonesOfNode(world, k);
      const view: NodeView = {
        id: n.id,
        online: n.online,
        memmapPages: n.memmapPages,
        presentPages: mine.reduce((a, z) => a + z.presentPages, 0),
        managedPages: mine.reduce((a, z) => a + z.managedPages, 0),
        freeKernelPages: freeKernelPagesOf(world, n.id),
      };
      return view;
    }
    case 'zones': {
      const mine = zonesOfNode(world, k);
      return mine.length === 0 ? undefined : Object.fromEntries(mine.map((z) => [z.zone, zoneView(z)]));
    }
    case 'vmemmap': {
      const v = vmemmapHead(world, k);
      return v && vmemmapView(v);
    }
  }
  return undefined;
}

/** Cheap top-level fields; undefined = not handled here. */
function scalarRoot(world: World, name: string): { value: unknown } | undefined {
  const g = geometry(world);
  switch (name) {
    case 'version': return { value: WORLD_VIEW_VERSION };
    case 'seq': return { value: world.seq };
    case 'arch': return { value: world.system.arch };
    case 'kernel': return { value: world.system.kernel };
    case 'pageSize': return { value: g.pageSize };
    case 'sectionSizeBytes': return { value: g.sectionSize };
    case 'blockSizeBytes': return { value: g.blockSize };
    case 'params': return { value: world.params };
    case 'tainted': return { value: world.oopses > 0 };
    case 'injection': return { value: { ...world.injection } };
    case 'signalPending': return { value: world.signalPending };
    case 'faults':
      return { value: world.faults.map((f) => ({ seq: f.seq, kind: f.kind, section: f.section, block: f.block, access: f.access, message: f.message })) };
  }
  return undefined;
}

const keyOf = (s: PathStep): number | undefined => (s.kind === 'index' ? s.index : s.kind === 'key' && /^[0-9]+$/.test(s.key) ? Number(s.key) : undefined);

/** The value `path` names in the world's view (see path.ts for the grammar). */
export function evaluate(world: World, path: ParsedPath): unknown {
  const steps = path.steps;
  const root = (steps[0] as { name: string }).name;
  let value: unknown;
  let i: number;
  const key = steps.length > 1 ? keyOf(steps[1]!) : undefined;
  if (isKeyedRoot(root) && key !== undefined) {
    value = entity(world, root, key);
    i = 2;
  } else {
    const s = scalarRoot(world, root);
    if (!s) return evaluateInView(viewOf(world), path);
    value = s.value;
    i = 1;
  }
  for (; i < steps.length; i++) value = stepInto(value, steps[i]!);
  return value;
}
