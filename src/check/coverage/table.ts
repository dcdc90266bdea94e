/**
 * The coverage report as text: per section a line with reached/total, then
 * the items reached with their counts and, most useful, those never reached.
 */
import type { CoverageReport, CoverageSection, CoverageSectionName } from './collect.ts';

const TITLES: Record<CoverageSectionName, string> = {
  operations: 'operations',
  errnos: 'errnos returned',
  kernelPaths: 'kernel paths (BUG, WARN, oops)',
  errorReturns: 'error returns (by refusing function, else operation, errno and check)',
  transitions: 'machine transitions (state × event)',
  invariants: 'invariants (checked where they constrain something)',
};

export const SECTION_ORDER: readonly CoverageSectionName[] = ['operations', 'errnos', 'kernelPaths', 'errorReturns', 'transitions', 'invariants'];

function sectionLines(title: string, s: CoverageSection, verbose: boolean): string[] {
  const head = s.total === null ? `${title}: ${s.reached.length} distinct` : `${title}: ${s.reached.length} of ${s.total} reached`;
  const lines = [head];
  const width = Math.max(0, ...s.reached.map((i) => i.key.length));
  if (verbose || s.total === null) for (const i of s.reached) lines.push(`  ${i.key.padEnd(width)}  ${String(i.count).padStart(8)}${i.detail ? `  (${i.detail})` : ''}`);
  for (const k of s.never) lines.push(`  never: ${k}`);
  for (const k of s.undeclared) lines.push(`  reached but not declared: ${k}`);
  return lines;
}

/** The table `memhp explore --coverage` prints; `verbose` lists the reached items of every section too. */
export function coverageLines(r: CoverageReport, verbose = true): string[] {
  const out = ['COVERAGE'];
  for (const name of SECTION_ORDER) out.push(...sectionLines(TITLES[name], r[name], verbose));
  return out;
}
