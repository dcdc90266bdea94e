/**
 * A log's events as a reader sees them: a count, one by position, a range,
 * and all in order. An array is one; a log indexed on disk (src/log/indexed.ts)
 * is another, which parses only the events asked for.
 */
import type { MemhpEvent } from './events.ts';

export interface EventList extends Iterable<MemhpEvent> {
  readonly length: number;
  /** The event at position i (seq i + 1). */
  at(i: number): MemhpEvent | undefined;
  /** Positions [start, end) as an array of their own. */
  slice(start?: number, end?: number): MemhpEvent[];
}
