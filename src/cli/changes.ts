/**
 * "What changed" under one operation: its events summarised for a kernel
 * reader. Runs of blocks or sections that did the same thing collapse into
 * one line (`memory64-71: absent → offline`), page counters are summed per
 * node and zone, and faults / orphaned vmemmaps are marked as such.
 */
import type { AccountEvent, MemhpEvent, MemmapPlacement, TransitionEvent } from '../engine/events.ts';
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

function transitionKey(e: TransitionEvent): { key: string; detail: string } {
  const details: string[] = [];
  const ctx = e.context;
  if (e.machine === 'memory_block' && typeof ctx.zone === 'string') details.push(`zone ${ctx.zone}`);
  if (e.machine === 'section' && ctx.memmap && typeof ctx.memmap === 'object') details.push(describePlacement(ctx.memmap as MemmapPlacement));
  const detail = details.join(', ');
  return { key: `${e.machine}|${e.event.type}|${e.from}|${e.to}|${detail}`, detail };
}

function transitionLine(g: TransitionGroup): string {
  const e = g.first;
  const suffix = g.detail ? ` (${g.detail})` : '';
  if (e.machine === 'hotplug') return `system: ${e.from} → ${e.to} [${e.event.type}]${suffix}`;
  const what = e.machine === 'memory_block' ? `memory${compressIds(g.ids)}` : `section ${compressIds(g.ids)}`;
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

/** Summarises one operation's events (the op event itself is skipped: it is the heading). */
export function summariseChanges(events: readonly MemhpEvent[], pageSize: number): ChangeLine[] {
  const out: ChangeLine[] = [];
  const groups = new Map<string, TransitionGroup>();
  const acc = new Map<string, Counters>();
  // Transitions collapse across the whole op, so keep their place: emit each group where it first appeared.
  const order: Array<ChangeLine | TransitionGroup> = [];
  for (const e of events) {
    switch (e.type) {
      case 'op':
        break;
      case 'transition': {
        const { key, detail } = transitionKey(e);
        const n = actorNumber(e.actor);
        const g = groups.get(key);
        if (g && n !== null) g.ids.push(n);
        else {
          const ng: TransitionGroup = { first: e, ids: n === null ? [] : [n], detail };
          groups.set(key, ng);
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
        if (e.action === 'mark') order.push({ kind: 'info', text: `vmemmap mark: ${head}, ${e.nrPages} pages (${formatSize(e.nrPages * pageSize)}), refcount ${e.refcount}, serves sections ${secs}` });
        else if (e.action === 'put') order.push({ kind: 'info', text: `vmemmap put: ${head}, section ${secs} gone → refcount ${e.refcount}` });
        else if (e.action === 'free') order.push({ kind: 'info', text: `vmemmap free: ${head}, ${e.nrPages} pages released` });
        else {
          const where = e.removed ? ` lived in removed ${memRange(e.removed.start, e.removed.size)}` : ' lived in removed memory';
          order.push({ kind: 'fault', text: `vmemmap ORPHANED: ${head} (${e.nrPages} pages)${where}, but sections ${secs} still use it (refcount ${e.refcount})` });
        }
        break;
      }
      case 'node':
        order.push({ kind: 'info', text: `node ${e.node}: ${e.online ? 'online' : 'offline'}${e.boot ? ` (boot: memmap ${e.boot.memmapPages} pages, used ${e.boot.usedPages} pages)` : ''}` });
        break;
      case 'resource':
        order.push({ kind: 'info', text: `iomem: System RAM ${memRange(e.start, e.size)} ${e.action === 'request' ? 'requested' : 'released'}${e.flags.length ? ` (${e.flags.join('|')})` : ''}` });
        break;
      case 'fault':
        // The op heading already carries the kernel's message; say here what broke, where.
        order.push({ kind: 'fault', text: `FAULT: ${e.access} of memory${e.block} read the struct pages of section ${e.section} in removed ${memRange(e.removed.start, e.removed.size)}` });
        break;
      case 'knob':
        order.push({ kind: 'info', text: `${e.knob}: ${e.key} = ${String(e.value)}` });
        break;
      case 'warning':
        order.push({ kind: 'warning', text: `warning: ${e.message}` });
        break;
    }
  }
  for (const item of order) out.push('first' in item ? { kind: 'info', text: transitionLine(item) } : item);
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
