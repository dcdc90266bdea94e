/** The text panels: selected event's diff, invariants, the selected actor's context and history. */
import type { MemhpEvent } from '../../engine/events.ts';
import type { InvariantResult, WorldChange } from '../backend.ts';
import type { ActorView, StepChange } from '../protocol.ts';
import { eventRow, opLine, retText } from '../../timeline/event-text.ts';
import { el, short, spaced } from './format.ts';

export function showEvent(title: HTMLElement, e: MemhpEvent | undefined, seq: number): void {
  if (!e) { title.textContent = seq === 0 ? 'seq 0: before boot' : `seq ${seq}`; title.title = ''; return; }
  if (e.type === 'op') title.textContent = `seq ${e.seq} · ${opLine(e)}`;
  else {
    const r = eventRow(e);
    title.textContent = `seq ${e.seq} · ${r.actor} · ${r.event}${r.from || r.to ? ` · ${r.from ? r.from + ' → ' : ''}${r.to}` : ''}`;
  }
  title.title = JSON.stringify(e);
}

/**
 * The line under the title: for an op, the span of the whole operation and
 * the kernel's message; for one of its effects, the op it belongs to (a
 * button that jumps to it).
 */
export function showStepContext(box: HTMLElement, step: StepChange, mapSeq: number, onPick: (seq: number) => void): void {
  const { op } = step;
  if (!op) {
    box.className = 'step-op';
    box.textContent = step.seq === 0 ? `The empty machine before its boot op (boot ends at seq ${step.opEnd}). Step with → or jump with End.` : '';
    return;
  }
  const failed = op.ret !== 0;
  box.className = `step-op${failed ? ' failed' : ''}`;
  const effects = step.opEnd - op.seq;
  if (op.seq === step.seq) {
    box.replaceChildren(el('span', {}, `whole operation: the world before seq ${op.seq} → after seq ${step.opEnd} (${effects} effect event${effects === 1 ? '' : 's'})`));
    if (mapSeq === step.opEnd && op.seq > 1) {
      // the map shows the world after the operation; the world before it is one key away
      const before = el('button', { type: 'button', title: 'the world before this operation (←)' }, `← before it (seq ${op.seq - 1})`);
      before.addEventListener('click', () => onPick(op.seq - 1));
      box.append(el('div', { class: 'map-note' }, `the map shows the world after it (seq ${step.opEnd}) `), before);
    }
    if (failed) box.append(el('div', { class: 'errno' }, `returned ${retText(op)}${op.message ? `: ${op.message}` : ''}`));
    else if (op.message) box.append(el('div', {}, op.message));
    return;
  }
  const jump = el('button', { type: 'button', title: 'select the operation: its whole change' }, `seq ${op.seq} ${opLine(op)}`);
  jump.addEventListener('click', () => onPick(op.seq));
  box.replaceChildren(el('span', {}, `step ${step.seq - op.seq} of ${effects} of `), jump);
}

/** A value in the diff; a long one is cut, and a click shows all of it (and cuts it again). */
function value(v: unknown, cls = 'val'): HTMLElement {
  const full = spaced(v);
  const cut = short(v);
  const span = el('span', { class: cls }, cut);
  if (cut !== full) {
    span.classList.add('more');
    span.title = 'click to show all of it';
    span.addEventListener('click', () => {
      const open = span.classList.toggle('open');
      span.textContent = open ? full : cut;
    });
  }
  return span;
}

/**
 * A change's path split into what changed and which field of it, in the
 * watch-path grammar (src/timeline/path.ts): "blocks[65].state" ->
 * ["blocks[65]", "state"], "zones[0].Normal.presentPages" -> ["zones[0].Normal",
 * "presentPages"] (a node's zones are one entity per zone), "params.online_policy"
 * -> ["params", "online_policy"] (one line for the parameters, a field per parameter that changed). A vmemmap head reads in hex, as the kernel
 * prints pfns (vmemmap[0x200000]: the same path, written the other way).
 */
export function splitPath(path: string): [string, string] {
  const shown = path.replace(/^vmemmap\[(\d+)\]/, (_m, pfn: string) => `vmemmap[0x${Number(pfn).toString(16)}]`);
  const m = /^(zones\[\d+\]\.\w+|[A-Za-z]+\[\d+\]|params|injection|config)(?:\.(.*))?$/.exec(shown);
  return m ? [m[1]!, m[2] ?? ''] : [shown, ''];
}

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A change of a whole object that is there before and after (the parameters, a zone's span) reads as the keys
 * that changed (`params.v2_remove_guard: false → true`), not as two copies of the object cut with "…".
 */
export function byKey(changes: WorldChange[]): WorldChange[] {
  const out: WorldChange[] = [];
  const walk = (path: string, before: unknown, after: unknown) => {
    if (isPlain(before) && isPlain(after)) {
      for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) walk(/^[A-Za-z_]\w*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, before[k], after[k]);
      }
      return;
    }
    out.push({ path, before, after });
  };
  for (const c of changes) walk(c.path, c.before, c.after);
  return out;
}

export function showDiff(list: HTMLElement, all: WorldChange[], isOp = false): void {
  const changes = byKey(all);
  if (changes.length === 0) {
    list.replaceChildren(el('li', { class: 'none' }, isOp ? 'the operation changed nothing in the world' : 'no change to the world'));
    return;
  }
  // One line per entity (a block, a section, a zone…), its changed fields after it.
  const groups = new Map<string, WorldChange[]>();
  for (const c of changes) {
    const [entity] = splitPath(c.path);
    let g = groups.get(entity);
    if (!g) groups.set(entity, (g = []));
    g.push(c);
  }
  const items: HTMLElement[] = [];
  for (const [entity, cs] of groups) {
    if (items.length >= 300) break;
    const li = el('li');
    li.append(el('span', { class: 'path' }, entity));
    for (const c of cs) {
      const [, field] = splitPath(c.path);
      const part = el('span', { class: 'field' });
      if (!field && c.before === undefined) part.append(el('span', { class: 'after' }, ' added '), value(c.after));
      else if (!field && c.after === undefined) part.append(el('span', { class: 'before' }, ' gone '), value(c.before));
      else part.append(field ? ` ${field}: ` : ': ', value(c.before, 'before'), ' → ', value(c.after, 'after'));
      li.append(part);
      // a fault's reason is the point of the step: in full, on its own line
      const fault = (c.after ?? c.before) as { message?: unknown } | undefined;
      if (entity.startsWith('faults[') && !field && typeof fault?.message === 'string') li.append(el('div', { class: 'fault-msg' }, fault.message));
    }
    items.push(li);
  }
  if (groups.size > items.length) items.push(el('li', {}, `… ${groups.size - items.length} more`));
  list.replaceChildren(...items);
}

/**
 * Invariants are the kernel's between operations: mid-operation a block may
 * be online before its sections are. `atOpEnd` (the same invariants at the
 * end of the operation) tells a transient break from a real one.
 */
export function showInvariants(list: HTMLElement, inv: InvariantResult[], atOpEnd: { seq: number; results: InvariantResult[] } | null = null): void {
  list.replaceChildren(...inv.map((i) => {
    const transient = !i.skipped && !i.holds && atOpEnd?.results.find((r) => r.name === i.name)?.holds === true;
    const cls = i.skipped ? 'skipped' : i.holds ? 'ok' : transient ? 'transient' : 'broken';
    const li = el('li', { class: cls, 'data-invariant': i.name }, i.name);
    if (transient) li.append(el('span', { class: 'note' }, ` transient: inside an operation; holds at seq ${atOpEnd!.seq}`));
    if (i.skipped) li.append(el('div', {}, i.skipped));
    else if (!i.holds) li.append(el('div', {}, i.violations.slice(0, 8).join('\n') + (i.violations.length > 8 ? `\n… ${i.violations.length - 8} more` : '')));
    return li;
  }));
}

export function showActor(ctxEl: HTMLElement, histEl: HTMLElement, a: ActorView, seq: number, onPick: (seq: number) => void): void {
  ctxEl.textContent = JSON.stringify(a.context, null, 1);
  const items = a.history.map((t) => {
    const li = el('li', { class: t.seq === a.last?.seq ? 'cur' : t.seq > seq ? 'future' : '' }, `${t.seq}  ${t.event.type}: ${t.from} → ${t.to}`);
    li.addEventListener('click', () => onPick(t.seq));
    return li;
  });
  if (a.historyStart > 0) items.unshift(el('li', { class: 'future' }, `… ${a.historyStart} earlier`));
  const after = a.historyTotal - a.historyStart - a.history.length;
  if (after > 0) items.push(el('li', { class: 'future' }, `… ${after} later`));
  histEl.replaceChildren(...items);
  // in the next frame, where the browser lays the page out anyway: read now, right after the list was replaced, it forces one more layout per step
  requestAnimationFrame(() => histEl.querySelector('.cur')?.scrollIntoView({ block: 'nearest' }));
}
