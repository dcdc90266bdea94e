/**
 * `memhp explore --coverage`: the breadth-first search through a CoveredSpace,
 * then the coverage report beside the usual result. One thread: coverage is
 * bookkeeping in this process, not in worker threads.
 */
import { limitsOf, resultOf, type ExploreOptions, type ExploreResult } from '../explore.ts';
import { INVARIANTS } from '../invariants/index.ts';
import { bfs } from '../mc/bfs.ts';
import { Coverage, type CoverageReport } from './collect.ts';
import { CoveredSpace } from './space.ts';

export function exploreWithCoverage(opts: ExploreOptions = {}): { result: ExploreResult; coverage: CoverageReport } {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // refused operations throw by the thousand; their stacks are never read
  try {
    const coverage = new Coverage(opts.invariants ?? INVARIANTS);
    const space = new CoveredSpace(opts, coverage);
    const result = resultOf(space, opts, bfs(space, limitsOf(opts), opts.onProgress, opts.progressEvery));
    return { result, coverage: coverage.report() };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}
