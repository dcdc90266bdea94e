/**
 * The account `memhp start` tells: the machine, each operation with what
 * changed, the world afterwards, and "in short" — the failures, orphaned
 * memmaps, faults and taint that answer the scenario's question.
 */
import type { MemhpEvent } from '../engine/events.ts';
import type { WorldView } from '../engine/view.ts';
import type { Scenario } from '../kernel/ops.ts';
import { formatSize } from '../scenario/index.ts';
import { formatOp, formatResult } from './describe-op.ts';
import type { OpRecord } from './op-report.ts';
import type { Style } from './style.ts';
import { compressIds, hex, memRange } from './table.ts';

export function machineLines(s: Scenario, blockSize: number): string[] {
  const boot = s.boot.map((b) => `node ${b.node} ${formatSize(b.size)}${b.used ? ` (${formatSize(b.used)} used)` : ''}`).join(', ');
  const params = `memmap_on_memory=${s.params.memmap_on_memory}, auto_online_blocks=${s.params.auto_online_blocks}${s.params.v2_remove_guard ? ', v2_remove_guard on' : ''}${s.params.movable_node ? ', movable_node' : ''}`;
  return [`The machine: ${s.arch}, kernel ${s.kernel}, ${s.machine.sparsemem === 'classic' ? 'classic SPARSEMEM' : 'SPARSEMEM_VMEMMAP'}, memory blocks of ${formatSize(blockSize)}.`, `Boot memory: ${boot}. Parameters: ${params}.`];
}

/** The few facts that answer the scenario's question, in the order they happened. */
export function inShort(records: readonly OpRecord[], events: readonly MemhpEvent[], view: WorldView, style: Style): string[] {
  const lines: string[] = [];
  const opAt = new Map(records.map((r) => [r.seq, r]));
  let current: OpRecord | undefined;
  const label = (r: OpRecord | undefined) => (r ? `ops[${r.index}] ${formatOp({ op: r.op, ...r.args } as never)}` : 'boot');
  for (const e of events) {
    if (e.type === 'op') {
      current = opAt.get(e.seq);
      if (current && current.ret !== 0) lines.push(style.warn(`- ${label(current)} → ${formatResult(current.ret, current.errno, current.message)}.`));
    } else if (e.type === 'vmemmap' && e.action === 'orphan') {
      const where = e.removed ? memRange(e.removed.start, e.removed.size) : 'removed memory';
      lines.push(style.fault(`- ${label(current)} returned 0, but it removed ${where}, which held the struct pages (vmemmap head pfn ${hex(e.headPfn)}) of sections ${compressIds(e.sections)} that are still present.`));
    } else if (e.type === 'fault') {
      // Usually the failed op above already quoted the oops; say it once.
      if (current?.message === e.message) continue;
      lines.push(style.fault(`- ${label(current)}: ${e.message}`));
    } else if (e.type === 'warning') {
      lines.push(style.warn(`- ${label(current)}: the kernel warned "${e.message}".`));
    }
  }
  if (lines.length === 0) lines.push('- Every operation returned 0; no memmap was lost and nothing faulted.');
  const why = view.taintFlags === 'W' ? 'a WARN fired' : view.taintFlags === 'DW' ? 'an oops happened and a WARN fired' : 'an oops happened';
  lines.push(view.tainted ? style.fault(`- The kernel is tainted (${why}).`) : '- The kernel is not tainted.');
  return lines;
}
