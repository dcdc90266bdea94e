/**
 * The model checker's figures (issue 19), side by side in one process:
 * the explorer as it was (./explore-baseline.ts) and the new search on the
 * same configuration for the same time, the new search on 1 and on 2 worker
 * threads, and, as the peer that bounds what any search on this engine can
 * do, the engine's decide() alone over the same states (no visited set, no
 * invariants, no fingerprints). Ratios within one run: the machine is shared.
 *
 *   node --import tsx scripts/bench/explore.ts [--seconds 20] [--json] [--big]
 *
 * `--big` also runs `--kernel 6.8 --blocks 6 --depth 10 --ops all` for up to
 * 10 minutes on 2 workers (issue 19: completes, or reaches 10M states).
 */
import { parseArgs } from 'node:util';
import { decide } from '../../src/engine/decide.ts';
import { TableGate } from '../../src/engine/gate.ts';
import type { World } from '../../src/engine/world.ts';
import { explore, exploreAsync, type ExploreOptions, type ExploreResult } from '../../src/check/explore.ts';
import { EXTRA_OPS } from '../../src/check/machine.ts';
import type { Fp } from '../../src/check/mc/fingerprint.ts';
import { StateSpace } from '../../src/check/mc/space.ts';
import { exploreBaseline } from './explore-baseline.ts';

/** The configuration: --kernel 6.8 --blocks 4 --ops all --depth 8. */
export const EXPLORE_CONFIG: ExploreOptions = { kernel: '6.8', blocks: 4, depth: 8, extraOps: [...EXTRA_OPS], maxStates: 50_000_000 };

const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);

/** decide() alone on every operation of `states` states of the space (the frontier a short search reaches). */
function decideAlone(o: ExploreOptions, states: number): { transitionsPerSec: number; fingerprintsPerSec: number } {
  const space = new StateSpace(o);
  const gate = new TableGate();
  const fp: Fp = { hi: 0, lo: 0 };
  const seen = new Set<string>();
  let level: World[] = [space.initial()];
  const sample: World[] = [];
  while (sample.length < states && level.length > 0) {
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
    sample.push(...next.slice(0, states - sample.length));
    level = next;
  }
  const t0 = performance.now();
  let n = 0;
  for (const w of sample) for (const op of space.ops) (decide(w, gate, op), n++);
  const decideMs = performance.now() - t0;
  const t1 = performance.now();
  for (const w of sample) for (let r = 0; r < 10; r++) space.fingerprint(w, fp);
  const fpMs = performance.now() - t1;
  return { transitionsPerSec: perSec(n, decideMs), fingerprintsPerSec: perSec(sample.length * 10, fpMs) };
}

const line = (r: Pick<ExploreResult, 'statesExplored' | 'transitions' | 'elapsedMs'>) => ({ states: r.statesExplored, transitions: r.transitions, ms: Math.round(r.elapsedMs) });

export async function measureExplore(seconds: number, say: (s: string) => void = () => {}) {
  const o = { ...EXPLORE_CONFIG, maxSeconds: seconds };
  const stack = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  say('explore: the old explorer…');
  const old = exploreBaseline(o);
  Error.stackTraceLimit = stack;
  say('explore: the new search, 1 thread…');
  const one = explore(o);
  say('explore: the new search, 2 worker threads…');
  const two = await exploreAsync({ ...o, workers: 2 });
  say('explore: decide() alone…');
  Error.stackTraceLimit = 0;
  const peer = decideAlone(EXPLORE_CONFIG, 2000);
  Error.stackTraceLimit = stack;
  const oldRate = { states: old.statesPerSec, transitions: perSec(old.transitions, old.elapsedMs) };
  const figures = {
    exploreConfig: '--kernel 6.8 --blocks 4 --ops all --depth 8',
    exploreSeconds: seconds,
    exploreOld: line(old),
    exploreNew: line(one),
    exploreNew2Workers: line(two),
    exploreTransitionsPerSec: perSec(one.transitions, one.elapsedMs),
    exploreStatesPerSec: one.statesPerSec,
    exploreOldTransitionsPerSec: oldRate.transitions,
    exploreOldStatesPerSec: oldRate.states,
    exploreStatesVsOld: +(one.statesPerSec / Math.max(1, oldRate.states)).toFixed(2),
    exploreTransitionsVsOld: +(perSec(one.transitions, one.elapsedMs) / Math.max(1, oldRate.transitions)).toFixed(2),
    exploreWorkersSpeedup: +(two.statesPerSec / Math.max(1, one.statesPerSec)).toFixed(2),
    exploreBytesPerState: +one.bytesPerState.toFixed(1),
    exploreTrailBytesPerState: +(one.trailBytes / Math.max(1, one.statesExplored)).toFixed(1),
    /** the peer: decide() alone on the same configuration's states, the ceiling of any search through the engine */
    exploreDecideAlonePerSec: peer.transitionsPerSec,
    exploreFingerprintsPerSec: peer.fingerprintsPerSec,
    exploreNewVsDecideAlone: +(perSec(one.transitions, one.elapsedMs) / peer.transitionsPerSec).toFixed(2),
  };
  const targets = {
    'exploreTransitionsPerSec >= 150,000': figures.exploreTransitionsPerSec >= 150_000,
    'exploreStatesPerSec >= 10 x the old explorer': figures.exploreStatesVsOld >= 10,
    'exploreWorkersSpeedup >= 1.7': figures.exploreWorkersSpeedup >= 1.7,
    'exploreBytesPerState <= 16': figures.exploreBytesPerState <= 16,
  };
  return { figures, targets };
}

/** `--kernel 6.8 --blocks 6 --depth 10 --ops all` for up to 10 minutes on 2 threads. */
export async function measureBigExplore(say: (s: string) => void = () => {}) {
  say('explore: 6 blocks, depth 10, up to 10 minutes…');
  const r = await exploreAsync({ kernel: '6.8', blocks: 6, depth: 10, extraOps: [...EXTRA_OPS], maxStates: 10_000_000, maxSeconds: 600, workers: 2 });
  return {
    figures: { exploreBig: { states: r.statesExplored, transitions: r.transitions, depthReached: r.depthReached, complete: r.complete, bound: r.bound?.kind ?? null, seconds: Math.round(r.elapsedMs / 1000) } },
    targets: { 'blocks 6 depth 10 completes or reaches 10M states in 10 min': r.complete || r.statesExplored >= 10_000_000 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, json: { type: 'boolean', default: false }, big: { type: 'boolean', default: false } } });
  const say = (s: string) => process.stderr.isTTY && process.stderr.write(`\r\x1b[K${s}`);
  const m = await measureExplore(Number(values.seconds), say);
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
