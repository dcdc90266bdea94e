/**
 * What an exported trace carries besides the page: the log's system and
 * events, as JSON, gzipped and base64'd into the HTML file
 * (`memhp inspect <log> --export trace.html`, src/inspector/trace/export.ts).
 * The page decompresses it with the browser's own DecompressionStream.
 */
import type { MemhpEvent } from '../../engine/events.ts';
import type { SystemSpec } from '../../kernel/types.ts';

export const TRACE_FORMAT = 'memhp-trace';
export const TRACE_VERSION = 1;

export interface TraceData {
  format: typeof TRACE_FORMAT;
  version: number;
  name: string;
  /** the log the trace was exported from (its name only: the file stays on the exporter's disk) */
  source: string;
  system: SystemSpec;
  events: MemhpEvent[];
}

/** The element ids the export writes and the page reads. */
export const TRACE_DATA_ID = 'memhp-trace-data';
