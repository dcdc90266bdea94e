/**
 * A search thread (./workers.ts starts them): builds its own StateSpace from
 * the options it was given and runs its part of every level it is sent
 * (./level.ts). Invariants cross the thread boundary by name.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { invariantByName } from '../invariants/index.ts';
import type { Invariant } from '../types.ts';
import { LevelRunner, type SharedBuffers } from './level.ts';
import { StateSpace, type SpaceOptions } from './space.ts';

export interface WorkerInput {
  options: Omit<SpaceOptions, 'invariants'>;
  invariants: string[];
  buffers: SharedBuffers;
  me: number;
  maxStates: number;
  frontierStates: number;
}

export type WorkerRequest =
  /** expand the level [from, to); `resume`: again, after a pause; stop at `deadline` (performance.timeOrigin + now) */
  | { type: 'level'; from: number; to: number; resume: boolean; deadline: number }
  /** the visited sets grew (sent while the thread is paused, answered with nothing) */
  | ({ type: 'grow' } & Pick<SharedBuffers, 'seen' | 'plain'>);

// refused operations throw KernelError by the thousand; their stack traces are never read
Error.stackTraceLimit = 0;
const input = workerData as WorkerInput;
const space = new StateSpace({ ...input.options, invariants: input.invariants.map((n) => invariantByName(n) as Invariant) });
const runner = new LevelRunner(space, input.buffers, input.me, input.maxStates, input.frontierStates);
// loaded and built: the search's clock starts once every thread is here (./workers.ts)
parentPort!.postMessage({ ready: true });
parentPort!.on('message', (m: WorkerRequest) => {
  // The level runs in a microtask, not in the port's callback: in a callback from the event loop
  // every throw costs half as much again (0.77 against 0.51 µs in a micro-benchmark; V8 records
  // more about an exception thrown there), and the search throws for every refused operation.
  // That made a worker thread 0.73x as fast as the main thread (docs/explore.md "Worker threads").
  queueMicrotask(() => {
    if (m.type === 'grow') runner.useSets(m);
    else parentPort!.postMessage(runner.level(m.from, m.to, m.resume, m.deadline));
  });
});
