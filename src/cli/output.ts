/** Writing results: one JSON object for --json, lines of text otherwise; notes go to stderr. */
import type { WorldView } from '../engine/view.ts';
import { writeJson } from '../engine/view-json.ts';
import { StrictError } from './errors.ts';
import { formatResult } from './describe-op.ts';
import type { OpRecord } from './op-report.ts';

/** `JSON.stringify(value, null, 2)` and a newline, written as it is produced (a streamed world view is never whole). */
export function printJson(value: unknown): void {
  writeJson(value, (s) => process.stdout.write(s));
  process.stdout.write('\n');
}

export function printLines(lines: readonly string[]): void {
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`memhp: warning: ${message}\n`);
}

/** One line: how many ops ran, failed, faulted. */
export function outcomeLine(records: readonly OpRecord[], view: WorldView): string {
  const failed = records.filter((r) => r.ret !== 0);
  const parts = [`${records.length} operation${records.length === 1 ? '' : 's'}`, `${records.length - failed.length} returned 0`];
  if (failed.length) parts.push(`${failed.length} returned an error (${[...new Set(failed.map((r) => `-${r.errno}`))].join(', ')})`);
  parts.push(`${view.faults.length} fault${view.faults.length === 1 ? '' : 's'}`);
  parts.push(view.tainted ? `kernel TAINTED${view.taintFlags ? ` ${view.taintFlags}` : ''}` : 'kernel not tainted');
  return parts.join(', ');
}

/** --strict: a kernel error fails the command (exit 1) once everything is printed. */
export function enforceStrict(records: readonly OpRecord[]): void {
  const failed = records.filter((r) => r.ret !== 0);
  if (failed.length === 0) return;
  const list = failed.slice(0, 5).map((r) => `ops[${r.index}] ${r.op} → ${formatResult(r.ret, r.errno)}`);
  if (failed.length > 5) list.push(`… ${failed.length - 5} more`);
  throw new StrictError(`--strict: ${failed.length} operation${failed.length === 1 ? '' : 's'} returned a kernel error: ${list.join('; ')}`);
}
