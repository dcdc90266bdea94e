/**
 * fork(n): go live again from a past step. A new log gets events 1..n, a
 * HotplugSystem is rehydrated from them (live XState actors driven through
 * the recorded transitions, so each actor is in the state the log says at
 * step n), and every later operation is appended to the new log. The log the
 * timeline was read from is never opened for writing.
 */
import type { MemhpEvent, UnsequencedEvent } from '../engine/events.ts';
import type { EventList } from '../engine/event-list.ts';
import { HotplugSystem, type SystemOptions } from '../engine/system.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { createLog, type LogWriter } from '../log/index.ts';

export interface ForkOptions extends Omit<SystemOptions, 'history' | 'onEvents'> {
  /** Header createdAt of the new log; null leaves it out (reproducible files). */
  createdAt?: string | null;
  /** Called with each later operation's events after they are appended. */
  onEvents?: (events: readonly MemhpEvent[]) => void;
}

export interface Fork {
  /** The live system at step n; apply() appends to `log`. */
  readonly system: HotplugSystem;
  readonly log: LogWriter;
  /** Stops the live actors and closes the new log. */
  close(): void;
}

const unsequenced = (e: MemhpEvent): UnsequencedEvent => {
  const { seq: _seq, ...rest } = e;
  return rest as UnsequencedEvent;
};

/**
 * A live system continuing `history`: every later operation's events are
 * appended to the log `log()` names (when it names one; fsynced before
 * apply() returns) and then handed to `onEvents`. Forks and a session's
 * branches go live this way.
 */
export function continueLive(system: SystemSpec, history: EventList, log: () => LogWriter | null, opts: ForkOptions = {}): HotplugSystem {
  const { createdAt: _createdAt, onEvents, ...systemOptions } = opts;
  return new HotplugSystem(system, {
    actors: 'live',
    ...systemOptions,
    history,
    onEvents: (events) => {
      const writer = log();
      if (writer) {
        const written = writer.append(events.map(unsequenced));
        // The log numbers events itself; it must agree with the engine or replay would lie.
        if (written.length > 0 && written[0]!.seq !== events[0]!.seq)
          throw new Error(`log ${writer.path}: appended event ${written[0]!.seq}, the system numbered it ${events[0]!.seq}`);
      }
      onEvents?.(events);
    },
  });
}

/** A new log at `newLogPath` holding `history` (events 1..n of another), open for append; with the events as written. */
export function createForkLog(system: SystemSpec, history: readonly MemhpEvent[], newLogPath: string, createdAt?: string | null): { log: LogWriter; recorded: readonly MemhpEvent[] } {
  const log = createLog(newLogPath, system, createdAt === undefined ? {} : { createdAt });
  try {
    return { log, recorded: log.append(history.map(unsequenced)) };
  } catch (e) {
    log.close();
    throw e;
  }
}

export function forkAt(system: SystemSpec, history: readonly MemhpEvent[], newLogPath: string, opts: ForkOptions = {}): Fork {
  const { log, recorded } = createForkLog(system, history, newLogPath, opts.createdAt);
  try {
    const live = continueLive(system, recorded, () => log, opts);
    return {
      system: live,
      log,
      close() {
        live.stop();
        log.close();
      },
    };
  } catch (e) {
    log.close();
    throw e;
  }
}
