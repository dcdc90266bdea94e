/**
 * "What changed" under one operation: its events summarised for a kernel
 * reader. Runs of blocks or sections that did the same thing collapse into
 * one line (`memory64-71: absent → offline`), page counters are summed per
 * node and zone, and faults / orphaned vmemmaps are marked as such.
 */
import type { AccountEvent, MemhpEvent, TransitionEvent } from '../engine/events.ts';
import type { MemmapPlacement } from '../kernel/memmap-on-memory.ts';
import { formatSize } from '../scenario/index.ts';
import { compressIds, hex, memRange } from './table.ts';

export type ChangeKind = 'info' | 'warning' | 'fault';

export interface ChangeLine {
  kind: ChangeKind;
  text: string;
}

/** +32768 pages (+128M) */
export function pagesDelta(pages: number, pageSize: number): string {
  const sign = pages < 0 ? '-' : '+';
  const abs = Math.abs(pages);
  return `${sign}${abs} (${sign}${formatSize(abs * pageSize)})`;
}

function actorNumber(actor: string): number | null {
  const m = /(\d+)$/.exec(actor);
  return m ? Number(m[1]) : null;
}

export function describePlacement(m: MemmapPlacement): string {
  switch (m.kind) {
    case 'boot':
      return `boot memmap on node ${m.node}`;
    case 'node':
      return `memmap on node ${m.node}${m.basePages ? ' (base pages)' : ''}`;
    case 'altmap':
      return `memmap in altmap at pfn ${hex(m.headPfn)}`;
  }
}

interface TransitionGroup {
  first: TransitionEvent;
  ids: number[];
  detail: string;
}

/** `vmemmap put`s of one head during one op: one line naming every section that let go of it. */
interface PutGroup {
  headPfn: number;
  sections: number[];
  refcount: number;
}

function transitionKey(e: TransitionEvent): { key: string; detail: string } {
  const details: string[] = [];
  const ctx = e.context;
  if (e.machine === 'memory_block' && typeof ctx.zone === 'string') details.push(`zone ${ctx.zone}`);
  if (e.machine === 'memory_block' && typeof ctx.fake_offline_pages === 'number') details.push(`${ctx.fake_offline_pages} pages fake-offline`);
  if (e.machine === 'section' && ctx.memmap && typeof ctx.memmap === 'object') details.push(describePlacement(ctx.memmap as MemmapPlacement));
  const detail = details.join(', ');
  return { key: `${e.machine}|${e.event.type}|${e.from}|${e.to}|${detail}`, detail };
}

function transitionLine(g: TransitionGroup): string {
  const e = g.first;
  const suffix = g.detail ? ` (${g.detail})` : '';
  if (e.machine === 'hotplug') return `system: ${e.from} → ${e.to} [${e.event.type}]${suffix}`;
  const what = e.machine === 'memory_block' ? `memory${compressIds(g.ids)}` : `section ${compressIds(g.ids)}`;
  // a transition that keeps the state says which event it was (FAKE_OFFLINE, SET_ONLINE_TYPE, PIN)
  if (e.from === e.to) return `${what}: ${e.to} [${e.event.type}]${suffix}`;
  return `${what}: ${e.from} → ${e.to}${suffix}`;
}

interface Counters {
  node: number;
  zone: string | null;
  present: number;
  managed: number;
  memmap: number;
}

function accountLines(acc: Map<string, Counters>, pageSize: number): string[] {
  const lines: string[] = [];
  for (const c of acc.values()) {
    const parts: string[] = [];
    if (c.present) parts.push(`present ${pagesDelta(c.present, pageSize)}`);
    if (c.managed) parts.push(`managed ${pagesDelta(c.managed, pageSize)}`);
    if (c.memmap) parts.push(`memmap ${pagesDelta(c.memmap, pageSize)}`);
    if (parts.length === 0) continue;
    lines.push(`node ${c.node}${c.zone ? ` ${c.zone}` : ''}: ${parts.join(', ')} pages`);
  }
  return lines;
}

function addAccount(acc: Map<string, Counters>, e: AccountEvent): void {
  const key = `${e.node}|${e.zone ?? ''}`;
  let c = acc.get(key);
  if (!c) acc.set(key, (c = { node: e.node, zone: e.zone, present: 0, managed: 0, memmap: 0 }));
  c.present += e.presentPages ?? 0;
  c.managed += e.managedPages ?? 0;
  c.memmap += e.memmapPages ?? 0;
}

/**
 * Summarises one operation's events (the op event itself is skipped: it is the heading).
 *
 * Lines keep the events' order. Transitions (and vmemmap puts) of the same kind merge into the
 * line where the first of them appeared, but only while that line is still "open": a line of
 * another sort (a node coming online, an iomem request, a vmemmap mark/free, a fault…) closes
 * every open group, and an actor never joins a group printed before one of its own earlier
 * lines. So boot reads node 0's sections and blocks, then node 1's, and no line shows an actor
 * leaving a state before the line where it entered it.
 */
export function summariseChanges(events: readonly MemhpEvent[], pageSize: number): ChangeLine[] {
  const acc = new Map<string, Counters>();
  const order: Array<ChangeLine | TransitionGroup | PutGroup> = [];
  let open = new Map<string, { group: TransitionGroup | PutGroup; at: number }>();
  // Position in `order` of each actor's latest line.
  const lastLine = new Map<string, number>();
  const line = (l: ChangeLine) => {
    order.push(l);
    open = new Map();
  };
  for (const e of events) {
    switch (e.type) {
      case 'op':
        break;
      case 'transition': {
        const { key, detail } = transitionKey(e);
        const n = actorNumber(e.actor);
        const g = open.get(key);
        const mine = lastLine.get(e.actor);
        if (g && n !== null && 'ids' in g.group && (mine === undefined || mine <= g.at)) {
          g.group.ids.push(n);
          lastLine.set(e.actor, g.at);
        } else {
          const ng: TransitionGroup = { first: e, ids: n === null ? [] : [n], detail };
          open.set(key, { group: ng, at: order.length });
          lastLine.set(e.actor, order.length);
          order.push(ng);
        }
        break;
      }
      case 'account':
        addAccount(acc, e);
        break;
      case 'vmemmap': {
        const head = `head pfn ${hex(e.headPfn)}`;
        const secs = compressIds(e.sections);
        if (e.action === 'put') {
          const key = `put|${e.headPfn}`;
          const g = open.get(key)?.group;
          if (g && 'headPfn' in g) {
            g.sections.push(...e.sections);
            g.refcount = e.refcount;
          } else {
            const ng: PutGroup = { headPfn: e.headPfn, sections: [...e.sections], refcount: e.refcount };
            open.set(key, { group: ng, at: order.length });
            order.push(ng);
          }
        } else if (e.action === 'mark') line({ kind: 'info', text: `vmemmap mark: ${head}, ${e.nrPages} pages (${formatSize(e.nrPages * pageSize)}), refcount ${e.refcount}, serves sections ${secs}` });
        else if (e.action === 'free') line({ kind: 'info', text: `vmemmap free: ${head}, ${e.nrPages} pages released` });
        else {
          const where = e.removed ? ` lived in removed ${memRange(e.removed.start, e.removed.size)}` : ' lived in removed memory';
          line({ kind: 'fault', text: `vmemmap ORPHANED: ${head} (${e.nrPages} pages)${where}, but sections ${secs} still use it (refcount ${e.refcount})` });
        }
        break;
      }
      case 'node':
        line({ kind: 'info', text: `node ${e.node}: ${e.online ? 'online' : 'offline'}${e.boot ? ` (boot: memmap ${e.boot.memmapPages} pages, used ${e.boot.usedPages} pages)` : ''}` });
        break;
      case 'resource':
        line({ kind: 'info', text: `iomem: ${e.name ?? 'System RAM'} ${memRange(e.start, e.size)} ${e.action === 'request' ? 'requested' : 'released'}${e.flags.length ? ` (${e.flags.join('|')})` : ''}` });
        break;
      case 'group':
        line({ kind: 'info', text: `memory group ${e.id} ${e.action === 'register' ? 'registered' : 'unregistered'}: ${e.dynamic ? `dynamic, unit ${e.pages} pages` : `static, max ${e.pages} pages`}, node ${e.nid}, ${e.owner}` });
        break;
      case 'device':
        line({ kind: 'info', text: `device ${e.name}: ${e.action}${e.device?.requested !== undefined ? ` (requested ${formatSize(e.device.requested)}, plugged ${formatSize(e.device.plugged ?? 0)})` : ''}${e.device?.stuck ? ' — its memory stays until reboot' : ''}` });
        break;
      case 'fault':
        // The op heading already carries the kernel's message; say here what broke, where.
        line({ kind: 'fault', text: `FAULT: ${e.access} of memory${e.block} read the struct pages of section ${e.section} in removed ${memRange(e.removed.start, e.removed.size)}` });
        break;
      case 'knob':
        if (e.knob === 'agent') {
          const [agent, target] = e.key.split(' ');
          line({ kind: 'info', text: e.value === true ? `${agent}: reaction to ${target} queued` : `${agent} handles ${target}` });
        } else line({ kind: 'info', text: `${e.knob}: ${e.key} = ${String(e.value)}` });
        break;
      case 'warning':
        line({ kind: 'warning', text: `warning: ${e.message}` });
        break;
    }
  }
  const out: ChangeLine[] = order.map((item) => {
    if ('first' in item) return { kind: 'info', text: transitionLine(item) };
    if ('headPfn' in item) {
      const n = new Set(item.sections).size;
      return { kind: 'info', text: `vmemmap put: head pfn ${hex(item.headPfn)}, section${n === 1 ? '' : 's'} ${compressIds([...new Set(item.sections)])} gone → refcount ${item.refcount}` };
    }
    return item;
  });
  for (const text of accountLines(acc, pageSize)) out.push({ kind: 'info', text });
  return out;
}

/** Splits a log into operations: each op event with the events that follow it. */
export function splitByOp(events: readonly MemhpEvent[]): MemhpEvent[][] {
  const out: MemhpEvent[][] = [];
  for (const e of events) {
    if (e.type === 'op' || out.length === 0) out.push([e]);
    else out[out.length - 1]!.push(e);
  }
  return out;
}
