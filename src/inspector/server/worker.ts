/**
 * The inspector's backend in a worker thread (see worker-handler.ts): reads
 * the scenario or log named in workerData (a log indexed on disk, Timeline.openIndexed), then answers the page's messages
 * as the server in the main thread passes them on. Reading a million-event
 * log takes seconds of one thread; here it does not hold the page back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { backendFromLog, EngineBackend } from '../engine-backend.ts';
import { detectKind, loadSource } from '../../session/source.ts';
import { answer } from './handler.ts';
import { Rpc } from './rpc.ts';
import type { Push } from '../protocol.ts';

export type ToWorker = { id: number; raw: string } | { id: number; info: true } | { warm: true };
export type FromWorker =
  | { ready: true; warnings: readonly string[] }
  | { failed: string; input: boolean }
  | { id: number; text: string }
  | { push: string };

const port = parentPort!;
const { file } = workerData as { file: string };
// messages that arrive while the log is read wait in the port's queue: the first is answered once it is loaded
let rpc: Rpc;
let backend: EngineBackend;
try {
  let warnings: readonly string[];
  if (detectKind(file) === 'log') {
    // a log stays on disk but for its index and checkpoints: the events are parsed as the page asks for them
    backend = backendFromLog(file);
    warnings = backend.session.timeline.warnings;
  } else {
    const source = loadSource(file);
    backend = new EngineBackend({ name: source.spec.name, system: source.spec, events: source.events });
    warnings = source.warnings;
  }
  rpc = new Rpc(backend);
  backend.onAppend(() => port.postMessage({ push: JSON.stringify({ type: 'appended', info: backend.info() } satisfies Push) } satisfies FromWorker));
  port.postMessage({ ready: true, warnings } satisfies FromWorker);
} catch (e) {
  // the input's fault (a corrupt log, a bad scenario): the command exits as for invalid input
  const input = ['InputError', 'ScenarioError', 'LogFormatError', 'SizeError', 'GeometryError'].some((n) => (e as Error).name === n || (e as object).constructor?.name === n);
  port.postMessage({ failed: (e as Error).message, input } satisfies FromWorker);
}

port.on('message', (m: ToWorker) => {
  if (!rpc) return;
  if ('warm' in m) { try { rpc.warm(); } catch { /* a head start only */ } return; }
  if ('info' in m) { port.postMessage({ id: m.id, text: JSON.stringify(backend.info()) } satisfies FromWorker); return; }
  void answer(rpc, m.raw).then((text) => port.postMessage({ id: m.id, text } satisfies FromWorker));
});
