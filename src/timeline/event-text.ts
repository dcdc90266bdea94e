/**
 * How one log event reads in the inspector's timeline: actor, event,
 * from -> to. Shared by the page (rows) and the event matcher (match.ts), so
 * a filter on the actor column matches exactly what the user sees there.
 */
import type { DeviceRecord, MemhpEvent, OpEvent } from '../engine/events.ts';
import type { Op } from '../kernel/ops.ts';
import { formatOp } from '../engine/op-text.ts';

export interface EventRow {
  actor: string;
  event: string;
  from: string;
  to: string;
}

const hex = (n: number) => '0x' + n.toString(16);

/** `remove_memory start=8G size=128M`: the same wording as the CLI and the stepper. */
export function opText(op: Op): string {
  return formatOp(op);
}

/** The kernel's return value as a caller sees it: "0" or "-16 EBUSY". */
export function retText(e: Pick<OpEvent, 'ret' | 'errno'>): string {
  return e.ret === 0 ? '0' : `${e.ret}${e.errno ? ' ' + e.errno : ''}`;
}

/** `remove_memory start=8G size=128M → 0`: an operation and what it returned. */
export function opLine(e: Pick<OpEvent, 'op' | 'ret' | 'errno'>): string {
  return `${opText(e.op)} → ${retText(e)}`;
}

/** The actor column of an event's row: a transition's actor, `user` for an operation, `node0/Normal` for an account event… */
export function rowActor(e: MemhpEvent): string {
  switch (e.type) {
    case 'op': return 'user';
    case 'transition': return e.actor;
    case 'account': return e.zone ? `node${e.node}/${e.zone}` : `node${e.node}`;
    case 'vmemmap': return `vmemmap@${hex(e.headPfn)}`;
    case 'node': return `node${e.node}`;
    case 'resource': return 'iomem';
    case 'group': return `memory_group${e.id}`;
    case 'device': return e.name;
    case 'fault': return `memory${e.block}`;
    case 'knob': return 'knob';
    case 'warning': return 'kernel';
  }
}

export function eventRow(e: MemhpEvent): EventRow {
  const actor = rowActor(e);
  switch (e.type) {
    case 'op':
      return { actor, event: opText(e.op), from: '', to: retText(e) };
    case 'transition':
      return { actor, event: e.event.type, from: e.from, to: e.to };
    case 'account': {
      // counters are deltas (the world adds them)
      const d = (name: string, v: number | undefined) => (v === undefined || v === 0 ? '' : `${name}${v > 0 ? '+' : ''}${v}`);
      const parts = [d('present', e.presentPages), d('managed', e.managedPages), d('memmap', e.memmapPages)].filter(Boolean);
      return { actor, event: `account ${e.reason}`, from: '', to: parts.join(' ') };
    }
    case 'vmemmap':
      return { actor, event: `vmemmap ${e.action}`, from: '', to: `refcount=${e.refcount} pages=${e.nrPages}` };
    case 'node':
      return { actor, event: e.online ? 'node online' : 'node offline', from: e.online ? 'offline' : 'online', to: e.online ? 'online' : 'offline' };
    case 'resource':
      return { actor, event: `resource ${e.action}`, from: '', to: `[${hex(e.start)}-${hex(e.start + e.size - 1)}]${e.name ? ` ${e.name}` : ''}` };
    case 'group':
      return { actor, event: `group ${e.action}`, from: '', to: `${e.dynamic ? 'dynamic unit_pages' : 'static max_pages'}=${e.pages} node${e.nid} (${e.owner})` };
    case 'device':
      return { actor, event: `device ${e.action}`, from: '', to: e.device ? deviceText(e.device) : '' };
    case 'fault':
      return { actor, event: `FAULT ${e.kind}`, from: e.access, to: `section${e.section}` };
    case 'knob':
      return { actor, event: `${e.knob} ${e.key}`, from: '', to: String(e.value) };
    case 'warning':
      return { actor, event: 'WARN', from: '', to: e.message };
  }
}

function deviceText(d: DeviceRecord): string {
  const sizes = d.requested !== undefined ? ` requested=${hex(d.requested)} plugged=${hex(d.plugged ?? 0)}` : '';
  return `${d.driver} node${d.nid} [${hex(d.start)}-${hex(d.start + d.size - 1)}]${d.group === null ? '' : ` group ${d.group}`}${sizes}${d.stuck ? ' stuck' : ''}`;
}
