/**
 * One one-thread search of issue 19's configuration in a process of its own, its figures as
 * JSON on stdout: `node --import tsx scripts/bench/explore-search-child.ts new|old <seconds>`.
 *
 * `new` is today's explore(), `old` the search of the issue's day on today's engine
 * (./explore-baseline.ts). Each runs from source through tsx in a fresh process, as the
 * issue-day explorer does (./issue-day-explorer.ts), so the three are measured alike: cold,
 * alone in their heap, and with no other search's type feedback in the engine they share. Run
 * one after the other in one process, the search that came second ran at 0.75-0.85x its speed
 * in a process of its own (the engine's functions had learnt the first search's shapes).
 */
import { explore } from '../../src/check/explore.ts';
import { EXPLORE_CONFIG } from './explore-config.ts';
import { exploreBaseline } from './explore-baseline.ts';

export interface SearchChildResult {
  statesExplored: number;
  transitions: number;
  elapsedMs: number;
  cpuMs: number;
  /** the visited set's and the trail's bytes: the new search's only (null for the old one) */
  bytesPerState: number | null;
  trailBytes: number | null;
}

/** What both searches' results have, and the visited set's and trail's sizes, which only the new one reports. */
type SearchFigures = Pick<SearchChildResult, 'statesExplored' | 'transitions' | 'elapsedMs'> & { bytesPerState?: number; trailBytes?: number };

const [which, seconds] = process.argv.slice(2);
if ((which !== 'new' && which !== 'old') || !(Number(seconds) > 0)) {
  process.stderr.write('usage: explore-search-child.ts new|old <seconds>\n');
  process.exit(2);
}
const opts = { ...EXPLORE_CONFIG, maxSeconds: Number(seconds) };
const c0 = process.cpuUsage();
const r: SearchFigures = which === 'new' ? explore(opts) : exploreBaseline(opts);
const cpu = process.cpuUsage(c0);
const out: SearchChildResult = {
  statesExplored: r.statesExplored,
  transitions: r.transitions,
  elapsedMs: r.elapsedMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  bytesPerState: r.bytesPerState ?? null,
  trailBytes: r.trailBytes ?? null,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
