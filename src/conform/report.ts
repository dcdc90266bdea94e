/** The step-by-step text of a comparison (what `memhp conform` prints). */
import { formatOp } from '../engine/op-text.ts';
import type { TranscriptComparison } from './compare.ts';

export interface ReportStyle {
  ok(s: string): string;
  fault(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function formatComparison(c: TranscriptComparison, style: ReportStyle, maxDiffs = 12): string[] {
  const lines: string[] = [style.bold(`${c.id}: kernel ${c.kernel}, compared as memhp era ${c.era ?? '(none)'}`)];
  if (c.notComparable) return [...lines, style.warn(`  not comparable: ${c.notComparable}`)];
  for (const s of c.steps) {
    const head = `  step ${String(s.index).padStart(2)}  ${formatOp(s.op)}`;
    const res = s.result ? `kernel ${s.result.kernel}, memhp ${s.result.memhp}` : '';
    if (s.verdict === 'agree') lines.push(`${head}  ${style.ok('agree')} ${style.dim(`(${res}; ${s.fields} fields)`)}`);
    else if (s.verdict === 'not-comparable') lines.push(`${head}  ${style.dim(`not comparable: ${s.reason}`)}`);
    else if (s.verdict === 'history-dependent') {
      lines.push(`${head}  ${style.warn('history-dependent')} (${res})`, `      ${style.dim(s.reason ?? '')}`);
    } else {
      lines.push(`${head}  ${style.fault('DIVERGE')} (${res})`);
      if (s.result && s.result.kernel !== s.result.memhp) lines.push(`      result: kernel ${s.result.kernel}, memhp ${s.result.memhp}`);
      for (const d of s.diffs.slice(0, maxDiffs)) lines.push(`      ${d.key}: kernel ${JSON.stringify(d.kernel)}, memhp ${JSON.stringify(d.memhp)}`);
      if (s.diffs.length > maxDiffs) lines.push(`      … ${s.diffs.length - maxDiffs} more fields differ (--json lists them all)`);
    }
  }
  return lines;
}
