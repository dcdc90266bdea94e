/**
 * The timeline: a cursor over a log with checkpoints, stepping both ways,
 * breakpoints and watchpoints, lastWrite, diff, fork and bisect.
 * Path grammar: path.ts; predicate language: predicate.ts.
 */
export { Timeline, DEFAULT_CHECKPOINT_INTERVAL, type TimelineOptions, type StopResult, type Write } from './timeline.ts';
export {
  breakOnEvent,
  breakWhen,
  breakOnInvariant,
  watch,
  eventMatches,
  describeBreakpoint,
  type Breakpoint,
  type EventMatch,
  type Hit,
  type InvariantCheck,
} from './breakpoints.ts';
export { parsePath, formatPath, evaluateInView, PathError, type ParsedPath, type PathStep } from './path.ts';
export { evaluate, viewOf } from './resolve.ts';
export { parsePredicate, PredicateError, truthy, type Predicate } from './predicate.ts';
export { diffViews, diffWorlds, type WorldChange } from './diff.ts';
export { forkAt, type Fork, type ForkOptions } from './fork.ts';
export { bisect, type BisectResult } from './bisect.ts';
export { describeEvent, formatValue } from './format.ts';
