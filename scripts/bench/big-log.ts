/**
 * The inspector's big log (scripts/workload.ts, bigLogWorkload) in both
 * forms, once each: `bigLog` is the log as first measured (its cycle's
 * onlining returns -EINVAL: auto_online_blocks already onlined each block),
 * `bigLogChurn` the churning one (every cycle really onlines and offlines 8
 * blocks). Per form: what the operations did (so a reader sees the churn),
 * the log's size, opening it (Timeline.open) and replaying it (evolveAll).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { evolveAll } from '../../src/engine/evolve.ts';
import { emptyWorld } from '../../src/engine/world.ts';
import type { MemhpEvent } from '../../src/engine/events.ts';
import { writeLogFile } from '../../src/log/index.ts';
import { Timeline } from '../../src/timeline/index.ts';
import { bigLogWorkload } from '../workload.ts';

export interface BigLogFigure {
  events: number;
  ops: number;
  /** `state online*` writes that onlined a block / that failed */
  onlined: number;
  onlineFailed: number;
  /** `state offline` writes that offlined a block / that failed */
  offlined: number;
  offlineFailed: number;
  generateMs: number;
  logBytesPerEvent: number;
  openMs: number;
  replayEventsPerSec: number;
}

function measure(target: number, churn: boolean, dir: string): BigLogFigure {
  let t = performance.now();
  const wl = bigLogWorkload(target, { churn });
  const generateMs = performance.now() - t;
  const f = { onlined: 0, onlineFailed: 0, offlined: 0, offlineFailed: 0 };
  for (const e of wl.events) {
    if (e.type !== 'op' || e.op.op !== 'state') continue;
    if (e.op.value === 'offline') e.ret === 0 ? f.offlined++ : f.offlineFailed++;
    else e.ret === 0 ? f.onlined++ : f.onlineFailed++;
  }
  const path = join(dir, `big-log${churn ? '-churn' : ''}.jsonl`);
  writeLogFile(path, wl.system, wl.events.map(({ seq: _seq, ...rest }) => rest as never), { createdAt: null });
  const bytes = statSync(path).size;
  const events = wl.events.length;
  wl.events.length = 0; // the timeline holds its own copy from here
  t = performance.now();
  const timeline = Timeline.open(path);
  const openMs = performance.now() - t;
  t = performance.now();
  evolveAll(emptyWorld(wl.system), timeline.events as MemhpEvent[]);
  const replayMs = performance.now() - t;
  return {
    events,
    ops: wl.ops,
    ...f,
    generateMs: Math.round(generateMs),
    logBytesPerEvent: +(bytes / events).toFixed(1),
    openMs: Math.round(openMs),
    replayEventsPerSec: Math.round((events / replayMs) * 1000),
  };
}

/** Both forms of the big log, `target` events each. */
export function measureBigLogs(target: number, dir: string, say: (s: string) => void): { bigLog: BigLogFigure; bigLogChurn: BigLogFigure } {
  say('inspector big log…');
  const bigLog = measure(target, false, dir);
  say('inspector big log, churning…');
  const bigLogChurn = measure(target, true, dir);
  return { bigLog, bigLogChurn };
}
