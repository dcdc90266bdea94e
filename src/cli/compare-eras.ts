/**
 * Eras side by side: one scenario's operations decided under several kernel
 * eras, each in a system of its own, step by step. Says where the eras first
 * part — a step whose results differ, or whose worlds differ though the
 * results agree — and why: the rows of the era table (src/kernel/features.ts,
 * docs/eras.md) that the step asked about and that the eras answer
 * differently, and the build options (src/kernel/config.ts) that differ.
 *
 * Each era runs the scenario as its kernel would: what the era lacks is what
 * the engine does without it (a boot parameter it does not know stays at its
 * default, a flag it does not have is ignored with a warning, a function it
 * does not have returns -ENOSYS); the notes say what the scenario asks that
 * the era lacks (scenario validation's own messages for that era).
 */
import type { MemhpEvent, OpEvent } from '../engine/events.ts';
import { isDeepStrictEqual } from 'node:util';
import { HotplugSystem } from '../engine/system.ts';
import { formatOp } from '../engine/op-text.ts';
import { toView } from '../engine/to-view.ts';
import type { WorldView } from '../engine/view.ts';
import { defaultConfig } from '../kernel/config.ts';
import { ERA_RELEASE, FEATURES, hasFeature, PARAM_FEATURE, traceFeatures, type FeatureId } from '../kernel/features.ts';
import type { Op, Scenario } from '../kernel/ops.ts';
import { CONFIG_OPTIONS, ERAS, type Era, type KernelConfig, type Params, type SystemSpec } from '../kernel/types.ts';
import { eraProblems } from '../scenario/era-checks.ts';
import { formatPath } from '../scenario/errors.ts';
import { diffViews } from '../timeline/diff.ts';
import { InputError } from './errors.ts';

export interface EraColumn {
  kernel: Era;
  release: string;
  summary: string;
  /** What the scenario asks that this era lacks (scenario validation's messages for this era). */
  notes: string[];
}

export interface EraResult {
  ret: number;
  errno: string | null;
  message?: string;
  /** warnings the step logged (the engine's notes and kernel WARNs), in order */
  warnings: string[];
}

export interface CompareStep {
  /** -1 for boot, else the op's index in the scenario */
  index: number;
  op: string;
  /** one per era, in the order of `eras` */
  results: EraResult[];
  /** the results differ (ret or errno) */
  resultsPart: boolean;
}

/** A world field the eras see differently, with each era's value (in the order of `eras`; absent: the era has no such thing). */
export interface WorldPart {
  path: string;
  values: unknown[];
}

/** One row of the era table: which eras have it. */
export interface WhyRow {
  feature: FeatureId;
  kind: string;
  name: string;
  since: string | null;
  commit: string;
  what: string;
  /** in the order of `eras` */
  has: boolean[];
}

/** A build option whose distribution default differs between the eras. */
export interface ConfigRow {
  option: string;
  values: boolean[];
}

export interface Parting {
  index: number;
  op: string;
  /** 'results': the step returned differently; 'world': same results, different worlds after it */
  kind: 'results' | 'world';
  /** the first world fields that differ after the step (at most MAX_WORLD_PARTS) */
  world: WorldPart[];
  /** how many world fields differ in all */
  worldParts: number;
  /** era-table rows the step asked about that the eras answer differently */
  why: WhyRow[];
}

export interface Comparison {
  scenario: string;
  eras: EraColumn[];
  steps: CompareStep[];
  /** build options that differ between the eras' kernels (they shape every step; not counted as parting) */
  build: ConfigRow[];
  /** null: every step returned the same and left the same world in every era */
  firstParting: Parting | null;
}

export const MAX_WORLD_PARTS = 12;

/** "5.13,6.6,6.8" → eras; at least two, each one memhp knows, none twice. */
export function parseEras(list: string, option = '--kernel'): Era[] {
  const words = list.split(',').map((w) => w.trim());
  const eras: Era[] = [];
  for (const w of words) {
    if (!(ERAS as readonly string[]).includes(w)) throw new InputError(`${option}: ${JSON.stringify(w)} is not a kernel era (one of ${ERAS.join(', ')})`);
    if (eras.includes(w as Era)) throw new InputError(`${option}: ${w} is named twice`);
    eras.push(w as Era);
  }
  if (eras.length < 2) throw new InputError(`${option}: name at least two eras to compare, e.g. ${option} 5.13,6.6,6.8`);
  return eras;
}

const sameResult = (a: EraResult, b: EraResult) => a.ret === b.ret && a.errno === b.errno;

/**
 * Paths that say which kernel it is, not what it did: its name and its build
 * options (those are listed once, as Comparison.build).
 */
const isIdentity = (path: string) => path === 'kernel' || path === 'config' || path.startsWith('config.');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A path whose values are objects becomes one row per field the eras holding
 * it disagree on, down to the leaves (`blocks[64].vmemmapPages`), and, when
 * some era has no such object, one row saying which have it ('present').
 */
function expand(path: string, values: readonly unknown[], out: WorldPart[]): void {
  if (!values.some(isObject) || !values.every((v) => v === undefined || isObject(v))) {
    out.push({ path, values: [...values] });
    return;
  }
  if (values.some((v) => v === undefined)) out.push({ path, values: values.map((v) => (v === undefined ? undefined : 'present')) });
  const held = values.filter(isObject);
  const keys = new Set(held.flatMap((v) => Object.keys(v)));
  for (const k of keys) {
    const sub = values.map((v) => (isObject(v) ? v[k] : undefined));
    const first = (held[0] as Record<string, unknown>)[k];
    if (held.every((v) => isDeepStrictEqual(v[k], first))) continue;
    expand(/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, sub, out);
  }
}

function worldParts(views: readonly WorldView[]): { parts: WorldPart[]; total: number; all: WorldPart[] } {
  // each era against the first; an era that agrees with the first on a path has the first's value
  const diffs = views.map((v, e) => new Map(e === 0 ? [] : diffViews(views[0]!, v).map((c) => [c.path, c] as const)));
  const paths = new Map<string, unknown>();
  for (const d of diffs) for (const [path, c] of d) if (!isIdentity(path) && !paths.has(path)) paths.set(path, c.before);
  const parts: WorldPart[] = [];
  for (const [path, first] of paths) expand(path, diffs.map((d, e) => (e === 0 || !d.has(path) ? first : d.get(path)!.after)), parts);
  return { parts: parts.slice(0, MAX_WORLD_PARTS), total: parts.length, all: parts };
}

function whyRows(eras: readonly Era[], asked: Iterable<FeatureId>): WhyRow[] {
  const rows: WhyRow[] = [];
  for (const id of new Set(asked)) {
    const has = eras.map((e) => hasFeature(e, id));
    if (has.every((h) => h === has[0])) continue;
    const f = FEATURES[id];
    rows.push({ feature: id, kind: f.kind, name: f.name, since: f.since, commit: f.commit, what: f.what, has });
  }
  return rows;
}

/**
 * The build options the scenario sets away from its own era's defaults: a
 * loaded scenario holds every option filled in, and the other eras take their
 * own defaults for the rest.
 */
function explicitConfig(scenario: Scenario): Partial<KernelConfig> {
  const defaults = defaultConfig(scenario.arch, scenario.kernel, scenario.machine.sparsemem !== 'classic');
  const given = scenario.machine.config ?? {};
  return Object.fromEntries(CONFIG_OPTIONS.filter((o) => given[o] !== undefined && given[o] !== defaults[o]).map((o) => [o, given[o]]));
}

/** The build options the eras run with that differ (each era's distribution defaults for what the scenario leaves unset). */
function buildRows(views: readonly WorldView[]): ConfigRow[] {
  return CONFIG_OPTIONS.map((option) => ({ option, values: views.map((v) => v.config[option]) })).filter((r) => r.values.some((v) => v !== r.values[0]));
}

/**
 * Boot asks about every parameter (the ones an era lacks stay at their defaults): a
 * parameter's row explains a parting at boot only when that parameter's value differs.
 */
function bootRowMatters(feature: FeatureId, parts: readonly WorldPart[]): boolean {
  const param = (Object.keys(PARAM_FEATURE) as (keyof Params)[]).find((k) => PARAM_FEATURE[k] === feature);
  return param === undefined || parts.some((p) => p.path === `params.${param}` || p.path === 'params');
}

interface Stepped {
  result: EraResult;
  features: FeatureId[];
}

function eraResult(events: readonly MemhpEvent[]): EraResult {
  const op = events[0] as OpEvent;
  const warnings = events.flatMap((e) => (e.type !== 'warning' ? [] : [e.taint ? `WARN in ${e.site ?? '?'}: ${e.message}` : e.message]));
  return { ret: op.ret, errno: op.errno, ...(op.message ? { message: op.message } : {}), warnings };
}

/** A system of one era that hands each step's events to `last`. */
class EraSystem {
  last: readonly MemhpEvent[] = [];
  readonly sys: HotplugSystem;
  readonly booted: Stepped;
  constructor(spec: SystemSpec) {
    // boot is the system's first step: traced while the system is made
    const { result, features } = traceFeatures(() => new HotplugSystem(spec, { actors: 'table', retainEvents: false, onEvents: (events) => (this.last = events) }));
    this.sys = result;
    this.booted = { result: eraResult(this.last), features };
  }
  step(op: Op): Stepped {
    const { features } = traceFeatures(() => this.sys.apply(op));
    return { result: eraResult(this.last), features };
  }
}

/** Runs `scenario` under each era, in lockstep, and finds where they first part. */
export function compareEras(scenario: Scenario, eras: readonly Era[]): Comparison {
  const { ops, ...filled } = scenario;
  const spec = { ...filled, machine: { ...filled.machine, config: explicitConfig(scenario) } };
  const columns: EraColumn[] = eras.map((kernel) => ({
    kernel,
    release: ERA_RELEASE[kernel].release,
    summary: ERA_RELEASE[kernel].summary,
    notes: eraProblems({ ...spec, ops, kernel } as unknown as Record<string, unknown>).map((p) => `${formatPath(p.at)}: ${p.message}`),
  }));
  const steps: CompareStep[] = [];
  let firstParting: Parting | null = null;
  const systems = eras.map((kernel) => new EraSystem({ ...spec, kernel }));
  const record = (index: number, op: Op, stepped: readonly Stepped[]) => {
    const results = stepped.map((s) => s.result);
    const resultsPart = results.some((r) => !sameResult(r, results[0]!));
    steps.push({ index, op: formatOp(op), results, resultsPart });
    if (firstParting) return;
    const world = worldParts(systems.map((s) => toView(s.sys.world)));
    if (!resultsPart && world.total === 0) return;
    firstParting = {
      index,
      op: formatOp(op),
      kind: resultsPart ? 'results' : 'world',
      world: world.parts,
      worldParts: world.total,
      why: whyRows(eras, stepped.flatMap((s) => s.features)).filter((r) => index >= 0 || bootRowMatters(r.feature, world.all)),
    };
  };
  const build = buildRows(systems.map((s) => toView(s.sys.world)));
  record(-1, { op: 'boot' }, systems.map((s) => s.booted));
  ops.forEach((op, index) => record(index, op, systems.map((s) => s.step(op))));
  return { scenario: scenario.name, eras: columns, steps, build, firstParting };
}
