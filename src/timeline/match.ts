/**
 * The one event matcher: which log events a breakpoint stops at, the
 * stepper's `break F=V`, and the inspector's timeline filter and its
 * breakpoints. Every given field must match.
 */
import type { MachineKind } from '../../machines/index.ts';
import type { EventType, MemhpEvent } from '../engine/events.ts';
import type { OpName } from '../kernel/ops.ts';
import { eventRow } from './event-text.ts';

export interface EventMatch {
  /** the event's sequence number (a breakpoint on one step) */
  seq?: number;
  /** event type in the log: op, transition, account, vmemmap, node, resource, fault, knob, warning */
  type?: EventType;
  /** actor id of a transition: memory65, section520, hotplug */
  actor?: string;
  /**
   * The actor column as the inspector's timeline shows it: a transition's
   * actor, `user` for an operation, `memory65` for a fault on block 65,
   * `node0/Normal` for an account event (event-text.ts).
   */
  shownActor?: string;
  machine?: MachineKind;
  /** the machine event of a transition (ONLINE, OFFLINE, ADD...) */
  event?: string;
  /** source / target state of a transition */
  from?: string;
  to?: string;
  /** operation name of an op event */
  op?: OpName;
  /** errno name of a failed op (EBUSY...) */
  errno?: string;
  /** case-insensitive substring of the event's row text or its JSON */
  text?: string;
}

export function eventMatches(e: MemhpEvent, m: EventMatch): boolean {
  if (m.seq !== undefined && e.seq !== m.seq) return false;
  if (m.type !== undefined && e.type !== m.type) return false;
  const t = e.type === 'transition' ? e : undefined;
  if (m.actor !== undefined && t?.actor !== m.actor) return false;
  if (m.machine !== undefined && t?.machine !== m.machine) return false;
  if (m.event !== undefined && t?.event.type !== m.event) return false;
  if (m.from !== undefined && t?.from !== m.from) return false;
  if (m.to !== undefined && t?.to !== m.to) return false;
  const o = e.type === 'op' ? e : undefined;
  if (m.op !== undefined && o?.op.op !== m.op) return false;
  if (m.errno !== undefined && o?.errno !== m.errno) return false;
  if (m.shownActor !== undefined || m.text !== undefined) {
    const row = eventRow(e);
    if (m.shownActor !== undefined && row.actor !== m.shownActor) return false;
    if (m.text !== undefined) {
      // the event's facts, not the reasons recorded with them (`why`, an op's `site`): a search for
      // "online_movable" finds the write, not every block whose zone chain mentions its type
      const facts = e.type === 'transition' && e.why ? { ...e, why: undefined } : e.type === 'op' && e.site ? { ...e, site: undefined } : e;
      const hay = `${row.actor} ${row.event} ${row.from} ${row.to} ${JSON.stringify(facts)}`.toLowerCase();
      if (!hay.includes(m.text.toLowerCase())) return false;
    }
  }
  return true;
}
