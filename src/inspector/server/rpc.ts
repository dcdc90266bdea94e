/**
 * Answers validated page requests from the backend. Keeps the few derived
 * things that would be costly to recompute on every scroll or scrub: the
 * filtered row lists and the iomem resource events behind "removed" ranges.
 */
import type { InspectorBackend, EventFilter, InvariantResult } from '../backend.ts';
import type { MemhpEvent, OpEvent, ResourceEvent, TransitionEvent } from '../../engine/events.ts';
import type { ActorView, MapFrame, StepChange, StepView } from '../protocol.ts';
import { geometry } from '../../engine/world.ts';
import { mapPatch } from './patch.ts';
import type { ValidRequest } from './validate.ts';
import { removedRanges, toMapFrame } from './frame.ts';
import { WhyAnswers } from './why.ts';

/** Transitions of the selected actor sent each side of the step. */
const HISTORY_WINDOW = 40;

function isEmptyFilter(f: EventFilter): boolean {
  return !f.actor && !f.type && !f.text;
}

/** Index of the first element >= x in an ascending array. */
function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Rpc {
  private searches = new Map<string, number[]>();
  private resources: ResourceEvent[] | null = null;
  private cachedLast = -1;

  private readonly whys: WhyAnswers;

  constructor(private readonly backend: InspectorBackend) {
    this.whys = new WhyAnswers(backend);
  }

  private cachedBranch = -1;

  private fresh(): void {
    const { lastSeq: last, branch = 0 } = this.backend.info();
    if (last !== this.cachedLast || branch !== this.cachedBranch) {
      this.cachedBranch = branch;
      this.searches.clear();
      this.resources = null;
      this.removedCache.clear();
      this.cachedLast = last;
    }
  }

  private matches(filter: EventFilter): number[] {
    const key = JSON.stringify([filter.actor ?? '', filter.type ?? '', filter.text ?? '']);
    let seqs = this.searches.get(key);
    if (!seqs) {
      seqs = this.backend.search(filter);
      if (this.searches.size > 32) this.searches.clear();
      this.searches.set(key, seqs);
    }
    return seqs;
  }

  private removedCache = new Map<number, MapFrame['removed']>();
  /** Removed ranges at seq (a step asks for three neighbouring seqs: keep the last few). */
  private removedAt(seq: number, pageSize: number): MapFrame['removed'] {
    let r = this.removedCache.get(seq);
    if (!r) {
      r = removedRanges(this.resourceEvents(), seq, pageSize);
      if (this.removedCache.size > 16) this.removedCache.delete(this.removedCache.keys().next().value!);
      this.removedCache.set(seq, r);
    }
    return r;
  }

  private resourceEvents(): ResourceEvent[] {
    if (!this.resources) {
      this.resources = this.backend.search({ type: 'resource' }).flatMap((s) =>
        this.backend.events(s, s).filter((e): e is ResourceEvent => e.type === 'resource'));
    }
    return this.resources;
  }

  /** Events at sparse seqs, fetched as runs of consecutive seqs. */
  private eventsAt(seqs: number[]): MemhpEvent[] {
    const out: MemhpEvent[] = [];
    for (let i = 0; i < seqs.length;) {
      let j = i;
      while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++;
      out.push(...this.backend.events(seqs[i]!, seqs[j]!));
      i = j + 1;
    }
    return out;
  }

  private actor(actor: string, seq: number): ActorView {
    return this.backend.actorAt(actor, seq, HISTORY_WINDOW);
  }

  /** The op event that seq belongs to (the last op at or before it) and the last seq of that op. */
  private opAround(seq: number): { op: OpEvent | null; opEnd: number } {
    const ops = this.matches({ type: 'op' });
    // seq 0 is the machine before its boot op: its invariants are those of the end of boot
    if (seq === 0) return { op: null, opEnd: ops.length > 1 ? ops[1]! - 1 : this.backend.info().lastSeq };
    const next = lowerBound(ops, seq + 1);
    const opEnd = next < ops.length ? ops[next]! - 1 : this.backend.info().lastSeq;
    if (next === 0) return { op: null, opEnd };
    const e = this.backend.events(ops[next - 1]!, ops[next - 1]!)[0];
    return { op: e?.type === 'op' ? e : null, opEnd };
  }

  private stepChange(seq: number): StepChange {
    const b = this.backend;
    const { op, opEnd } = this.opAround(seq);
    if (seq === 0) return { seq, from: 0, to: 0, op, opEnd, changes: [] };
    const [from, to] = op && op.seq === seq ? [seq - 1, opEnd] : [seq - 1, seq];
    const changes = b.diff(from, to);
    // Removed ranges are not part of the world view; the map draws them, so the diff names them too.
    const ps = geometry(b.worldState(to)).pageSize;
    const before = this.removedAt(from, ps);
    const after = this.removedAt(to, ps);
    if (JSON.stringify(before) !== JSON.stringify(after)) changes.push({ path: 'iomem.removed', before, after });
    return { seq, from, to, op, opEnd, changes };
  }

  /**
   * What every page's first step needs: where boot ends (the search for op events) and the removed
   * ranges (the resource events), each a pass over the whole log (~20 ms apiece on a million events).
   * Done once the server listens, while the browser loads the page, instead of on the way to the first map.
   */
  warm(): void {
    this.fresh();
    if (this.backend.info().lastSeq === 0) return;
    const { opEnd } = this.opAround(0);
    this.removedAt(opEnd, geometry(this.backend.worldState(opEnd)).pageSize);
  }

  private prefetch: ReturnType<typeof setTimeout> | null = null;
  /**
   * Checking every invariant on 32,768 blocks takes longer than the rest of a
   * step: while the page reads this step, check the ones the next step (→)
   * will ask for, then the previous (←). Each is cached; a new request
   * cancels what has not started.
   */
  private prefetchInvariants(seq: number): void {
    if (this.prefetch) clearTimeout(this.prefetch);
    const b = this.backend;
    const last = b.info().lastSeq;
    const todo = [seq + 1].filter((s) => s >= 0 && s <= last).map((s) => {
      const e = s > 0 ? b.events(s, s)[0] : undefined;
      return e?.type === 'op' ? this.opAround(s).opEnd : s;
    });
    const next = () => {
      const s = todo.shift();
      if (s === undefined || b.info().lastSeq !== last) { this.prefetch = null; return; }
      b.invariantsAt(s);
      this.prefetch = setTimeout(next, 0);
    };
    this.prefetch = setTimeout(next, 0);
  }

  /** Everything the page shows at one cursor position; the map as a patch from the world it holds. */
  private step(seq: number, mapBase: number | null, actor: string | null, invariants = false): StepView {
    const b = this.backend;
    const change = this.stepChange(seq);
    const event = seq > 0 ? b.events(seq, seq)[0] ?? null : null;
    // an op event stands for its whole operation: the map shows the world after it, like the change and the invariants
    const isOp = event?.type === 'op';
    const mapSeq = isOp ? change.opEnd : seq;
    const to = b.worldState(mapSeq);
    const removed = this.removedAt(mapSeq, geometry(to).pageSize);
    const base = mapBase === null || mapBase > b.info().lastSeq ? null : mapBase;
    const patch = mapPatch(base === null ? null : b.worldState(base), to, base, removed);
    // the selected actor follows the step: a transition's actor, a fault's block, else the one the page had
    const who = event?.type === 'transition' ? event.actor : event?.type === 'fault' ? `memory${event.block}` : actor;
    const invSeq = isOp ? change.opEnd : seq;
    // the actor at the map's moment: on an operation's row, after the operation (the map and the actor panel agree)
    return { seq, mapSeq, event, change, patch, actor: who ? this.actor(who, mapSeq) : null, invSeq, ...(invariants ? { invariants: this.invariants(invSeq) } : {}) };
  }

  /** The invariants at seq as the page shows them; then the next step's are checked in the background. */
  private invariants(seq: number): InvariantResult[] {
    const out = this.backend.invariantsAt(seq).map((i) => i.violations.length <= 50 ? i
      // A broken invariant on 32K blocks can name thousands of places; the panel shows a handful.
      : { ...i, violations: [...i.violations.slice(0, 50), `… ${i.violations.length - 50} more`] });
    this.prefetchInvariants(seq);
    return out;
  }

  async handle(req: ValidRequest): Promise<unknown> {
    if (this.prefetch) { clearTimeout(this.prefetch); this.prefetch = null; }
    this.fresh();
    const b = this.backend;
    const last = () => b.info().lastSeq;
    const clamp = (s: number) => Math.min(s, last());
    switch (req.method) {
      case 'info': return b.info();
      case 'events': return b.events(req.params.from, clamp(req.params.to));
      case 'rows': {
        const { filter, limit } = req.params;
        const all = isEmptyFilter(filter) ? null : this.matches(filter);
        const total = all ? all.length : last();
        // A window past the end slides back so the list stays full.
        const offset = Math.max(0, Math.min(req.params.offset, total - limit));
        if (!all) return { total, offset, events: offset < total ? b.events(offset + 1, Math.min(total, offset + limit)) : [] };
        return { total, offset, events: this.eventsAt(all.slice(offset, offset + limit)) };
      }
      case 'rowOf': {
        const { filter, seq } = req.params;
        if (isEmptyFilter(filter)) return Math.max(0, clamp(seq) - 1);
        return lowerBound(this.matches(filter), seq);
      }
      case 'frame': {
        const seq = clamp(req.params.seq);
        const world = b.worldAt(seq);
        return toMapFrame(world, removedRanges(this.resourceEvents(), seq, world.pageSize));
      }
      case 'diff': return this.stepChange(clamp(req.params.seq));
      case 'step': return this.step(clamp(req.params.seq), req.params.mapBase, req.params.actor, req.params.invariants ?? false);
      case 'accountingByOp': return b.accountingByOp(req.params.fromOp, req.params.toOp, req.params.points);
      case 'outcome': return b.outcome();
      case 'branches': return b.branches();
      case 'selectBranch': {
        const info = b.selectBranch(req.params.id);
        this.fresh();
        return info;
      }
      case 'compare': {
        if (!b.compareBranches) throw new Error('this inspector cannot compare branches');
        return b.compareBranches(req.params.a, req.params.b);
      }
      case 'invariants': return this.invariants(clamp(req.params.seq));
      case 'accounting': return b.accountingSeries(req.params.points);
      case 'machines': return b.machines();
      case 'actor': return this.actor(req.params.actor, clamp(req.params.seq));
      case 'continue': return b.continueTo(clamp(req.params.from), req.params.direction, req.params.breakpoints);
      case 'why': return this.whys.answer(req.params.question, clamp(req.params.at));
      case 'apply': {
        const res = await b.apply(req.params.op, clamp(req.params.atSeq));
        this.fresh();
        return { ...res, info: b.info() };
      }
    }
  }
}
