/**
 * Branches: the log as opened and every fork made from the page. A fork
 * never replaces the original — each is listed with where it left its
 * parent, and choosing one shows it. Sending an operation at a past step
 * asks first, naming the step and the new log's place.
 */
import type { BranchInfo } from '../backend.ts';
import { el } from './format.ts';

export function showBranches(box: HTMLElement, branches: BranchInfo[], onSelect: (id: number) => void, onCompare?: (id: number) => void): void {
  if (branches.length <= 1) {
    box.replaceChildren(el('span', { class: 'dim' }, 'one branch (an operation sent at a past step forks a new one; the original stays here)'));
    return;
  }
  const items = branches.map((b) => {
    const where = b.parent === null ? 'the log as opened' : `forked from branch ${b.parent} after seq ${b.forkSeq}`;
    const li = el('li', { class: b.current ? 'current' : '', 'data-branch': String(b.id) });
    const btn = el('button', { type: 'button', title: b.current ? 'shown now' : 'show this branch' }, `${b.current ? '● ' : ''}branch ${b.id}`);
    btn.disabled = b.current;
    btn.addEventListener('click', () => onSelect(b.id));
    li.append(btn, el('span', {}, ` ${where} · ${b.lastSeq} events · `), el('span', { class: 'path' }, b.logPath ?? '(in memory)'));
    if (!b.current && onCompare) {
      // side by side with the branch shown: where they part and what differs
      const cmp = el('button', { type: 'button', 'data-compare': String(b.id), title: 'where this branch and the one shown part, the two worlds there, and what differs' }, `compare with branch ${branches.find((x) => x.current)?.id ?? ''}`.trim());
      cmp.addEventListener('click', () => onCompare(b.id));
      li.append(' ', cmp);
    }
    return li;
  });
  const ul = el('ul');
  ul.append(...items);
  box.replaceChildren(ul);
}

/** Ask before forking; resolves true to go ahead. */
export function askFork(box: HTMLElement, q: { cursor: number; opEnd: number; lastSeq: number; command: string; logPath: string | null }): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = el('button', { type: 'button', 'data-testid': 'fork-yes' }, 'fork and send');
    const no = el('button', { type: 'button', 'data-testid': 'fork-no' }, 'cancel');
    const where = q.opEnd === q.cursor ? `seq ${q.cursor}` : `the end of the operation at seq ${q.cursor} (seq ${q.opEnd})`;
    box.replaceChildren(
      el('p', {}, `"${q.command}" at ${where} is in the past: the log goes on to seq ${q.lastSeq}.`),
      el('p', {}, `Sending it starts a new branch from ${where} in a new log file next to ${q.logPath ?? 'the temp directory'}. The original log stays as it is and stays listed under Branches, one click away.`),
      yes, no,
    );
    box.hidden = false;
    const done = (v: boolean) => { box.hidden = true; resolve(v); };
    yes.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    yes.focus();
  });
}
