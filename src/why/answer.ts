/**
 * `memhp why`: the chain of kernel rules that made the world so, read from
 * the reasons the engine recorded as it decided (principle 1; src/kernel/reason.ts).
 * Three questions: why a block is where it is (its zone, or offline, or gone),
 * why a node's zone holds what it holds, and why an operation returned what it
 * did (the failed check and its kernel function, a fault's removed range and
 * the sections still using it, the zones of the blocks it onlined).
 *
 * A log written before reasons were recorded has none: the operation in
 * question is then re-decided by this memhp's own code on the world before it,
 * and its reasons are used only when its events match the log's — labelled
 * `re-decided` (no separate model guesses afterwards).
 */
import { isDeepStrictEqual } from 'node:util';
import { decide } from '../engine/decide.ts';
import type { FaultEvent, MemhpEvent, OpEvent, TransitionEvent } from '../engine/events.ts';
import { TableGate } from '../engine/gate.ts';
import { readerOf } from '../engine/reader.ts';
import { replay } from '../engine/replay.ts';
import { tableGet, tableValues } from '../engine/table.ts';
import { geometry, zoneKey, type World } from '../engine/world.ts';
import { SITE_CITES, type ReasonStep } from '../kernel/reason.ts';
import type { SystemSpec, ZoneName } from '../kernel/types.ts';
import { groupContextOf, validZones, zoneChoice } from '../kernel/zone-choice.ts';
import { opLine } from '../timeline/event-text.ts';
import type { WhyQuestion } from './question.ts';
import { stepLine, type WhyLine } from './rules.ts';

export type { WhyLine };

/** Where an answer's reasons come from. */
export type WhySource = 'recorded' | 're-decided' | 'none';

export interface WhyPart {
  title: string;
  /** The event this part explains. */
  seq: number | null;
  source: WhySource;
  chain: WhyLine[];
}

export interface WhyAnswer {
  /** The question as asked (`memory65`, `node0 Movable`, `op 4`). */
  question: string;
  /** The step the answer is about: the world after event `at`. */
  at: number;
  /** One line: what is so. */
  summary: string;
  /** The event that made it so (a block's last transition, the op event), null when none did. */
  seq: number | null;
  source: WhySource;
  /** Said when the reasons are not the log's own (re-decided, or missing). */
  note?: string;
  chain: WhyLine[];
  /** One per block, for a zone or an operation that onlined several. */
  parts: WhyPart[];
  /** Blocks not listed in parts (a zone of thousands). */
  more?: number;
}

/** At most this many blocks explained one by one in a zone or an operation. */
export const MAX_PARTS = 64;

const hex = (n: number) => `0x${n.toString(16)}`;
const memRange = (r: { start: number; size: number }) => `[mem ${hex(r.start)}-${hex(r.start + r.size - 1)}]`;
const line = (text: string, fn: string | null = null, cite: string | null = null): WhyLine => ({ text, fn, cite });

/** Reading one log for several questions: op boundaries, and re-decisions made once. */
export class WhyLog {
  /** index into events of each op event, in order */
  private readonly ops: number[] = [];
  private readonly redecided = new Map<number, { ok: boolean; events: readonly MemhpEvent[] }>();

  constructor(
    readonly system: SystemSpec,
    readonly events: readonly MemhpEvent[],
  ) {
    events.forEach((e, i) => {
      if (e.type === 'op') this.ops.push(i);
    });
  }

  /** The op event whose operation contains event `seq`. */
  opOf(seq: number): OpEvent | null {
    let lo = 0;
    let hi = this.ops.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[this.ops[mid]!]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? null : (this.events[this.ops[lo - 1]!] as OpEvent);
  }

  /** The op's last event's seq. */
  opEnd(op: OpEvent): number {
    const k = this.ops.findIndex((i) => this.events[i]!.seq === op.seq);
    const next = this.ops[k + 1];
    return next === undefined ? this.events.at(-1)!.seq : this.events[next]!.seq - 1;
  }

  /** The op's index among the log's operations, boot not counted (`run --json`'s `index`); -1 for boot. */
  opIndex(op: OpEvent): number {
    return this.ops.findIndex((i) => this.events[i]!.seq === op.seq) - 1;
  }

  /** The op event at an index (boot not counted) or a seq. */
  findOp(ref: { index: number } | { seq: number }): OpEvent | null {
    if ('index' in ref) {
      const i = this.ops[ref.index + 1];
      return i === undefined ? null : (this.events[i] as OpEvent);
    }
    const op = this.opOf(ref.seq);
    return op;
  }

  event(seq: number): MemhpEvent | undefined {
    return this.events[seq - 1];
  }

  worldAt(seq: number): World {
    return replay(this.system, this.events, seq);
  }

  /**
   * The op re-decided by this memhp on the world before it: its events, and whether they are the
   * log's (explanations aside). Only then do its reasons stand for the log's.
   */
  redecide(op: OpEvent): { ok: boolean; events: readonly MemhpEvent[] } {
    let r = this.redecided.get(op.seq);
    if (!r) {
      const d = decide(this.worldAt(op.seq - 1), new TableGate(), op.op);
      const recorded = this.events.slice(op.seq - 1, this.opEnd(op));
      const ok = d.events.length === recorded.length && d.events.every((e, k) => isDeepStrictEqual(facts(e), facts(recorded[k]!)));
      r = { ok, events: d.events };
      this.redecided.set(op.seq, r);
    }
    return r;
  }

  /** A transition's reasons: recorded, else from the re-decided op when that matches the log. */
  reasonsOf(t: TransitionEvent): { source: WhySource; why: ReasonStep[] | null } {
    if (t.why) return { source: 'recorded', why: t.why };
    const op = this.opOf(t.seq);
    if (!op) return { source: 'none', why: null };
    const r = this.redecide(op);
    const again = r.ok ? r.events[t.seq - op.seq] : undefined;
    if (again?.type === 'transition' && again.why) return { source: 're-decided', why: again.why };
    return { source: 'none', why: null };
  }
}

/** An event without what explains it (the parts older logs lack). */
function facts(e: MemhpEvent): unknown {
  if (e.type === 'op') return { ...e, message: undefined, site: undefined };
  if (e.type === 'transition') return { ...e, why: undefined };
  return e;
}

const NOTE: Record<Exclude<WhySource, 'recorded'>, string> = {
  're-decided': 'this log has no recorded reasons (written before memhp recorded them): the operation was re-decided by this memhp on the world before it, and its events match the log\'s',
  none: 'this log has no recorded reasons, and this memhp decides the operation differently (see `memhp replay --verify`), so none are shown',
};

function opHeading(log: WhyLog, op: OpEvent, what: string): WhyLine {
  const i = log.opIndex(op);
  return line(`${what} by ${i < 0 ? 'boot' : `op ${i}`} (event ${op.seq}): ${opLine(op)}`);
}

/** The last transitions of one actor up to `at`. */
function lastTransitions(events: readonly MemhpEvent[], actor: string, at: number): { last: TransitionEvent | null; online: TransitionEvent | null } {
  let last: TransitionEvent | null = null;
  let online: TransitionEvent | null = null;
  for (let i = 0; i < at && i < events.length; i++) {
    const e = events[i]!;
    if (e.type !== 'transition' || e.actor !== actor) continue;
    last = e;
    if (e.event.type === 'ONLINE') online = e;
  }
  return { last, online };
}

/** The chain behind one ONLINE transition. */
function onlineChain(log: WhyLog, t: TransitionEvent): { source: WhySource; chain: WhyLine[] } {
  const op = log.opOf(t.seq);
  const { source, why } = log.reasonsOf(t);
  const chain = [...(op ? [opHeading(log, op, `onlined at event ${t.seq}`)] : []), ...(why ?? []).map(stepLine)];
  return { source, chain };
}

function blockAnswer(log: WhyLog, id: number, at: number, question: string): WhyAnswer {
  const world = log.worldAt(at);
  const b = tableGet(world.blocks, id);
  const { last, online } = lastTransitions(log.events, `memory${id}`, at);
  const base = { question, at, parts: [] as WhyPart[] };
  if (!b) {
    if (!last) return { ...base, summary: `memory${id} does not exist at event ${at}, and never did before it`, seq: null, source: 'none', chain: [] };
    const op = log.opOf(last.seq);
    return { ...base, summary: `memory${id} was removed at event ${last.seq}`, seq: last.seq, source: 'recorded', chain: op ? [opHeading(log, op, 'removed')] : [] };
  }
  if (b.state !== 'offline' && online) {
    const { source, chain } = onlineChain(log, online);
    const where = b.zone === null ? 'with no single zone (valid_zones: none)' : `in ZONE_${b.zone === 'Movable' ? 'MOVABLE' : b.zone.toUpperCase()}`;
    return {
      ...base, summary: `memory${id} (node ${b.nid}) is ${b.state} ${where}`, seq: online.seq, source,
      ...(source === 'recorded' ? {} : { note: NOTE[source] }), chain,
    };
  }
  // offline: how it came to be offline, then what onlining it now would choose (valid_zones' own rule)
  const chain: WhyLine[] = [];
  if (last) {
    const op = log.opOf(last.seq);
    if (op) chain.push(opHeading(log, op, last.event.type === 'ADD' ? 'added offline' : 'offlined'));
    if (last.event.type === 'ADD' && op) {
      const before = log.worldAt(op.seq - 1);
      chain.push(line(`auto_online_blocks was ${before.params.auto_online_blocks} when it was added${before.params.auto_online_blocks === 'offline' ? ', so nothing onlined it' : ''}`, 'add_memory_resource', '§5.5'));
      for (let s = op.seq; s <= log.opEnd(op); s++) {
        const e = log.event(s);
        if (e?.type === 'warning' && e.message.includes(`memory${id}`)) chain.push(line(e.message, 'online_memory_block', '§5.3'));
      }
    }
  }
  const g = geometry(world);
  const r = readerOf(world);
  const gc = groupContextOf(r, b, g.pagesPerBlock);
  const now = zoneChoice(r, world.params, 'online', b.nid, id * g.pagesPerBlock, g.pagesPerBlock, gc);
  chain.push(line(`if onlined now with \`online\`: ZONE ${now.zone} (valid_zones: ${validZones(r, world.params, g, b, gc)}); decided by this memhp on the world at event ${at}:`, 'valid_zones_show', '§4.5'));
  chain.push(...now.why.map(stepLine));
  return { ...base, summary: `memory${id} (node ${b.nid}) is offline`, seq: last?.seq ?? null, source: 'recorded', chain };
}

function zoneAnswer(log: WhyLog, node: number, zone: ZoneName, at: number, question: string): WhyAnswer {
  const world = log.worldAt(at);
  const z = tableGet(world.zones, zoneKey(node, zone));
  const members = [...tableValues(world.blocks)].filter((b) => b.nid === node && b.zone === zone && b.state !== 'offline').sort((a, b) => a.id - b.id);
  const spanText = z?.span ? `spans pfn ${hex(z.span.startPfn)}-${hex(z.span.endPfn)}` : 'spans nothing';
  const summary = `node ${node} ZONE ${zone} ${spanText}: ${z?.presentPages ?? 0} pages present, ${z?.managedPages ?? 0} managed, ${members.length} online block${members.length === 1 ? '' : 's'}`;
  // one pass for every member's last ONLINE transition
  const wanted = new Set(members.slice(0, MAX_PARTS).map((b) => `memory${b.id}`));
  const lastOnline = new Map<string, TransitionEvent>();
  for (let i = 0; i < at && i < log.events.length; i++) {
    const e = log.events[i]!;
    if (e.type === 'transition' && e.event.type === 'ONLINE' && wanted.has(e.actor)) lastOnline.set(e.actor, e);
  }
  const parts: WhyPart[] = [];
  for (const b of members.slice(0, MAX_PARTS)) {
    const t = lastOnline.get(`memory${b.id}`);
    if (!t) continue;
    const { source, chain } = onlineChain(log, t);
    parts.push({ title: `memory${b.id}`, seq: t.seq, source, chain });
  }
  const sources = new Set(parts.map((p) => p.source));
  const source: WhySource = sources.has('none') ? 'none' : sources.has('re-decided') ? 're-decided' : 'recorded';
  const policy = world.params.online_policy;
  const chain: WhyLine[] = [line(policy === 'auto-movable'
    ? 'online_policy is auto-movable: each block onlined with `online` went to ZONE_MOVABLE while its group fitted the ratio, else to a kernel zone'
    : 'online_policy is contig-zones: a zone\'s span grows over every block onlined into it and shrinks only at its edges, and `online` follows the zone already spanning a block', 'zone_for_pfn_range', '§5.6')];
  return {
    question, at, summary, seq: null, source, ...(source === 'recorded' ? {} : { note: NOTE[source] }), chain, parts,
    ...(members.length > MAX_PARTS ? { more: members.length - MAX_PARTS } : {}),
  };
}

/** A fault: what was read, the removed range it lived in, who removed it and the sections still using it. */
function faultLines(log: WhyLog, f: FaultEvent): WhyLine[] {
  if (f.kind === 'BUG') return [line(`${f.message}`, f.access, SITE_CITES[f.access] ?? '§8.2')];
  const out = [line(`oops: ${f.access} of memory${f.block} read the struct pages of section ${f.section}, which lived in removed memory ${memRange(f.removed)}`, 'pfn_to_page', '§7.5')];
  const before = log.worldAt(f.seq - 1);
  for (const head of tableValues(before.vmemmap)) {
    if (!head.orphanedBy || head.orphanedBy.start !== f.removed.start || head.orphanedBy.size !== f.removed.size) continue;
    const still = head.sections.filter((nr) => tableGet(before.sections, nr) !== undefined);
    out.push(line(`the vmemmap at pfn ${hex(head.headPfn)} (${head.nrPages} pages, refcount ${head.refcount}) lived in that range; sections still using it: ${compactList(still)}`, 'mark_vmemmap_pages', '§7.2'));
  }
  for (let i = f.seq - 2; i >= 0; i--) {
    const e = log.events[i]!;
    if (e.type === 'vmemmap' && e.action === 'orphan' && e.removed && e.removed.start === f.removed.start && e.removed.size === f.removed.size) {
      const op = log.opOf(e.seq);
      if (op) out.push({ ...opHeading(log, op, `the range was removed while sections still used it, at event ${e.seq},`), fn: 'try_remove_memory', cite: '§7.5' });
      break;
    }
  }
  return out;
}

/** 520-527, 530 */
function compactList(xs: readonly number[]): string {
  if (xs.length === 0) return 'none';
  const out: string[] = [];
  for (let i = 0; i < xs.length;) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

function opAnswer(log: WhyLog, op: OpEvent, question: string): WhyAnswer {
  const end = log.opEnd(op);
  const chain: WhyLine[] = [];
  let source: WhySource = 'recorded';
  let site = op.site;
  if (op.ret !== 0 && !site) {
    const r = log.redecide(op);
    const again = r.events[0] as OpEvent;
    if (r.ok && again.site) {
      site = again.site;
      source = 're-decided';
    } else if (!r.ok) source = 'none';
  }
  const oopsed = site === 'page_fault_oops' || log.events.slice(op.seq, end).some((e) => e.type === 'fault');
  if (op.ret !== 0 && oopsed) {
    chain.push(line(`${op.errno}: the task died in an oops; memhp records -EFAULT, taints the kernel (TAINT_DIE) and rolls nothing back`, site ?? null, site ? (SITE_CITES[site] ?? null) : null));
  } else if (op.ret !== 0) {
    const where = site ? `${site}()` : 'the kernel';
    chain.push(line(`${op.errno}: a check in ${where} failed: ${op.message ?? '(no message recorded)'}`, site ?? null, site ? (SITE_CITES[site] ?? null) : null));
  }
  const parts: WhyPart[] = [];
  let onlined = 0;
  for (let s = op.seq + 1; s <= end; s++) {
    const e = log.event(s)!;
    if (e.type === 'fault') chain.push(...faultLines(log, e));
    else if (e.type === 'warning') chain.push(line(e.message, e.site ?? null, e.site ? (SITE_CITES[e.site] ?? null) : null));
    else if (e.type === 'transition' && e.machine === 'memory_block' && e.event.type === 'ONLINE') {
      onlined++;
      if (parts.length >= MAX_PARTS) continue;
      const r = onlineChain(log, e);
      parts.push({ title: `${e.actor} → ${String(e.context.zone ?? 'no single zone')}`, seq: e.seq, source: r.source, chain: r.chain.slice(1) });
      if (r.source !== 'recorded' && source === 'recorded') source = r.source;
    }
  }
  const i = log.opIndex(op);
  const summary = `${i < 0 ? 'boot' : `op ${i}`} (events ${op.seq}-${end}): ${opLine(op)}`;
  return {
    question, at: end, summary, seq: op.seq, source, ...(source === 'recorded' ? {} : { note: NOTE[source] }), chain, parts,
    ...(onlined > parts.length ? { more: onlined - parts.length } : {}),
  };
}

/** Answers one question about a log (or a scenario's events) after event `at` (default: the end). */
export function why(log: WhyLog, q: WhyQuestion, at = log.events.length): WhyAnswer {
  switch (q.kind) {
    case 'block':
      return blockAnswer(log, q.block, at, q.text);
    case 'zone':
      return zoneAnswer(log, q.node, q.zone, at, q.text);
    case 'op': {
      const op = log.findOp(q.ref);
      if (!op) throw new RangeError(`${q.text}: the log has ${Math.max(0, log.events.filter((e) => e.type === 'op').length - 1)} operations after boot (op 0 … op N-1)`);
      return opAnswer(log, op, q.text);
    }
  }
}
