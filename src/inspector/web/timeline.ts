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

  /** The filter `total` and the rows shown belong to; until a changed filter's first rows arrive, the count says it is searching. */
  private shownFilter: EventFilter | null = null;

  constructor(private api: Api, private box: HTMLElement, private bar: HTMLInputElement, private count: HTMLElement, private empty?: HTMLElement) {
    box.setAttribute('role', 'list');
    this.fetchRows = latestOnly(
      (top: number) => { const filter = this.filter; return api.call('rows', { filter, offset: top, limit: this.capacity() }).then((r) => ({ r, filter })); },
      ({ r, filter }) => {
        // rows of a filter the user has since changed: the next reply is for the new one
        if (filter !== this.filter) return;
        this.total = r.total; this.top = r.offset; this.visible = r.events; this.shownFilter = filter; this.render();
      },
      (e) => console.error(e),
    );
    // only the latest cursor matters while scrubbing: one rowOf in flight, the rest replaced
    this.revealRow = latestOnly(
      (q: { seq: number; force: boolean }) => api.call('rowOf', { filter: this.filter, seq: Math.max(1, q.seq) }),
      (row, q) => {
        const cap = this.capacity();
        // a changed filter (force) or rows not yet fetched: place the cursor's row a third down, whatever was shown before
        if (q.force || this.shownFilter !== this.filter || row < this.top || row >= this.top + cap) this.scrollTo(row - Math.floor(cap / 3), true);
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
    // a breakpoint dot is a button for the keyboard too
    box.addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement;
      if (!t.classList.contains('bp') || (e.key !== 'Enter' && e.key !== ' ')) return;
      e.preventDefault();
      e.stopPropagation();
      const seq = Number(t.closest<HTMLElement>('.row')?.dataset.seq);
      if (seq) { this.toggleBreakpoint(seq); box.querySelector<HTMLElement>(`.row[data-seq="${seq}"] .bp`)?.focus(); }
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

  /**
   * Show rows from `top`. `known`: the caller has the row from the server for the current filter (the server slides
   * a window past the end back): the total held may be another filter's, or not fetched yet, and must not clamp it.
   */
  scrollTo(top: number, known = false): void {
    const max = known ? Infinity : Math.max(0, this.total - this.capacity());
    this.fetchRows(Math.max(0, Math.min(max, Math.round(top))));
  }

  async setFilter(f: EventFilter): Promise<void> {
    this.filter = f;
    // the count is the new filter's once its rows arrive; never the old total under the new filter's name
    this.render();
    this.reveal(this.cursor, true);
  }

  /** The current filter is not empty. */
  get filtered(): boolean {
    return Boolean(this.filter.actor || this.filter.type || this.filter.text);
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
      d.setAttribute('role', 'listitem');
      for (const c of ['bp', 'seq', 'actor', 'event', 'change']) {
        const s = document.createElement('span');
        s.className = c;
        d.append(s);
      }
      const bp = d.firstElementChild as HTMLElement;
      bp.setAttribute('role', 'button');
      bp.tabIndex = 0;
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
      const cur = e.seq === this.cursor;
      set(d, 'className', `row${e.type === 'op' ? ' op' : ''}${failed ? ' failed' : ''}${cur ? ' cur' : ''}${e.type === 'fault' ? ' fault' : ''}`);
      if (cur) d.setAttribute('aria-current', 'step');
      else if (d.hasAttribute('aria-current')) d.removeAttribute('aria-current');
      const on = this.seqBreakpoints.has(e.seq);
      set(bp!, 'textContent', '●');
      set(bp!, 'className', `bp${on ? ' on' : ''}`);
      set(bp!, 'title', on ? `remove the breakpoint at seq ${e.seq}` : `break at seq ${e.seq}`);
      if (bp!.getAttribute('aria-label') !== `breakpoint at seq ${e.seq}`) bp!.setAttribute('aria-label', `breakpoint at seq ${e.seq}`);
      if (bp!.getAttribute('aria-pressed') !== String(on)) bp!.setAttribute('aria-pressed', String(on));
      set(seq!, 'textContent', String(e.seq));
      set(actor!, 'textContent', e.type === 'op' ? '' : r.actor);
      set(actor!, 'title', e.type === 'op' ? '' : r.actor);
      if (e.type === 'op') {
        // an operation reads as the call and its return value, across both text columns
        const line = `▶ ${opLine(e)}`;
        set(event!, 'textContent', line);
        set(event!, 'title', line);
        set(change!, 'textContent', '');
        set(change!, 'title', '');
        set(d, 'title', `${e.seq} ${opLine(e)}${e.message ? ` (${e.message})` : ''}`);
      } else {
        // a column too narrow for its text ends in "…": each says all of it on hover
        const to = r.from ? `${r.from} → ${r.to}` : r.to;
        set(event!, 'textContent', r.event);
        set(event!, 'title', r.event);
        set(change!, 'textContent', to);
        set(change!, 'title', to);
        set(d, 'title', `${e.seq} ${r.actor} ${r.event} ${r.from} → ${r.to}`);
      }
    });
    const max = Math.max(0, this.total - cap);
    set(this.bar, 'max', String(max));
    set(this.bar, 'value', String(this.top));
    const filtered = this.filtered;
    const pending = this.shownFilter !== this.filter;
    set(this.count, 'textContent', pending ? (filtered ? 'searching…' : '') : filtered ? `${this.total.toLocaleString('en')} matching` : `${this.total.toLocaleString('en')} events`);
    if (this.empty) {
      this.empty.hidden = pending || this.total > 0;
      this.empty.textContent = !filtered ? 'The log has no events yet.'
        : 'No event matches this filter.\nactor is a whole name as the actor column shows it: memory65, section520, node0/Movable, iomem, hotplug (operations: user).\ntext matches anywhere in the row or the event\'s JSON.';
    }
  }
}
