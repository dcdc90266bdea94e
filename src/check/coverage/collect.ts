/**
 * Coverage bookkeeping for a model-checking run (BFS or swarm): every decided
 * operation is recorded with what it did — its result and errno, the machine
 * transitions it made, the BUG/WARN/oops paths it took, the check that refused
 * it — and every checked state with the invariants that had something to check
 * there. report() sets that against the declared universe (./universe.ts).
 */
import { decide } from '../../engine/decide.ts';
import type { MemhpEvent } from '../../engine/events.ts';
import { TableGate } from '../../engine/gate.ts';
import { tableToArray } from '../../engine/table.ts';
import { emptyWorld, type World } from '../../engine/world.ts';
import { errnoName } from '../../kernel/errno.ts';
import type { Op } from '../../kernel/ops.ts';
import type { SystemSpec } from '../../kernel/types.ts';
import type { Invariant } from '../types.ts';
import { kernelPathKey } from './kernel-paths.ts';
import { transitionKey, universe } from './universe.ts';

export interface CoverageItem {
  key: string;
  /** How many times it was reached. */
  count: number;
  /** More about it (operations: how many succeeded and failed). */
  detail?: string;
}

export interface CoverageSection {
  /** Items in the declared universe, or null where there is none (error returns). */
  total: number | null;
  reached: CoverageItem[];
  /** Declared items never reached: holes in the model or in the operation set. */
  never: string[];
  /** Reached items that are not declared (a kernel path added without its line in kernel-paths.ts). */
  undeclared: string[];
}

export interface CoverageReport {
  operations: CoverageSection;
  errnos: CoverageSection;
  kernelPaths: CoverageSection;
  /** Each refusal, by the kernel function that refused it when known, else by operation, errno and the reason's leading check. */
  errorReturns: CoverageSection;
  transitions: CoverageSection;
  /** Reached: checked in a state where the invariant constrains something (its subject exists), not vacuously. */
  invariants: CoverageSection;
}

export type CoverageSectionName = keyof CoverageReport;

const hotAdded = (w: World) => tableToArray(w.blocks).some((b) => !b.early);

/**
 * What each invariant constrains: a state without it satisfies the invariant
 * vacuously. An invariant not named here counts as reached whenever checked.
 */
const SUBJECT: Record<string, (w: World, parent: World | null) => boolean> = {
  'memmap-in-present-memory': (w) => tableToArray(w.sections).some((s) => s.memmap.kind === 'altmap'),
  'block-sections-agree': hotAdded,
  'accounting-matches-blocks': (w) => tableToArray(w.blocks).some((b) => !b.early && b.state === 'online'),
  'vmemmap-heads-consistent': (w) => tableToArray(w.vmemmap).length > 0,
  'blocks-do-not-overlap': hotAdded,
  'memory-groups-consistent': (w) => w.groups.length > 0,
  // it compares with boot once every hot-added block is gone: reached when a step removed the last one
  'nothing-leaks': (w, parent) => parent !== null && hotAdded(parent) && !hotAdded(w),
  // checked on the log records of a step that changed the world
  'replay-reproduces-world': (_w, parent) => parent !== null,
};

/** "memory65 is not offline (state online)" → "memoryN is not offline": numbers out, the first clause kept. */
export function leadingCheck(reason: string): string {
  const text = reason
    .replace(/\b0x[0-9a-f]+\b/gi, 'N')
    .replace(/\b\d+\b/g, 'N')
    .replace(/([a-z_])\d+\b/g, '$1N')
    .split(/[(;]| - |, |: /)[0]!
    .trim();
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

class Counter {
  readonly counts = new Map<string, number>();
  add(key: string, n = 1) {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get(key: string) {
    return this.counts.get(key) ?? 0;
  }
  merge(o: Counter) {
    for (const [k, n] of o.counts) this.add(k, n);
  }
}

export class Coverage {
  private readonly ops = new Counter();
  private readonly opsOk = new Counter();
  private readonly errnos = new Counter();
  private readonly paths = new Counter();
  private readonly errors = new Counter();
  private readonly transitions = new Counter();
  private readonly invariants = new Counter();

  constructor(private readonly checked: readonly Invariant[]) {}

  /** The boot every run starts from: its transitions (boot blocks ADDed, the system BOOTed) count too. */
  boot(spec: SystemSpec): void {
    this.decision({ op: 'boot' }, decide(emptyWorld(spec), new TableGate(), { op: 'boot' }));
  }

  /** One operation decided in some state (refused or not): a Decision, or the state space's Successor. */
  decision(op: Op, d: { ret: number; message?: string; site?: string; events: readonly MemhpEvent[] }): void {
    this.ops.add(op.op);
    if (d.ret === 0) this.opsOk.add(op.op);
    else {
      const errno = errnoName(d.ret);
      this.errnos.add(errno);
      this.errors.add(d.site ? `${d.site}(): ${errno}` : `${op.op} ${errno}: ${leadingCheck(d.message ?? '')}`);
    }
    for (const e of d.events) {
      if (e.type === 'transition') this.transitions.add(transitionKey(e.machine, e.from, e.event.type));
      else if (e.type === 'warning' && e.site) this.paths.add(kernelPathKey({ kind: 'WARN', site: e.site }));
      else if (e.type === 'fault')
        this.paths.add(kernelPathKey(e.kind === 'BUG' ? { kind: 'BUG', site: e.access } : { kind: 'oops', site: e.access }));
    }
  }

  /** A state whose invariants were checked; `parent` is the state it was reached from (null for boot). */
  state(world: World, parent: World | null): void {
    for (const inv of this.checked) if ((SUBJECT[inv.name] ?? (() => true))(world, parent)) this.invariants.add(inv.name);
  }

  /** Adds another run's counts (swarm walks collected apart). */
  merge(o: Coverage): void {
    for (const k of ['ops', 'opsOk', 'errnos', 'paths', 'errors', 'transitions', 'invariants'] as const) this[k].merge(o[k]);
  }

  report(): CoverageReport {
    const u = universe(this.checked);
    const section = (declared: string[] | null, c: Counter, detail?: (key: string) => string): CoverageSection => {
      const known = new Set(declared ?? []);
      const order = declared ?? [...c.counts.keys()].sort();
      return {
        total: declared ? declared.length : null,
        reached: order.filter((k) => c.get(k) > 0).map((key) => ({ key, count: c.get(key), ...(detail ? { detail: detail(key) } : {}) })),
        never: declared ? declared.filter((k) => c.get(k) === 0) : [],
        undeclared: declared ? [...c.counts.keys()].filter((k) => !known.has(k) && k !== 'boot') : [],
      };
    };
    return {
      operations: section(u.operations, this.ops, (k) => `${this.opsOk.get(k)} ok, ${this.ops.get(k) - this.opsOk.get(k)} refused`),
      errnos: section(u.errnos, this.errnos),
      kernelPaths: section(u.kernelPaths, this.paths),
      errorReturns: section(null, this.errors),
      transitions: section(u.transitions, this.transitions),
      invariants: section(u.invariants, this.invariants),
    };
  }
}
