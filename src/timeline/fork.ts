/**
 * fork(n): go live again from a past step. A new log gets events 1..n, a
 * HotplugSystem is rehydrated from them (live XState actors driven through
 * the recorded transitions, so each actor is in the state the log says at
 * step n), and every later operation is appended to the new log. The log the
 * timeline was read from is never opened for writing.
 */
import type { MemhpEvent, UnsequencedEvent } from '../engine/events.ts';
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

export function forkAt(system: SystemSpec, history: readonly MemhpEvent[], newLogPath: string, opts: ForkOptions = {}): Fork {
  const { createdAt, onEvents, ...systemOptions } = opts;
  const log = createLog(newLogPath, system, createdAt === undefined ? {} : { createdAt });
  try {
    const recorded = log.append(history.map(unsequenced));
    const live = new HotplugSystem(system, {
      actors: 'live',
      ...systemOptions,
      history: recorded,
      onEvents: (events) => {
        const written = log.append(events.map(unsequenced));
        if (written.length > 0 && written[0]!.seq !== events[0]!.seq)
          throw new Error(`fork log ${newLogPath}: appended event ${written[0]!.seq}, the system numbered it ${events[0]!.seq}`);
        onEvents?.(events);
      },
    });
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
