/**
 * The model checker's figures (issue 19), side by side in one run: the explorer
 * as it was on the day the issue was filed (its own tree and `memhp explore`, a
 * child process: ./issue-day-explorer.ts), its search kept on today's engine
 * (./explore-baseline.ts) and the new search on the same configuration for the
 * same time, the compiled package on 1 thread and on 2 worker threads, and, as
 * the peer that bounds what any search on this engine can do, the engine's
 * decide() alone over the same states (no visited set, no invariants, no
 * fingerprints). Ratios within one run: the machine is shared. The issue's 10x
 * is judged against the issue-day explorer (exploreStatesVsIssueDay); the ratio
 * to the old search on today's engine (exploreStatesVsOld) is the search's part
 * of the gain alone.
 *
 *   node --import tsx scripts/bench/explore.ts [--seconds 10] [--worker-seconds 40] [--rounds 3] [--json] [--big]
 *
 * `--big` also runs `--kernel 6.8 --blocks 6 --depth 10 --ops all` for up to
 * 10 minutes on 2 workers (issue 19: completes, or reaches 10M states).
 */
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execFile, execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decide } from '../../src/engine/decide.ts';
import { TableGate } from '../../src/engine/gate.ts';
import type { World } from '../../src/engine/world.ts';
import { exploreAsync, type ExploreOptions, type ExploreResult } from '../../src/check/explore.ts';
import { EXTRA_OPS } from '../../src/check/machine.ts';
import type { Fp } from '../../src/check/mc/fingerprint.ts';
import { StateSpace } from '../../src/check/mc/space.ts';
import { codeBuildIsFresh } from '../build.ts';
import { EXPLORE_CONFIG } from './explore-config.ts';
import type { SearchChildResult } from './explore-search-child.ts';
import { IssueDayUnavailable, ISSUE_DAY_COMMIT, materialiseIssueDayTree, runIssueDayExplore, type IssueDayTree } from './issue-day-explorer.ts';

export { EXPLORE_CONFIG };

const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);

/** decide() alone on every operation of `states` states of the space (the frontier a short search reaches). */
function decideAlone(o: ExploreOptions, states: number): { transitionsPerSec: number; fingerprintsPerSec: number } {
  const space = new StateSpace(o);
  const gate = new TableGate();
  const fp: Fp = { hi: 0, lo: 0 };
  const seen = new Set<string>();
  let level: World[] = [space.initial()];
  // the first level with `states` states: where a bounded search spends its time
  while (level.length < states && level.length > 0) {
    const next: World[] = [];
    for (const w of level)
      for (const s of space.successors(w)) {
        if (!s.changed) continue;
        space.fingerprint(s.next, fp);
        const k = `${fp.hi}:${fp.lo}`;
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(s.next);
      }
    level = next;
  }
  const sample = level.slice(0, states);
  const t0 = performance.now();
  let n = 0;
  for (const w of sample) for (const op of space.ops) (decide(w, gate, op, { freeze: false }), n++);
  const decideMs = performance.now() - t0;
  const t1 = performance.now();
  for (const w of sample) for (let r = 0; r < 10; r++) space.fingerprint(w, fp);
  const fpMs = performance.now() - t1;
  return { transitionsPerSec: perSec(n, decideMs), fingerprintsPerSec: perSec(sample.length * 10, fpMs) };
}


/** `ms`: the searches' time (rates are per it); `wallMs`: with their start-up, the time `cpuMs` was measured over. */
type Rate = { states: number; transitions: number; ms: number; wallMs: number; cpuMs: number };
const add = (t: Rate, r: Pick<ExploreResult, 'statesExplored' | 'transitions' | 'elapsedMs' | 'startupMs'>, cpu: NodeJS.CpuUsage) => {
  t.states += r.statesExplored;
  t.transitions += r.transitions;
  t.ms += r.elapsedMs;
  t.wallMs += r.elapsedMs + r.startupMs;
  // the process's CPU time (every thread's): on a shared machine wall-clock rates say little alone
  t.cpuMs += (cpu.user + cpu.system) / 1000;
};
/** Runs one search and adds its figures and its CPU time to `t`. */
// a full collection before each run, with or without node's --expose-gc
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

async function timed<R extends Pick<ExploreResult, 'statesExplored' | 'transitions' | 'elapsedMs' | 'startupMs'>>(t: Rate, run: () => R | Promise<R>): Promise<R> {
  // every search starts from a clean heap: in-process runs follow each other, and one left
  // hundreds of MB for the next to collect (the new search, run after the old one, measured
  // 0.72x the same search in the package's own run of the same round)
  collectGarbage();
  const c0 = process.cpuUsage();
  const r = await run();
  add(t, r, process.cpuUsage(c0));
  return r;
}

/** The compiled package's explore module (dist/, what `memhp` runs). */
const PACKAGE_EXPLORE = new URL('../../dist/src/check/explore.js', import.meta.url).href;

/**
 * The compiled package's explorer (dist/, what `memhp` runs): worker threads load compiled
 * JavaScript, where from source each thread would first compile the TypeScript it imports.
 */
async function packageExplore(): Promise<typeof exploreAsync> {
  if (!codeBuildIsFresh()) throw new Error('dist/ is stale: run `npm run build` first (the worker threads run the compiled package)');
  return ((await import(PACKAGE_EXPLORE)) as { exploreAsync: typeof exploreAsync }).exploreAsync;
}

/** One one-thread search (`new`: today's, `old`: the issue day's search on today's engine) in a fresh process from source, as the issue-day explorer runs. */
function searchInChild(which: 'new' | 'old', seconds: number): Promise<SearchChildResult> {
  const child = fileURLToPath(new URL('./explore-search-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', child, which, String(seconds)], { maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`the ${which} search's process failed: ${err.message}${stderr ? `\n${stderr.trim()}` : ''}`));
      resolve(JSON.parse(stdout) as SearchChildResult);
    });
  });
}

const addChild = (t: Rate, r: SearchChildResult) => {
  t.states += r.statesExplored;
  t.transitions += r.transitions;
  t.ms += r.elapsedMs;
  t.wallMs += r.elapsedMs;
  t.cpuMs += r.cpuMs;
};

/** Seconds a worker-thread or whole-process search runs (at least): see measureExplore. */
export const WORKER_SECONDS = 40;

/**
 * The peer for the worker speed-up: the same one-thread search as a whole `memhp explore`
 * process, once alone and then two at once, side by side. Two processes share nothing but the
 * machine, so what they reach together bounds what any two threads of one process can: on
 * this VM, allocation-heavy work slows down when both cores run it (memory and cache), and
 * threads of one process also share V8's garbage-collection helper threads.
 */
function processExplore(seconds: number): Promise<number> {
  const bin = fileURLToPath(new URL('../../bin/memhp.js', import.meta.url));
  const args = [bin, 'explore', '--kernel', '6.8', '--blocks', '4', '--depth', '8', '--ops', 'all', '--workers', '1', '--max-states', '50000000', '--max-seconds', String(seconds), '--json'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 * 2 ** 20 }, (err, stdout) => {
      // exit 3: the time bound, which is what this run is for
      if (err && err.code !== 3) return reject(err);
      const r = JSON.parse(stdout) as { transitions: number; elapsedMs: number };
      resolve(r.transitions / r.elapsedMs);
    });
  });
}

/**
 * The other peer for the worker speed-up: two one-thread searches at once, each on a worker
 * thread of this process, sharing nothing but the process (V8's platform threads, which run
 * garbage collection's helpers and the compilers, and the allocator). What they reach
 * together bounds what two threads of one search can, whatever it shares between them; the
 * two-process peer above adds what a process of its own gives each. Their transitions per
 * second, summed.
 */
async function independentThreads(options: ExploreOptions, threads = 2): Promise<number> {
  // an eval'd CommonJS worker importing the compiled package (checked fresh by packageExplore()), as the search's own threads do
  const code = `const { parentPort, workerData } = require('node:worker_threads');
import(workerData.dist).then(({ explore }) => {
  const r = explore(workerData.options);
  parentPort.postMessage(r.transitions / r.elapsedMs);
});`;
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: { dist: PACKAGE_EXPLORE, options: { ...options, workers: 1 } } });
      w.once('message', (rate: number) => resolve(rate));
      w.once('error', reject);
      w.once('exit', (code) => code !== 0 && reject(new Error(`an independent search thread exited with code ${code}`)));
    });
  const rates = await Promise.all(Array.from({ length: threads }, one));
  return rates.reduce((a, b) => a + b, 0);
}

/**
 * Seconds a one-thread search runs: issue 19's own measurement of the explorer it set the
 * target against (`--max-seconds 30`, 2,592 states/s). Both explorers slow down as they go
 * deeper, so a shorter run flatters the old one most (10 s: 4,238 states/s in one run).
 */
export const EXPLORE_SECONDS = 30;

/** One round's distinct states a second of the three one-thread searches: how far the rounds of one run differ says how far the machine moved. */
interface RoundFigures {
  issueDay: number | null;
  old: number;
  new: number;
  newVsIssueDay: number | null;
}

/**
 * `rounds` rounds, each: the issue-day explorer (a child process), the old search on today's
 * engine, the new search (each in a process of its own), `seconds` each, then the compiled
 * package on 1 and on 2 threads and the peers, `workerSeconds` each; every other round in the
 * reverse order. Interleaved, so a change in the machine's load falls on all of them alike;
 * rates are sums over the rounds.
 */
export async function measureExplore(seconds: number, say: (s: string) => void = () => {}, rounds = 2, workerSeconds = Math.max(seconds, WORKER_SECONDS)) {
  const o = { ...EXPLORE_CONFIG, maxSeconds: seconds };
  // threads and processes start cold (load the package, compile the engine): over short runs
  // the start-up is most of what a second one changes, so they run longer
  const ow = { ...EXPLORE_CONFIG, maxSeconds: workerSeconds };
  const pkg = await packageExplore();
  const rate = (): Rate => ({ states: 0, transitions: 0, ms: 0, wallMs: 0, cpuMs: 0 });
  const old = rate();
  // the issue-day explorer's figures come from its JSON: no CPU time for a child process (cpuMs stays 0)
  const issueDay = rate();
  const one = rate();
  const pkg1 = rate();
  const pkg2 = rate();
  const loadBefore = loadavg()[0]!;
  const perRound: RoundFigures[] = [];
  let bytesPerState = 0;
  let trailBytesPerState = 0;
  let alone = 0;
  let pair = 0;
  /** two independent one-thread searches on two threads of this process (transitions/ms, summed over rounds) */
  let independent = 0;
  /** the 2-thread runs' thread time spent expanding states, and all their thread time */
  const busy = { sum: 0, ms: 0 };
  const stack = Error.stackTraceLimit;
  // the issue-day tree, written once for every round; when it cannot be had (no git, a shallow
  // clone) or its run fails, the figures say why instead of a number
  let tree: IssueDayTree | null = null;
  let issueDayUnavailable: string | null = null;
  try {
    tree = materialiseIssueDayTree();
  } catch (e) {
    if (!(e instanceof IssueDayUnavailable)) throw e;
    issueDayUnavailable = e.message;
  }
  try {
    for (let r = 1; r <= rounds; r++) {
      const round: RoundFigures = { issueDay: null, old: 0, new: 0, newVsIssueDay: null };
      perRound.push(round);
      // the three one-thread searches, the new one last in odd rounds and first in even ones (as
      // the thread and process runs below): a drifting machine weighs on both sides of a ratio alike
      const searches: (() => Promise<void>)[] = [
        async () => {
          if (!tree || issueDayUnavailable) return;
          say(`explore round ${r}/${rounds}: the explorer of the day issue 19 was filed…`);
          try {
            // a whole process, cold in every round as the issue's own figure was; its rate is from
            // the elapsed time it measured around its search alone (./issue-day-explorer.ts)
            const d = await runIssueDayExplore(tree, seconds);
            round.issueDay = perSec(d.statesExplored, d.elapsedMs);
            issueDay.states += d.statesExplored;
            issueDay.transitions += d.transitions;
            issueDay.ms += d.elapsedMs;
          } catch (e) {
            issueDayUnavailable = (e as Error).message;
          }
        },
        // each one-thread search in a process of its own, as the issue-day explorer runs (./explore-search-child.ts)
        async () => {
          say(`explore round ${r}/${rounds}: the old explorer…`);
          const was = await searchInChild('old', seconds);
          addChild(old, was);
          round.old = perSec(was.statesExplored, was.elapsedMs);
        },
        async () => {
          say(`explore round ${r}/${rounds}: the new search…`);
          const now = await searchInChild('new', seconds);
          addChild(one, now);
          round.new = perSec(now.statesExplored, now.elapsedMs);
          bytesPerState = Math.max(bytesPerState, now.bytesPerState ?? 0);
          trailBytesPerState = (now.trailBytes ?? 0) / now.statesExplored;
        },
      ];
      for (const search of r % 2 === 1 ? searches : searches.reverse()) await search();
      if (round.issueDay) round.newVsIssueDay = Math.round((100 * round.new) / round.issueDay) / 100;
      // the thread and process runs, in the reverse order every other round: a machine that
      // drifts faster or slower over a round then weighs on both sides of each ratio alike
      const steps: (() => Promise<void>)[] = [
        async () => {
          say(`explore round ${r}/${rounds}: the package, 1 thread…`);
          await timed(pkg1, () => pkg({ ...ow, workers: 1 }));
        },
        async () => {
          say(`explore round ${r}/${rounds}: the package, 2 worker threads…`);
          const two = await timed(pkg2, () => pkg({ ...ow, workers: 2 }));
          busy.sum += two.threadBusy.reduce((a, b) => a + b, 0) * two.elapsedMs;
          busy.ms += two.threadBusy.length * two.elapsedMs;
        },
        async () => {
          say(`explore round ${r}/${rounds}: two independent searches on two threads…`);
          collectGarbage();
          independent += await independentThreads(ow);
        },
        async () => {
          say(`explore round ${r}/${rounds}: one memhp process…`);
          alone += await processExplore(workerSeconds);
        },
        async () => {
          say(`explore round ${r}/${rounds}: two memhp processes at once…`);
          const [a, b] = await Promise.all([processExplore(workerSeconds), processExplore(workerSeconds)]);
          pair += a + b;
        },
      ];
      for (const step of r % 2 === 1 ? steps : steps.reverse()) await step();
    }
  } finally {
    tree?.remove();
  }
  say('explore: decide() alone…');
  Error.stackTraceLimit = 0;
  const peer = decideAlone(EXPLORE_CONFIG, 2000);
  Error.stackTraceLimit = stack;
  const issueDayOk = !issueDayUnavailable && issueDay.ms > 0;
  const figures = {
    exploreConfig: '--kernel 6.8 --blocks 4 --ops all --depth 8',
    exploreSeconds: seconds * rounds,
    exploreWorkerSeconds: workerSeconds * rounds,
    exploreOld: old,
    exploreNew: one,
    explorePackage1Thread: pkg1,
    explorePackage2Workers: pkg2,
    exploreTransitionsPerSec: perSec(one.transitions, one.ms),
    exploreStatesPerSec: perSec(one.states, one.ms),
    exploreOldTransitionsPerSec: perSec(old.transitions, old.ms),
    exploreOldStatesPerSec: perSec(old.states, old.ms),
    /**
     * The issue's "today's explorer": the tree of the day issue 19 was filed, old search on the
     * old engine (null, with exploreIssueDayUnavailable saying why, when it could not run).
     */
    exploreIssueDayCommit: ISSUE_DAY_COMMIT,
    exploreIssueDay: issueDayOk ? issueDay : null,
    ...(issueDayUnavailable ? { exploreIssueDayUnavailable: issueDayUnavailable } : {}),
    ...(tree?.dependencyDrift.length ? { exploreIssueDayDependencyDrift: tree.dependencyDrift } : {}),
    exploreIssueDayStatesPerSec: issueDayOk ? perSec(issueDay.states, issueDay.ms) : null,
    exploreIssueDayTransitionsPerSec: issueDayOk ? perSec(issueDay.transitions, issueDay.ms) : null,
    /** the new search against the issue-day explorer: what issue 19's 10x target is judged on */
    /** each round's distinct states a second of the issue-day, old and new searches, and the new against the issue-day one */
    exploreRounds: perRound,
    exploreStatesVsIssueDay: issueDayOk ? +(perSec(one.states, one.ms) / Math.max(1, perSec(issueDay.states, issueDay.ms))).toFixed(2) : null,
    /**
     * Informational: distinct states a second of `memhp explore` as a user runs it on this machine
     * (the compiled package, --workers defaulting to the 2 cores, a 40 s run), against the
     * issue-day explorer (one thread, the only search it had). The target above is judged on one thread.
     */
    exploreStatesPerSecDefaultWorkers: perSec(pkg2.states, pkg2.ms),
    exploreStatesVsIssueDayDefaultWorkers: issueDayOk ? +(perSec(pkg2.states, pkg2.ms) / Math.max(1, perSec(issueDay.states, issueDay.ms))).toFixed(2) : null,
    exploreTransitionsVsIssueDay: issueDayOk ? +(perSec(one.transitions, one.ms) / Math.max(1, perSec(issueDay.transitions, issueDay.ms))).toFixed(2) : null,
    /**
     * Informational: the new search against the old *search* on today's engine, which shares
     * decide() with the new one; so this is the search's share of the gain alone, not the engine's.
     */
    exploreStatesVsOld: +(perSec(one.states, one.ms) / Math.max(1, perSec(old.states, old.ms))).toFixed(2),
    exploreTransitionsVsOld: +(perSec(one.transitions, one.ms) / Math.max(1, perSec(old.transitions, old.ms))).toFixed(2),
    // transitions, not states: the deeper a search gets the fewer of its successors are new
    exploreWorkersSpeedup: +(perSec(pkg2.transitions, pkg2.ms) / Math.max(1, perSec(pkg1.transitions, pkg1.ms))).toFixed(2),
    /**
     * The share of the 2-thread runs' time the threads spent expanding states; the rest they
     * waited for each other (a level's end, the visited set's growth). The speed-up is at most
     * twice this, and what it falls short of that is a transition's higher cost on two threads.
     */
    exploreWorkersBusy: +(busy.sum / Math.max(1e-9, busy.ms)).toFixed(3),
    /**
     * Cores a one-thread search keeps busy (its process's CPU time over its time): above 1, since
     * V8's garbage collection and compilers run beside it on the other core. Two threads have two
     * cores between them, so at the same CPU a transition they reach at most 2 / this times one
     * thread's rate (`exploreWorkersCeiling`).
     */
    exploreOneThreadCores: +(pkg1.cpuMs / Math.max(1e-9, pkg1.wallMs)).toFixed(3),
    exploreWorkersCeiling: +(2 / Math.max(1e-9, pkg1.cpuMs / Math.max(1e-9, pkg1.wallMs))).toFixed(2),
    /** the peer: two whole one-thread processes at once against one alone (transitions per second summed) */
    exploreTwoProcessesSpeedup: +(pair / Math.max(1e-9, alone)).toFixed(2),
    /**
     * The other peer: two independent one-thread searches on two worker threads of one process
     * against the package's one thread (transitions per second summed): what two threads of one
     * process reach on this machine when they share no visited set, trail or level.
     */
    exploreTwoIndependentThreadsSpeedup: +(independent / rounds / Math.max(1e-9, pkg1.transitions / Math.max(1e-9, pkg1.ms))).toFixed(2),
    /** CPU time a transition costs on 2 threads against 1: above 1, the second thread pays more than its share (start-up, a shared core) */
    exploreWorkersCpuPerTransition: +(pkg2.cpuMs / pkg2.transitions / (pkg1.cpuMs / pkg1.transitions)).toFixed(2),
    /** the 1-minute load average before and after the rounds: with more runnable threads than cores, wall-clock speed-ups shrink */
    exploreLoadAverage: [+loadBefore.toFixed(2), +loadavg()[0]!.toFixed(2)],
    exploreBytesPerState: +bytesPerState.toFixed(1),
    exploreTrailBytesPerState: +trailBytesPerState.toFixed(1),
    /** the peer: decide() alone on states of the configuration, the ceiling of any search through the engine */
    exploreDecideAlonePerSec: peer.transitionsPerSec,
    exploreFingerprintsPerSec: peer.fingerprintsPerSec,
  };
  const targets = {
    'exploreTransitionsPerSec >= 150,000': figures.exploreTransitionsPerSec >= 150_000,
    // judged only when the issue-day explorer ran (exploreIssueDayUnavailable says why not)
    ...(figures.exploreStatesVsIssueDay === null ? {} : { 'exploreStatesPerSec >= 10 x the explorer of the day issue 19 was filed': figures.exploreStatesVsIssueDay >= 10 }),
    'exploreWorkersSpeedup >= 1.7': figures.exploreWorkersSpeedup >= 1.7,
    'exploreBytesPerState <= 16': figures.exploreBytesPerState <= 16,
  };
  return { figures, targets };
}

/** `--kernel 6.8 --blocks 6 --depth 10 --ops all` for up to 10 minutes on 2 threads. */
export async function measureBigExplore(say: (s: string) => void = () => {}) {
  say('explore: 6 blocks, depth 10, up to 10 minutes…');
  const r = await (await packageExplore())({ kernel: '6.8', blocks: 6, depth: 10, extraOps: [...EXTRA_OPS], maxStates: 10_000_000, maxSeconds: 600, workers: 2 });
  return {
    figures: { exploreBig: { states: r.statesExplored, transitions: r.transitions, depthReached: r.depthReached, complete: r.complete, bound: r.bound?.kind ?? null, seconds: Math.round(r.elapsedMs / 1000) } },
    targets: { 'blocks 6 depth 10 completes or reaches 10M states in 10 min': r.complete || r.statesExplored >= 10_000_000 },
  };
}

/**
 * The explore figures measured by this file run as a process of its own (`seconds` null: only
 * the big search), so that no other workload's heap slows its in-process searches; its figures
 * and targets.
 */
export function exploreInChild(seconds: number | null, big: boolean): { figures: Record<string, unknown>; targets: Record<string, boolean> } {
  const args = ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--json'];
  if (seconds !== null) args.push('--seconds', String(seconds));
  else args.push('--only-big');
  if (big) args.push('--big');
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'inherit'] });
  const { targets, ...figures } = JSON.parse(out) as Record<string, unknown> & { targets: Record<string, boolean> };
  return { figures, targets };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: String(EXPLORE_SECONDS) },
      'worker-seconds': { type: 'string', default: String(WORKER_SECONDS) },
      rounds: { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
      big: { type: 'boolean', default: false },
      'only-big': { type: 'boolean', default: false },
    },
  });
  const say = (s: string) => process.stderr.isTTY && process.stderr.write(`\r\x1b[K${s}`);
  const m = values['only-big'] ? { figures: {}, targets: {} } : await measureExplore(Number(values.seconds), say, Number(values.rounds), Number(values['worker-seconds']));
  const b = values.big ? await measureBigExplore(say) : null;
  say('');
  const figures = { ...m.figures, ...b?.figures };
  const targets = { ...m.targets, ...b?.targets };
  if (values.json) console.log(JSON.stringify({ ...figures, targets }, null, 2));
  else {
    for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(28)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
    for (const [k, ok] of Object.entries(targets)) console.log(`  ${ok ? 'met ' : 'MISS'}  ${k}`);
  }
}
