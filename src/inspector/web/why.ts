/**
 * The "why" panel: the answer of `memhp why` for the selected block (its zone,
 * or why it is offline or gone) and for the step's operation (its errno's
 * failed check, a fault's removed range, the zones of the blocks it onlined),
 * each rule with its kernel function and docs/kernel-model.md §.
 */
import type { WhyAnswer, WhyLine } from '../../why/answer.ts';
import type { StepView } from '../protocol.ts';
import { el } from './format.ts';
import type { Transport } from './transport.ts';
import './why.css';

export class WhyPanel {
  private readonly blockButton: HTMLButtonElement;
  private readonly opButton: HTMLButtonElement;
  private readonly out: HTMLElement;
  private block: number | null = null;
  private op: number | null = null;
  private at = 0;
  /** The question shown, so a step can refresh it. */
  private asked: 'block' | 'op' | null = null;

  constructor(private readonly api: Pick<Transport, 'call'>, after: HTMLElement) {
    this.blockButton = el('button', { type: 'button', 'data-testid': 'why-block', disabled: '' }, 'why this block?');
    this.opButton = el('button', { type: 'button', 'data-testid': 'why-op', disabled: '' }, 'why this result?');
    this.out = el('div', { id: 'why', 'data-testid': 'why' });
    this.blockButton.addEventListener('click', () => void this.ask('block'));
    this.opButton.addEventListener('click', () => void this.ask('op'));
    const ask = el('div', { id: 'why-ask' });
    ask.append(this.blockButton, this.opButton);
    after.after(el('h2', {}, 'Why'), ask, this.out);
  }

  /** The step shown: its world (the map's step) and its operation. */
  step(s: StepView, actor: string | null): void {
    this.at = s.mapSeq;
    this.op = s.change.op?.seq ?? null;
    this.opButton.disabled = this.op === null;
    this.opButton.textContent = s.change.op ? `why ${s.change.op.op.op} → ${s.change.op.ret === 0 ? '0' : s.change.op.errno}?` : 'why this result?';
    this.select(actor);
    if (this.asked) void this.ask(this.asked);
  }

  /** The selected actor: a block's question is offered for memoryN. */
  select(actor: string | null): void {
    const m = actor ? /^memory(\d+)$/.exec(actor) : null;
    this.block = m ? Number(m[1]) : null;
    this.blockButton.disabled = this.block === null;
    this.blockButton.textContent = this.block === null ? 'why this block?' : `why memory${this.block}?`;
  }

  private async ask(kind: 'block' | 'op'): Promise<void> {
    const question = kind === 'block' ? (this.block === null ? null : `memory${this.block}`) : this.op === null ? null : `seq ${this.op}`;
    if (question === null) return;
    this.asked = kind;
    try {
      this.render(await this.api.call('why', { question, at: this.at }));
    } catch (e) {
      this.out.replaceChildren(el('div', { class: 'why-note' }, (e as Error).message));
    }
  }

  private render(a: WhyAnswer): void {
    const parts: HTMLElement[] = [el('div', { class: 'why-summary', 'data-testid': 'why-summary' }, a.summary)];
    if (a.note) parts.push(el('div', { class: 'why-note' }, a.note));
    parts.push(list(a.chain));
    for (const p of a.parts) {
      const d = el('details');
      d.append(el('summary', {}, `${p.title}${p.seq !== null ? ` (seq ${p.seq})` : ''}${p.source === 'recorded' ? '' : ` [${p.source}]`}`), list(p.chain));
      parts.push(d);
    }
    if (a.more) parts.push(el('div', { class: 'why-head' }, `… and ${a.more} more blocks (select one on the map)`));
    this.out.replaceChildren(...parts);
  }
}

function list(lines: WhyLine[]): HTMLElement {
  const ol = el('ol');
  for (const l of lines) {
    const li = el('li', l.fn || l.cite ? {} : { class: 'why-head' }, l.text);
    const where = [l.fn ? `${l.fn}()` : null, l.cite ? `kernel-model ${l.cite}` : null].filter(Boolean).join(' · ');
    if (where) li.append(el('span', { class: 'why-cite' }, where));
    ol.append(li);
  }
  return ol;
}
