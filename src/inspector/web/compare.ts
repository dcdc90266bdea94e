/**
 * Two branches side by side: the first event where they part, the world
 * after that operation on each, and what differs between the two worlds (the
 * server's one world diff, shown as the step panel shows a change: branch a's
 * value → branch b's). Each side offers a jump to that step on its branch.
 */
import type { BranchComparison, BranchSide } from '../backend.ts';
import { eventRow, opLine } from '../../timeline/event-text.ts';
import { el } from './format.ts';
import { showDiff } from './panels.ts';

export { commonPrefix } from '../branch-prefix.ts';

const pages = (n: number) => n.toLocaleString('en');

function eventText(e: BranchSide['first']): string {
  if (!e) return 'nothing: the branch ends there';
  if (e.type === 'op') return `seq ${e.seq} ${opLine(e)}`;
  const r = eventRow(e);
  return `seq ${e.seq} ${r.actor} ${r.event}${r.to ? ` ${r.from ? `${r.from} → ` : ''}${r.to}` : ''}`;
}

function sideBox(s: BranchSide, current: boolean, onGo: (branch: number, seq: number) => void): HTMLElement {
  const box = el('div', { class: 'side', 'data-branch': String(s.branch) });
  box.append(el('p', {}, `branch ${s.branch}${current ? ' (shown)' : ''} · ${s.name} · ${s.lastSeq} events`));
  box.append(el('p', { class: 'first' }, `first event of its own: ${eventText(s.first)}`));
  if (s.op && s.first && s.op.seq !== s.first.seq) box.append(el('p', {}, `in the operation seq ${s.op.seq} ${opLine(s.op)}`));
  const w = s.world;
  box.append(el('p', {}, `the world after it (seq ${s.at}): ${w.blocks} blocks, ${w.online} online, ${w.faults} fault(s)${w.tainted ? ', TAINTED' : ''}`));
  for (const n of w.nodes) box.append(el('p', {}, `  node${n.node}: present ${pages(n.presentPages)}, managed ${pages(n.managedPages)}, memmap ${pages(n.memmapPages)} pages`));
  const go = el('button', { type: 'button', 'data-go': String(s.branch) }, `show branch ${s.branch} at seq ${s.first ? s.first.seq : s.at}`);
  go.addEventListener('click', () => onGo(s.branch, s.first ? s.first.seq : s.at));
  box.append(go);
  return box;
}

export function showComparison(box: HTMLElement, c: BranchComparison, shown: number, onGo: (branch: number, seq: number) => void): void {
  const close = el('button', { type: 'button', title: 'close the comparison', 'aria-label': 'close the comparison' }, '×');
  close.addEventListener('click', () => { box.hidden = true; box.replaceChildren(); });
  const head = el('h3', {}, `Branch ${c.a.branch} and branch ${c.b.branch} side by side`);
  head.append(el('small', { class: 'dim' }, c.common > 0 ? `they share seq 1–${c.common}` : 'they share nothing'), close);
  const where = el('p', { 'data-testid': 'compare-first' },
    c.a.first || c.b.first
      ? `They part at seq ${c.common + 1}: branch ${c.a.branch} ${eventText(c.a.first)}; branch ${c.b.branch} ${eventText(c.b.first)}.`
      : `They do not part: both end at seq ${c.common}.`);
  const cols = el('div', { class: 'cols' });
  cols.append(sideBox(c.a, c.a.branch === shown, onGo), sideBox(c.b, c.b.branch === shown, onGo));
  const caption = el('p', {}, c.changeCount === 0
    ? 'The two worlds are the same.'
    : `What differs between the world of branch ${c.a.branch} at seq ${c.a.at} and that of branch ${c.b.branch} at seq ${c.b.at} (${c.changeCount} change${c.changeCount === 1 ? '' : 's'}${c.changes.length < c.changeCount ? `, the first ${c.changes.length} listed` : ''}; branch ${c.a.branch} → branch ${c.b.branch}):`);
  const list = el('ul', { 'data-testid': 'compare-diff' });
  if (c.changeCount > 0) showDiff(list, c.changes);
  box.replaceChildren(head, where, cols, caption, list);
  box.hidden = false;
}
