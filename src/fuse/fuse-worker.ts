/**
 * The worker thread that serves the mount (FuseServer): it renders sysfs
 * from its copy of the world and asks the main thread, which owns the live
 * system and its log, to carry out writes.
 *
 * The main thread posts a new world whenever one is appended and then bumps
 * a shared counter; the worker looks at the counter before each request
 * (one atomic load) and only then drains its port and works out which paths
 * changed, so that the server can tell the kernel (sysfs-changes.ts). A
 * change that is not a write through the mount (the inspector's operations)
 * is followed by a lookup of a name that never exists, which wakes the
 * worker at once.
 *
 * A write is posted to the main thread and the worker sleeps on a shared
 * flag until the answer — the operation decided, fsynced and applied — is
 * there, so nothing is answered in between.
 */
import type { SysfsWorld } from '../engine/sysfs/view.ts';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { sysfsDir, sysfsIndex, sysfsLookup, type SysfsIndex } from '../sysfs/tree.ts';
import { changedPaths } from './sysfs-changes.ts';
import { FuseServer, type FuseTree } from './server.ts';
import { CTL_GENERATION, CTL_WRITTEN, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
const ctl = new Int32Array(init.control);

let current: SysfsIndex = sysfsIndex(init.view, init.options);
let pending: SysfsWorld | null = null;
let generation = Atomics.load(ctl, CTL_GENERATION);
let written: number | null = null;

function drain(): void {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const msg = m.message as ToWorker;
    if (msg.type === 'view') pending = msg.view;
    else written = msg.ret;
  }
}

const post = (msg: FromWorker) => port.postMessage(msg);

const tree: FuseTree = {
  refresh(known) {
    const g = Atomics.load(ctl, CTL_GENERATION);
    if (g !== generation) {
      generation = g;
      drain();
    }
    if (!pending) return null;
    const next = sysfsIndex(pending, init.options);
    pending = null;
    const changed = changedPaths(current, next, known);
    current = next;
    return changed;
  },
  lookup(path) {
    if (path === '') return { kind: 'dir', path: '' };
    return sysfsLookup(current, path);
  },
  list(path) {
    return sysfsDir(current, path);
  },
  write(path, value) {
    written = null;
    post({ type: 'write', path, value });
    while (written === null) {
      Atomics.wait(ctl, CTL_WRITTEN, 0);
      Atomics.store(ctl, CTL_WRITTEN, 0);
      drain();
    }
    generation = Atomics.load(ctl, CTL_GENERATION);
    return written;
  },
};

try {
  new FuseServer(init.fd, tree).serve(); // returns when the connection ends; the thread then exits
} catch (err) {
  post({ type: 'failed', message: (err as Error).stack ?? String(err) });
}
