/**
 * How one log event reads in the timeline: actor, event, from -> to. Shared
 * by the page (rows) and backends (server-side filtering), so a filter on
 * "actor" matches exactly what the user sees in that column.
 */
import type { MemhpEvent } from '../engine/events.ts';
import type { Op } from '../kernel/types.ts';
import type { EventFilter } from './backend.ts';

export interface EventRow {
  actor: string;
  event: string;
  from: string;
  to: string;
}

const hex = (n: number) => '0x' + n.toString(16);

export function opText(op: Op): string {
  const args = Object.entries(op)
    .filter(([k]) => k !== 'op')
    .map(([k, v]) => `${k}=${(k === 'start' || k === 'size' || k === 'addr') && typeof v === 'number' ? hex(v) : Array.isArray(v) ? v.join('|') : String(v)}`);
  return [op.op, ...args].join(' ');
}

export function eventRow(e: MemhpEvent): EventRow {
  switch (e.type) {
    case 'op':
      return { actor: 'user', event: opText(e.op), from: '', to: e.ret === 0 ? 'ok' : `${e.ret} ${e.errno ?? ''}`.trim() };
    case 'transition':
      return { actor: e.actor, event: e.event.type, from: e.from, to: e.to };
    case 'account': {
      // counters are deltas (the world adds them)
      const d = (name: string, v: number | undefined) => (v === undefined || v === 0 ? '' : `${name}${v > 0 ? '+' : ''}${v}`);
      const parts = [d('present', e.presentPages), d('managed', e.managedPages), d('memmap', e.memmapPages)].filter(Boolean);
      return { actor: e.zone ? `node${e.node}/${e.zone}` : `node${e.node}`, event: `account ${e.reason}`, from: '', to: parts.join(' ') };
    }
    case 'vmemmap':
      return { actor: `vmemmap@${hex(e.headPfn)}`, event: `vmemmap ${e.action}`, from: '', to: `refcount=${e.refcount} pages=${e.nrPages}` };
    case 'node':
      return { actor: `node${e.node}`, event: e.online ? 'node online' : 'node offline', from: e.online ? 'offline' : 'online', to: e.online ? 'online' : 'offline' };
    case 'resource':
      return { actor: 'iomem', event: `resource ${e.action}`, from: '', to: `[${hex(e.start)}-${hex(e.start + e.size - 1)}]` };
    case 'fault':
      return { actor: `memory${e.block}`, event: `FAULT ${e.kind}`, from: e.access, to: `section${e.section}` };
    case 'knob':
      return { actor: 'knob', event: `${e.knob} ${e.key}`, from: '', to: String(e.value) };
    case 'warning':
      return { actor: 'kernel', event: 'WARN', from: '', to: e.message };
  }
}

/** True when the event passes every field of the filter (the timeline's filter semantics). */
export function eventMatches(e: MemhpEvent, f: EventFilter): boolean {
  if (f.type && e.type !== f.type) return false;
  if (f.actor && eventRow(e).actor !== f.actor) return false;
  if (f.text) {
    const needle = f.text.toLowerCase();
    const row = eventRow(e);
    const hay = `${row.actor} ${row.event} ${row.from} ${row.to} ${JSON.stringify(e)}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}
