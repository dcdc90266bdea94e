/**
 * How the log ends, in the header: its faults, when the kernel became
 * tainted and the operations that failed, each a jump to its step — so a
 * log that ends in an oops says so before anyone steps through boot.
 */
import type { LogOutcome } from '../backend.ts';
import { el } from './format.ts';

function group(cls: string, title: string, items: Array<{ seq: number; text: string }>, more: number, onJump: (seq: number) => void): HTMLElement {
  const d = el('details', { class: `outcome-item ${cls}`, 'data-outcome': cls });
  d.append(el('summary', {}, title));
  const ul = el('ul');
  for (const it of items) {
    const b = el('button', { type: 'button', 'data-seq': String(it.seq) }, `seq ${it.seq}  ${it.text}`);
    b.addEventListener('click', () => { d.open = false; onJump(it.seq); });
    const li = el('li');
    li.append(b);
    ul.append(li);
  }
  if (more > 0) ul.append(el('li', { class: 'more' }, `… ${more} more (filter the timeline to see them all)`));
  d.append(ul);
  return d;
}

export function showOutcome(box: HTMLElement, o: LogOutcome, onJump: (seq: number) => void): void {
  const parts: HTMLElement[] = [];
  if (o.faultCount > 0) parts.push(group('fault', `⚠ ${o.faultCount} fault${o.faultCount === 1 ? '' : 's'}`, o.faults, o.faultCount - o.faults.length, onJump));
  if (o.taintSeq !== null) {
    const b = el('button', { type: 'button', class: 'outcome-item taint', 'data-outcome': 'taint', title: 'jump to the step where the kernel became tainted' }, `tainted from seq ${o.taintSeq}`);
    b.addEventListener('click', () => onJump(o.taintSeq!));
    parts.push(b);
  }
  if (o.failedCount > 0) parts.push(group('failed', `${o.failedCount} failed op${o.failedCount === 1 ? '' : 's'}`, o.failedOps, o.failedCount - o.failedOps.length, onJump));
  if (parts.length === 0) parts.push(el('span', { class: 'outcome-item clean', 'data-outcome': 'clean' }, 'ends clean: no fault, no taint, no failed op'));
  box.replaceChildren(...parts);
}
