/**
 * Turning a sequence of operations (a shortest counterexample, a shrunk
 * fast-check failure) into a real log file that `memhp inspect` and
 * `memhp step` open, and into sentences a reviewer can read.
 */
import { formatOp } from '../engine/op-text.ts';
import { formatSize as size } from '../input/size.ts';
import { HotplugSystem } from '../engine/system.ts';
import type { MemhpEvent, UnsequencedEvent } from '../engine/events.ts';
import { geometryOf } from '../kernel/geometry.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { opDeclaration, type Op } from '../kernel/ops.ts';
import { writeLogFile } from '../log/index.ts';
import { hex } from './walk.ts';

/** Runs the operations on a fresh system and returns its whole log (boot first). */
export function eventsOf(spec: SystemSpec, ops: readonly Op[]): readonly MemhpEvent[] {
  const sys = new HotplugSystem(spec, { actors: 'table' });
  for (const op of ops) sys.apply(op);
  return sys.events;
}

/** Writes the log of running `ops` on `spec` to `file` (replacing it); returns the events written. */
export function writeCounterexampleLog(file: string, spec: SystemSpec, ops: readonly Op[]): readonly MemhpEvent[] {
  const events = eventsOf(spec, ops);
  const unsequenced = events.map(({ seq: _seq, ...rest }) => rest as UnsequencedEvent);
  writeLogFile(file, spec, unsequenced, { createdAt: null });
  return events;
}

function blocksText(spec: SystemSpec, start: number, bytes: number): string {
  const bs = geometryOf(spec).blockSize;
  const first = start / bs;
  const last = (start + bytes) / bs - 1;
  return first === last ? `memory${first}` : `memory${first}-${last}`;
}

/** One line per operation, naming blocks, and saying when a remove takes part of an earlier add (the reviewer's question). */
export function describeOps(spec: SystemSpec, ops: readonly Op[]): string[] {
  const bs = geometryOf(spec).blockSize;
  const adds: { step: number; start: number; size: number; flags: string[] }[] = [];
  return ops.map((op, i) => {
    const step = i + 1;
    switch (op.op) {
      case 'add_memory': {
        adds.push({ step, start: op.start, size: op.size, flags: op.flags });
        const flags = op.flags.length ? ` with ${op.flags.join('|')}` : '';
        return `${step}. add_memory(node ${op.node}, ${hex(op.start)}, ${size(op.size)})${flags}: ${blocksText(spec, op.start, op.size)}`;
      }
      case 'remove_memory':
      case 'offline_and_remove_memory': {
        let text = `${step}. ${op.op}(${hex(op.start)}, ${size(op.size)}): ${blocksText(spec, op.start, op.size)}`;
        const from = [...adds].reverse().find((a) => op.start >= a.start && op.start + op.size <= a.start + a.size);
        if (from && op.size < from.size) {
          const n = from.size / bs;
          const which = op.start === from.start ? 'the first block' : op.start + op.size === from.start + from.size ? 'the last block' : 'a middle block';
          const what = op.size === bs ? which : `part (${op.size / bs} blocks)`;
          const kind = from.flags.length ? `${from.flags.join('|').replace(/^MHP_MEMMAP_/, '')} ` : '';
          text += ` — removes ${what} of the ${n}-block ${kind}range added in step ${from.step}`;
        }
        return text;
      }
      case 'state':
        return `${step}. echo ${op.value} > memory${op.block}/state`;
      case 'online':
        return `${step}. echo ${op.value ? 1 : 0} > memory${op.block}/online`;
      case 'touch':
        return `${step}. touch memory${op.block} (the kernel reads its struct pages)`;
      default: {
        // an operation over a physical range (its declaration has start and size) names its blocks
        const fields = opDeclaration(op.op).fields;
        const range = fields.start?.kind === 'size' && fields.size?.kind === 'size' ? (op as { start: number; size: number }) : null;
        return `${step}. ${formatOp(op)}${range ? `: ${blocksText(spec, range.start, range.size)}` : ''}`;
      }
    }
  });
}
