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
import { tableGet } from '../engine/table.ts';
import { blockView, faultView, nodeView, sectionView, toView, vmemmapHeadAt, vmemmapView, zonesOfNode, zoneView } from '../engine/to-view.ts';
import type { WorldView } from '../engine/view.ts';
import { WORLD_VIEW_VERSION } from '../engine/view.ts';
import { geometry, taintLetters, taintOf, type World } from '../engine/world.ts';
import { configOf } from '../kernel/config.ts';
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

/** The view of the entity a keyed root names (blocks[k], zones[k]...); undefined when there is none. */
export function entity(world: World, root: string, k: number): unknown {
  if (!Number.isSafeInteger(k) || k < 0) return undefined;
  switch (root) {
    case 'blocks': {
      const b = tableGet(world.blocks, k);
      return b && blockView(world, b);
    }
    case 'sections': {
      const s = tableGet(world.sections, k);
      return s && sectionView(world, s);
    }
    case 'nodes': {
      const n = tableGet(world.nodes, k);
      return n && nodeView(world, n);
    }
    case 'zones': {
      const mine = zonesOfNode(world, k);
      return mine.length === 0 ? undefined : Object.fromEntries(mine.map((z) => [z.zone, zoneView(z)]));
    }
    case 'vmemmap': {
      const v = vmemmapHeadAt(world, k);
      return v && vmemmapView(v);
    }
  }
  return undefined;
}

/** Cheap top-level fields; undefined = not handled here. */
export function scalarRoot(world: World, name: string): { value: unknown } | undefined {
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
    case 'tainted': return { value: taintOf(world) !== 0 };
    case 'taint': return { value: taintOf(world) };
    case 'taintFlags': return { value: taintLetters(taintOf(world)) };
    case 'config': return { value: { ...configOf(world.system) } };
    case 'injection': return { value: { ...world.injection } };
    case 'signalPending': return { value: world.signalPending };
    case 'faults':
      return { value: world.faults.map(faultView) };
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
