/** The text panels: selected event's diff, invariants, the selected actor's context and history. */
import type { MemhpEvent } from '../../engine/events.ts';
import type { InvariantResult, WorldChange } from '../backend.ts';
import type { ActorView } from '../protocol.ts';
import { eventRow } from '../event-text.ts';
import { el, short } from './format.ts';

export function showEvent(title: HTMLElement, e: MemhpEvent | undefined, seq: number): void {
  if (!e) { title.textContent = seq === 0 ? 'seq 0: booted system' : `seq ${seq}`; return; }
  const r = eventRow(e);
  title.textContent = `seq ${e.seq} · ${r.actor} · ${r.event}${r.from || r.to ? ` · ${r.from ? r.from + ' → ' : ''}${r.to}` : ''}`;
  title.title = JSON.stringify(e);
}

export function showDiff(list: HTMLElement, changes: WorldChange[]): void {
  if (changes.length === 0) { list.replaceChildren(el('li', {}, 'no change to the world')); return; }
  const shown = changes.slice(0, 300).map((c) => {
    const li = el('li');
    li.append(el('span', { class: 'path' }, c.path + ': '), el('span', { class: 'before' }, short(c.before)), ' → ', el('span', { class: 'after' }, short(c.after)));
    return li;
  });
  if (changes.length > 300) shown.push(el('li', {}, `… ${changes.length - 300} more`));
  list.replaceChildren(...shown);
}

export function showInvariants(list: HTMLElement, inv: InvariantResult[]): void {
  list.replaceChildren(...inv.map((i) => {
    const li = el('li', { class: i.skipped ? 'skipped' : i.holds ? 'ok' : 'broken', 'data-invariant': i.name }, i.name);
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
  histEl.querySelector('.cur')?.scrollIntoView({ block: 'nearest' });
}
