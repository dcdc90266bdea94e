/**
 * One operation's line in `run`/`replay` output and its entry in --json:
 *   [4] remove_memory start=8G size=128M → 0   (events 296-301)
 *       memory64: offline → removed
 *       vmemmap ORPHANED: …
 */
import type { MemhpEvent, OpEvent } from '../engine/events.ts';
import type { Op, OpName } from '../kernel/ops.ts';
import { summariseChanges } from './changes.ts';
import { formatOp, formatResult } from './describe-op.ts';
import type { Style } from './style.ts';

/** An operation's entry in the JSON contract: `{ "op": "add_memory", "ret": 0, "errno": null, … }`. */
export interface OpRecord {
  op: OpName;
  ret: number;
  errno: string | null;
  message?: string;
  /** The op's position among the scenario's (or log's) operations, boot not counted: ops[index]. */
  index: number;
  /** The op event's sequence number: `show --at <seq-1>` is the world just before it. */
  seq: number;
  /** The op's last event: `show --at <lastSeq>` is the world just after it. */
  lastSeq: number;
  /** The operation's parameters, sizes in bytes. */
  args: Omit<Op, 'op'>;
}

/** `events` are the op's events, its op event first. */
export function opRecord(index: number, events: readonly MemhpEvent[]): OpRecord {
  const e = events[0] as OpEvent;
  const { op, ...args } = e.op;
  return { op, ret: e.ret, errno: e.errno, ...(e.message ? { message: e.message } : {}), index, seq: e.seq, lastSeq: events.at(-1)!.seq, args: args as Omit<Op, 'op'> };
}

/**
 * `lastSeq` is the op's last event: the heading names the op's events (`events 296-301`), so that
 * `show --at 301` is the world after it and `--at 295` the world before.
 */
export function formatOpHeading(label: string, e: OpEvent, style: Style, lastSeq = e.seq): string {
  const result = formatResult(e.ret, e.errno, e.message);
  const shown = e.ret === 0 ? result : style.warn(result);
  const where = lastSeq > e.seq ? `events ${e.seq}-${lastSeq}` : `event ${e.seq}`;
  return `[${label}] ${formatOp(e.op)} → ${shown}  ${style.dim(`(${where})`)}`;
}

/** The heading and indented change lines of one op's events (events[0] is its op event). */
export function formatOpBlock(label: string, events: readonly MemhpEvent[], pageSize: number, style: Style): string[] {
  const e = events[0] as OpEvent;
  const lines = [formatOpHeading(label, e, style, events.at(-1)!.seq)];
  for (const c of summariseChanges(events, pageSize)) {
    const text = `    ${c.text}`;
    lines.push(c.kind === 'fault' ? style.fault(text) : c.kind === 'warning' ? style.warn(text) : text);
  }
  // A warning the kernel printed with a successful op (pr_warn) has no other place.
  if (e.ret === 0 && e.message) lines.push(style.warn(`    kernel: ${e.message}`));
  return lines;
}
