/**
 * `--workers N`: the breadth-first search on N threads — this one and N−1
 * worker threads — over one shared visited set and trail (./level.ts). This
 * thread puts the initial state in, sends every worker each level's id range,
 * expands its own part of the level, and waits for all of them before the
 * next level, so the search stays level by level and a counterexample is
 * a shortest one. Which shortest one may differ from run to run (the threads
 * race within a level); its length does not.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { invariantByName } from '../invariants/index.ts';
import type { Bound, Found, Progress, SearchLimits, SearchOutcome } from './bfs.ts';
import type { Fp } from './fingerprint.ts';
import { SharedFpSet } from './fpset.ts';
import { CTRL, LevelRunner, seenBound, sharedBuffers, STOP_FOUND, STOP_STATES, STOP_TIME, type LevelResult } from './level.ts';
import type { SpaceOptions, StateSpace } from './space.ts';
import { NO_PARENT, Trail } from './trail.ts';
import type { WorkerInput, WorkerRequest } from './worker.ts';

/** Milliseconds this thread searches before it lets its event loop turn (see myLevel). */
const SLICE_MS = 50;

/** Can these options cross to a worker thread? Only invariants from the named set can (by name). */
export function workersPossible(options: SpaceOptions): boolean {
  return (options.invariants ?? []).every((i) => invariantByName(i.name) === i);
}

function spawn(input: WorkerInput): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData: input });
  // From source (tsx, vitest) the thread needs the TypeScript loader, and Node 20 does not hand
  // the main thread's loader hooks to a worker: the thread registers tsx's itself, then loads.
  // (The package runs compiled JavaScript and takes the line above.)
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!.import.default;
  const tsx = pathToFileURL(join(dirname(pkg), api)).href;
  const file = new URL('./worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); });`, { eval: true, workerData: input });
}

export async function parallelBfs(
  space: StateSpace,
  options: SpaceOptions,
  limits: SearchLimits,
  workers: number,
  onProgress?: (p: Progress) => void,
): Promise<SearchOutcome> {
  // the search's clock (elapsedMs, the time bound) starts once every thread has loaded and built its
  // state space, as one thread's starts after its state space is built (./bfs.ts): set below
  let t0 = performance.now();
  // the trail holds exactly the state bound: a thread that finds it full stops the search there
  const buffers = sharedBuffers(limits.maxStates, space.symmetry !== null, workers * space.ops.length);
  let seen = new SharedFpSet(buffers.seen);
  let plainSet = buffers.plain ? new SharedFpSet(buffers.plain) : null;
  const trail = Trail.shared(buffers.trail);
  const ctrl = new Int32Array(buffers.ctrl);
  const fp: Fp = { hi: 0, lo: 0 };
  space.fingerprint(space.initial(), fp);
  seen.add(fp.hi, fp.lo);
  plainSet?.add(space.plainFingerprint.hi, space.plainFingerprint.lo);
  trail.push(NO_PARENT, 0);
  new Uint8Array(buffers.owner)[0] = 1;
  /** Both sets twice as large (up to their bounds), before the paused threads go on. */
  const grow = () => {
    seen = seen.grown(Math.min(seenBound(limits.maxStates, false), 2 * seen.capacity));
    plainSet = plainSet && plainSet.grown(Math.min(seenBound(limits.maxStates, true), 2 * plainSet.capacity));
    for (const t of threads) t.postMessage({ type: 'grow', seen: seen.buffers, plain: plainSet && plainSet.buffers } satisfies WorkerRequest);
    mine.useSets({ seen: seen.buffers, plain: plainSet && plainSet.buffers });
    Atomics.store(ctrl, CTRL.grow, 0);
  };
  const outcome = (o: Partial<SearchOutcome>): SearchOutcome => ({
    statesExplored: Math.min(trail.size, trail.parents.length),
    transitions: 0,
    generated: 1,
    folded: 0,
    depthReached: 0,
    exhausted: false,
    bound: null,
    found: null,
    elapsedMs: performance.now() - t0,
    trail,
    rebuilt: 0,
    seenBytes: seen.bytes,
    seenStates: seen.size,
    ...o,
  });
  const rootViolation = space.checkInitial();
  if (rootViolation) return outcome({ found: { id: 0, violation: rootViolation } });

  const { invariants: _byName, ...rest } = options;
  const plain = JSON.parse(JSON.stringify(rest)) as WorkerInput['options'];
  const frontierStates = Math.ceil(limits.frontierStates / workers);
  // this thread is searcher 0 (it found the initial state); the others are worker threads 1 … workers-1
  const threads = Array.from({ length: workers - 1 }, (_, i) =>
    spawn({ options: plain, invariants: space.invariants.map((inv) => inv.name), buffers, me: i + 1, maxStates: limits.maxStates, frontierStates }),
  );
  const mine = new LevelRunner(space, buffers, 0, limits.maxStates, frontierStates);
  const failed = new Promise<never>((_, reject) => threads.forEach((t) => t.once('error', reject)));
  failed.catch(() => {}); // rejected only if a thread fails; awaited in every race below
  try {
    await Promise.race([Promise.all(threads.map((t) => new Promise((ready) => t.once('message', ready)))), failed]);
  } catch (e) {
    await Promise.all(threads.map((t) => t.terminate()));
    throw e;
  }
  const startupMs = performance.now() - t0;
  t0 = performance.now();
  const deadline = performance.timeOrigin + t0 + limits.maxMs;
  const ticker = onProgress ? setInterval(() => onProgress({ statesExplored: trail.size, depth: depthReached, frontier: trail.size - to, elapsedMs: performance.now() - t0 }), 500) : null;
  let transitions = 0;
  let generated = 1;
  let rebuilt = 0;
  let folded = 0;
  const busyMs = Array.from({ length: workers }, () => 0);
  let depthReached = 0;
  let exhausted = false;
  let found: Found | null = null;
  let bound: Bound | null = null;
  let from = 0;
  let to = 1;
  /**
   * This thread's part of the level, in slices of SLICE_MS between which its event loop turns (the
   * workers' replies, the progress ticker); the slices' figures summed.
   */
  let over = false;
  const myLevel = async (resume: boolean): Promise<LevelResult> => {
    const sum: LevelResult = { paused: false, transitions: 0, lookups: 0, folded: 0, rebuilt: 0, expanded: 0, busyMs: 0 };
    // `over`: a worker failed and the search is over; nobody waits for the rest of this level
    for (let again = resume; !over; again = true) {
      const r = mine.level(from, to, again, deadline, performance.now() + SLICE_MS);
      sum.transitions += r.transitions;
      sum.lookups += r.lookups;
      sum.folded += r.folded;
      sum.rebuilt += r.rebuilt;
      sum.expanded += r.expanded;
      sum.busyMs += r.busyMs;
      if (r.violation) sum.violation = r.violation;
      if (!r.yielded) return { ...sum, paused: r.paused };
      await new Promise((next) => setImmediate(next));
    }
    return sum;
  };
  const level = (resume: boolean) =>
    Promise.race([
      Promise.all([
        ...threads.map(
          (t) =>
            new Promise<LevelResult>((resolve) => {
              t.once('message', resolve);
              t.postMessage({ type: 'level', from, to, resume, deadline } satisfies WorkerRequest);
            }),
        ),
        myLevel(resume),
      ]),
      failed,
    ]);
  try {
    for (let d = 1; d <= limits.depth && to > from; d++) {
      depthReached = d;
      let stop = 0;
      // a level runs until no thread paused it for the visited set to grow
      for (let resume = false; ; resume = true) {
        const results = await level(resume);
        for (const [i, r] of results.entries()) {
          busyMs[i]! += r.busyMs;
          transitions += r.transitions;
          generated += r.lookups;
          folded += r.folded;
          rebuilt += r.rebuilt;
          if (r.violation) found = { id: Atomics.load(ctrl, CTRL.found), violation: r.violation };
        }
        stop = Atomics.load(ctrl, CTRL.stop);
        if (stop !== 0 || !results.some((r) => r.paused)) break;
        grow();
      }
      const states = Math.min(trail.size, trail.parents.length);
      if (stop === STOP_FOUND) break;
      if (stop === STOP_STATES) {
        bound = { kind: 'states', limit: limits.maxStates, message: `stopped at the state bound: ${limits.maxStates} states explored, depth ${d} not finished` };
        break;
      }
      if (stop === STOP_TIME) {
        bound = { kind: 'time', limit: limits.maxMs / 1000, message: `stopped at the time bound: ${limits.maxMs / 1000} s, ${states} states explored, depth ${d} not finished` };
        break;
      }
      onProgress?.({ statesExplored: states, depth: d, frontier: states - to, elapsedMs: performance.now() - t0 });
      from = to;
      to = states;
      if (to === from) exhausted = true;
    }
  } finally {
    over = true;
    if (ticker) clearInterval(ticker);
    await Promise.all(threads.map((t) => t.terminate()));
  }
  return outcome({ transitions, generated, folded, rebuilt, depthReached, exhausted, bound, found, busyMs, startupMs });
}
