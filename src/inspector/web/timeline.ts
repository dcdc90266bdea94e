/**
 * The timeline: a virtual list over the (possibly filtered) log. Only the
 * visible rows exist in the DOM and only they are fetched, so a 1,000,000
 * event log scrolls like a 100 event one. Row i of an unfiltered log is seq
 * i+1; a filtered log's rows come from the server's search.
 */
import type { MemhpEvent } from '../../engine/events.ts';
import type { EventFilter } from '../backend.ts';
import { eventRow, opLine } from '../../timeline/event-text.ts';
import { Api, latestOnly } from './rpc.ts';

const ROW_H = 20;

/** Write a property only when it differs (writing the same text still invalidates layout). */
function set<E extends HTMLElement, K extends 'className' | 'textContent' | 'title' | 'max' | 'value'>(el: E, key: K, v: string): void {
  const o = el as unknown as Record<K, string>;
  if (o[key] !== v) o[key] = v;
}

export class Timeline {
  filter: EventFilter = {};
  total = 0;
  private top = 0;
  private visible: MemhpEvent[] = [];
  private rowEls: HTMLDivElement[] = [];
  cursor = 0;
  readonly seqBreakpoints = new Set<number>();
  onPick: (seq: number) => void = () => {};
  onBreakpointsChanged: () => void = () => {};
  private fetchRows: (top: number) => void;
  private revealRow: (q: { seq: number; force: boolean }) => void;

  constructor(private api: Api, private box: HTMLElement, private bar: HTMLInputElement, private count: HTMLElement, private empty?: HTMLElement) {
    this.fetchRows = latestOnly(
      (top: number) => api.call('rows', { filter: this.filter, offset: top, limit: this.capacity() }),
      (r) => { this.total = r.total; this.top = r.offset; this.visible = r.events; this.render(); },
      (e) => console.error(e),
    );
    // only the latest cursor matters while scrubbing: one rowOf in flight, the rest replaced
    this.revealRow = latestOnly(
      (q: { seq: number; force: boolean }) => api.call('rowOf', { filter: this.filter, seq: Math.max(1, q.seq) }),
      (row, q) => {
        const cap = this.capacity();
        if (q.force || row < this.top || row >= this.top + cap) this.scrollTo(row - Math.floor(cap / 3));
        else this.render();
      },
      (e) => console.error(e),
    );
    box.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.scrollTo(this.top + Math.sign(e.deltaY) * Math.max(1, Math.round(Math.abs(e.deltaY) / ROW_H)));
    }, { passive: false });
    bar.addEventListener('input', () => this.scrollTo(Number(bar.value)));
    box.addEventListener('click', (e) => {
      const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.row');
      if (!rowEl?.dataset.seq) return;
      const seq = Number(rowEl.dataset.seq);
      if ((e.target as HTMLElement).classList.contains('bp')) this.toggleBreakpoint(seq);
      else this.onPick(seq);
    });
    new ResizeObserver(() => { this.height = box.clientHeight; this.scrollTo(this.top); }).observe(box);
  }

  /** The box's height, kept by the ResizeObserver: read on every step right after the rows changed, it would force a layout each time. */
  private height = -1;

  private capacity(): number {
    if (this.height < 0) this.height = this.box.clientHeight;
    return Math.max(1, Math.floor(this.height / ROW_H));
  }

  toggleBreakpoint(seq: number): void {
    if (this.seqBreakpoints.has(seq)) this.seqBreakpoints.delete(seq);
    else this.seqBreakpoints.add(seq);
    this.render();
    this.onBreakpointsChanged();
  }

  scrollTo(top: number): void {
    const max = Math.max(0, this.total - this.capacity());
    this.fetchRows(Math.max(0, Math.min(max, Math.round(top))));
  }

  async setFilter(f: EventFilter): Promise<void> {
    this.filter = f;
    this.reveal(this.cursor, true);
  }

  /** Move the cursor and scroll so its row (or the next matching row) is visible. */
  reveal(seq: number, force = false): void {
    this.cursor = seq;
    this.render();
    this.revealRow({ seq, force });
  }

  /** Refetch after the log grew. */
  refresh(): void {
    this.scrollTo(this.top);
  }

  private render(): void {
    const cap = this.capacity();
    while (this.rowEls.length < cap) {
      const d = document.createElement('div');
      d.className = 'row';
      for (const c of ['bp', 'seq', 'actor', 'event', 'change']) {
        const s = document.createElement('span');
        s.className = c;
        d.append(s);
      }
      this.rowEls.push(d);
    }
    // Rows stay in the DOM and only what differs is written: each step renders the list again, and
    // re-inserting rows or rewriting the same text makes the browser lay out and shape every row anew.
    const n = Math.min(cap, this.visible.length);
    if (this.box.childElementCount !== n || (n > 0 && this.box.firstElementChild !== this.rowEls[0])) this.box.replaceChildren(...this.rowEls.slice(0, n));
    this.visible.slice(0, cap).forEach((e, i) => {
      const d = this.rowEls[i]!;
      const r = eventRow(e);
      const [bp, seq, actor, event, change] = Array.from(d.children) as HTMLElement[];
      d.dataset.seq = String(e.seq);
      const failed = e.type === 'op' && e.ret !== 0;
      set(d, 'className', `row${e.type === 'op' ? ' op' : ''}${failed ? ' failed' : ''}${e.seq === this.cursor ? ' cur' : ''}${e.type === 'fault' ? ' fault' : ''}`);
      set(bp!, 'textContent', '●');
      set(bp!, 'className', `bp${this.seqBreakpoints.has(e.seq) ? ' on' : ''}`);
      set(bp!, 'title', 'toggle breakpoint');
      set(seq!, 'textContent', String(e.seq));
      set(actor!, 'textContent', e.type === 'op' ? '' : r.actor);
      if (e.type === 'op') {
        // an operation reads as the call and its return value, across both text columns
        set(event!, 'textContent', `▶ ${opLine(e)}`);
        set(change!, 'textContent', '');
        set(d, 'title', `${e.seq} ${opLine(e)}${e.message ? ` (${e.message})` : ''}`);
      } else {
        set(event!, 'textContent', r.event);
        set(change!, 'textContent', r.from ? `${r.from} → ${r.to}` : r.to);
        set(d, 'title', `${e.seq} ${r.actor} ${r.event} ${r.from} → ${r.to}`);
      }
    });
    const max = Math.max(0, this.total - cap);
    set(this.bar, 'max', String(max));
    set(this.bar, 'value', String(this.top));
    const filtered = this.filter.actor || this.filter.type || this.filter.text;
    set(this.count, 'textContent', filtered ? `${this.total.toLocaleString('en')} matching` : `${this.total.toLocaleString('en')} events`);
    if (this.empty) {
      this.empty.hidden = this.total > 0;
      this.empty.textContent = !filtered ? 'The log has no events yet.'
        : 'No event matches this filter.\nactor is a whole name as the actor column shows it: memory65, section520, node0/Movable, iomem, hotplug (operations: user).\ntext matches anywhere in the row or the event\'s JSON.';
    }
  }
}
