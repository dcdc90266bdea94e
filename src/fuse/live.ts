/**
 * The live system a mount serves: a live session (src/session; the same
 * one `--inspect` shows), continuing a log that every write is appended to
 * and fsynced before write(2) returns.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { MemhpEvent, OpEvent } from '../engine/events.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { writeLogFile } from '../log/index.ts';
import { Session } from '../session/session.ts';
import type { LiveSysfs } from './sysfs-fs.ts';

export interface LiveSource {
  kind: 'scenario' | 'log';
  path: string;
  spec: SystemSpec;
  events: readonly MemhpEvent[];
}

export interface Live extends LiveSysfs {
  session: Session;
  logPath: string;
  /** Last event of the world the mount started from. */
  startSeq: number;
  /** Operations appended since the mount started, with their results. */
  opsSince(seq: number): OpEvent[];
  close(): void;
}

/** Where the log goes when --log is not given: a scenario's beside the temp dir, a log's is the log itself. */
export function defaultLogPath(source: LiveSource): string {
  if (source.kind === 'log') return resolve(source.path);
  const stem = basename(source.path).replace(/\.(json|ya?ml)$/i, '').replace(/[^\w.-]+/g, '-');
  for (let i = 1; ; i++) {
    const p = join(tmpdir(), `memhp-${stem}-${process.pid}${i > 1 ? `-${i}` : ''}.jsonl`);
    if (!existsSync(p)) return p;
  }
}

/**
 * Opens the live system. A scenario's events (or a log copied to --log) are
 * written to a new log first; a log given without --log is continued in place.
 * The log's lock is taken here, so a second writer is refused at once.
 */
export function openLive(source: LiveSource, logPath: string): Live {
  const abs = resolve(logPath);
  if (!(source.kind === 'log' && abs === resolve(source.path))) {
    writeLogFile(abs, source.spec, source.events.map(({ seq: _seq, ...rest }) => rest as never), { createdAt: null });
  }
  const session = Session.fromEvents(source.spec, source.events, { logPath: abs });
  session.holdLog();
  const lastSeq = () => session.timeline.length;
  return {
    session,
    logPath: abs,
    startSeq: lastSeq(),
    world: () => session.timeline.worldAt(lastSeq()),
    write(path: string, value: string) {
      // decided, appended and fsynced, and in the timeline before apply() returns
      return { ret: session.apply({ op: 'write', path, value }, lastSeq()).ret };
    },
    onChange: (listener: () => void) => session.onAppend(listener),
    opsSince(seq: number): OpEvent[] {
      return session.timeline.events.slice(seq).filter((e): e is OpEvent => e.type === 'op');
    },
    close: () => session.close(),
  };
}
