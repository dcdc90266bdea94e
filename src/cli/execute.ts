/**
 * Runs a scenario through the engine, optionally writing its log as it goes:
 * every operation's events are appended (and fsynced) before the next
 * operation starts, so a crash midway leaves a valid log of the ops done.
 */
import type { MemhpEvent } from '../engine/events.ts';
import { HotplugSystem } from '../engine/system.ts';
import type { OpEvents } from '../engine/tx.ts';
import { toView } from '../engine/to-view.ts';
import type { WorldView } from '../engine/view.ts';
import type { World } from '../engine/world.ts';
import type { Scenario } from '../kernel/ops.ts';
import { createLog, type LogWriter } from '../log/index.ts';
import { checkLogPath } from '../session/source.ts';
import { opRecord, type OpRecord } from './op-report.ts';

export interface ExecuteOptions {
  /** Write the log here (must not exist yet). */
  logPath?: string;
  actors?: 'live' | 'table';
  /** Keep every event for Execution.events (a small scenario shown afterwards); default: not kept. */
  keepEvents?: boolean;
  /** Called after each operation (boot included, index -1) once its events are durable. */
  onOp?: (index: number, events: readonly MemhpEvent[]) => void;
  /**
   * What onOp reads of each operation's events: 'all' (default), or 'ends' (the op event and
   * the last, all a record needs), so that a run with no log drops the rest as they are applied
   * (one 64 TiB add_memory is 3.1M events). With a log every event is kept for the writer.
   */
  opEvents?: OpEvents;
}

export interface Execution {
  records: OpRecord[];
  /** Events recorded (the last seq). */
  lastSeq: number;
  /** Every event, with keepEvents only: by default each went to onOp and to the log and was not kept. */
  events?: readonly MemhpEvent[];
  /** The final world; `--json` streams its view from here (src/engine/view-json.ts). */
  world: World;
  /** The final world's view, built on first use: a 64 TiB machine's is several times the world's size. */
  readonly view: WorldView;
}

/** A log path must be new and in an existing directory: checked before anything is printed or run. */
function openWriter(logPath: string, scenario: Scenario): LogWriter {
  checkLogPath(logPath);
  const { ops: _ops, ...spec } = scenario;
  return createLog(logPath, spec);
}

export function executeScenario(scenario: Scenario, opts: ExecuteOptions = {}): Execution {
  const { ops, ...spec } = scenario;
  const writer = opts.logPath ? openWriter(opts.logPath, scenario) : null;
  let sys: HotplugSystem | null = null;
  let bootEvents: readonly MemhpEvent[] = [];
  try {
    sys = new HotplugSystem(spec, {
      actors: opts.actors ?? 'live',
      // a whole machine's events would be held twice over; each op's go to onOp and the log
      retainEvents: opts.keepEvents === true,
      opEvents: writer || opts.keepEvents ? 'all' : (opts.opEvents ?? 'all'),
      onEvents: (events) => {
        if (sys === null) bootEvents = events;
        if (!writer) return;
        const written = writer.append(events.map(({ seq: _seq, ...rest }) => rest as never));
        // The log numbers events itself; it must agree with the engine or replay would lie.
        if (written.length && written[0]!.seq !== events[0]!.seq)
          throw new Error(`log ${writer.path}: the log numbered event ${events[0]!.seq} as ${written[0]!.seq}`);
      },
    });
    opts.onOp?.(-1, bootEvents);
    const records: OpRecord[] = [];
    ops.forEach((op, index) => {
      const r = sys!.apply(op);
      records.push(opRecord(index, r.events));
      opts.onOp?.(index, r.events);
    });
    const world = sys.world;
    let view: WorldView | undefined;
    return {
      records,
      lastSeq: sys.seq,
      world,
      get view() {
        return (view ??= toView(world));
      },
      ...(opts.keepEvents ? { events: sys.events } : {}),
    };
  } finally {
    sys?.stop();
    writer?.close();
  }
}
