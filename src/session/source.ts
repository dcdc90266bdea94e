/**
 * The thing a command reads: a scenario file (run in memory to get its
 * events) or a recorded log. Both end as a SystemSpec plus events, so
 * `show`, `sysfs export`, `inspect` and a mount treat them alike.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MemhpEvent } from '../engine/events.ts';
import { HotplugSystem } from '../engine/system.ts';
import { readInputHead } from '../input/read-file.ts';
import { geometryOf, GeometryError } from '../kernel/geometry.ts';
import type { SystemSpec } from '../kernel/types.ts';
import type { Scenario } from '../kernel/ops.ts';
import { forEachEventInLog, LOG_FORMAT, readLog, type FrameResult, type LogHeader } from '../log/index.ts';
import { startBytesProgress } from '../input/progress.ts';
import { loadScenarioFile } from '../scenario/index.ts';
import { InputError } from '../input/errors.ts';

export type SourceKind = 'scenario' | 'log';

export interface Source {
  kind: SourceKind;
  path: string;
  spec: SystemSpec;
  events: readonly MemhpEvent[];
  /** Set for a scenario source. */
  scenario?: Scenario;
  /** Non-fatal notes from reading (a dropped torn tail of a log). */
  warnings: readonly string[];
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a scenario or log file',
  EACCES: 'permission denied',
};

function fileProblem(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return new InputError(`${path}: ${FILE_ERRORS[code] ?? `cannot read: ${(err as Error).message}`}`);
}

/** A log's first line is its header `{"format":"memhp-log",...}`; anything else is taken for a scenario. */
export function detectKind(path: string): SourceKind {
  let head: Buffer;
  try {
    // not a positional read of the file: a pipe cannot seek (src/input/read-file.ts)
    head = readInputHead(path, 256);
  } catch (err) {
    throw fileProblem(path, err);
  }
  const text = head.toString('utf8').trimStart();
  return text.startsWith(`{"format":"${LOG_FORMAT}"`) ? 'log' : 'scenario';
}

/**
 * For commands that read only logs (replay, step, bisect): a file that is missing, a directory,
 * or a scenario given instead (named as such, with the command that makes a log of it) rather
 * than reported as a corrupt log. Returns null for a file that starts like a log.
 */
export function notALog(path: string): string | null {
  let kind: SourceKind;
  try {
    kind = detectKind(path);
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  return kind === 'log' ? null : `${path}: is not a memhp log (its first line is no memhp-log header); to run a scenario use: memhp run ${path} --log out.jsonl`;
}

/** Geometry the simulator cannot lay out is a fault of the input file: say which file. */
export function checkGeometry(path: string, spec: SystemSpec): void {
  try {
    geometryOf(spec);
  } catch (err) {
    if (err instanceof GeometryError) throw new InputError(`${path}: ${err.message}`);
    throw err;
  }
}

export function loadScenario(path: string): Scenario {
  const scenario = loadScenarioFile(path);
  const { ops: _ops, ...spec } = scenario;
  checkGeometry(path, spec);
  return scenario;
}

/** Reads a whole log (with a progress bar on a terminal for a big one). */
export function loadLog(path: string): Source {
  let read: ReturnType<typeof readLog>;
  const progress = startBytesProgress('reading', path);
  try {
    read = readLog(path, { onProgress: progress });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw fileProblem(path, err);
    throw err;
  } finally {
    progress.stop();
  }
  checkGeometry(path, read.header.system);
  return { kind: 'log', path, spec: read.header.system, events: read.events, warnings: read.warnings };
}

/**
 * Reads a log without keeping its events: `onVerified` gets the header and
 * the last seq once the whole file is verified, then each event goes to
 * `onEvent` in order. Errors as loadLog.
 */
export function loadLogStreaming(
  path: string,
  onVerified: (found: { header: LogHeader; lastSeq: number; warnings: readonly string[] }) => void,
  onEvent: (e: MemhpEvent) => void,
  onProgress?: (done: number, total: number) => void,
): FrameResult {
  try {
    return forEachEventInLog(path, onEvent, {
      onVerified: (found) => {
        checkGeometry(path, found.header.system);
        onVerified(found);
      },
      ...(onProgress ? { onProgress } : {}),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw fileProblem(path, err);
    throw err;
  }
}

/** Runs a scenario in memory (decided through the machines' tables: nothing here is watched live). */
export function scenarioEvents(scenario: Scenario): MemhpEvent[] {
  const { ops, ...spec } = scenario;
  const sys = new HotplugSystem(spec, { actors: 'table' });
  for (const op of ops) sys.apply(op);
  return [...sys.events];
}

export function loadSource(path: string): Source {
  if (detectKind(path) === 'log') return loadLog(path);
  const scenario = loadScenario(path);
  const { ops: _ops, ...spec } = scenario;
  return { kind: 'scenario', path, spec, events: scenarioEvents(scenario), scenario, warnings: [] };
}

/** Parses a `--at`/`--to` step: a whole number of events, 0..lastSeq. */
export function parseStep(flag: string, value: string | undefined, lastSeq: number): number {
  if (value === undefined) return lastSeq;
  if (!/^\d+$/.test(value.trim())) throw new InputError(`${flag}: ${JSON.stringify(value)} is not a step (expected an event number 0..${lastSeq})`);
  const n = Number(value.trim());
  if (n > lastSeq) throw new InputError(`${flag}: ${n} is past the end (the last event is ${lastSeq})`);
  return n;
}

/** A new log may be written at `logPath`: it does not exist yet (memhp never overwrites a log) and its directory does. */
export function checkLogPath(logPath: string): void {
  if (existsSync(logPath)) throw new InputError(`--log ${logPath}: the file exists; memhp never overwrites a log (remove it or choose another name)`);
  if (!existsSync(dirname(resolve(logPath)))) throw new InputError(`--log ${logPath}: the directory ${dirname(logPath)} does not exist`);
}
