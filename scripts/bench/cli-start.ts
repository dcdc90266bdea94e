/**
 * Start-up cost of the `memhp` command, as a user pays it: whole processes,
 * measured against a bare `node -e 0` in the same run (the machines are
 * shared, so only the ratios mean something). The three commands take turns
 * within each round, so a burst of load from elsewhere hits all of them alike.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const BIN = join(REPO, 'bin', 'memhp.js');
const SEED = join(REPO, 'scenarios', 'seed-reviewer-partial-remove.json');

export interface CliStartFigures {
  nodeBareMs: number;
  cliVersionMs: number;
  cliSeedRunMs: number;
  cliVersionVsNode: number;
  cliSeedRunVsNode: number;
}

/** Wall time of one process run; a run that fails is an error, not a fast figure. */
function wallMs(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 400)}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median of `runs` (≥ 10) process runs each, after one untimed warm-up (disk cache). */
export function measureCliStart(runs = 11): CliStartFigures {
  const commands = {
    nodeBareMs: ['-e', '0'],
    cliVersionMs: [BIN, '--version'],
    cliSeedRunMs: [BIN, 'run', SEED, '--json'],
  };
  const times: Record<keyof typeof commands, number[]> = { nodeBareMs: [], cliVersionMs: [], cliSeedRunMs: [] };
  for (const args of Object.values(commands)) wallMs(args);
  for (let i = 0; i < Math.max(runs, 10); i++)
    for (const [name, args] of Object.entries(commands)) times[name as keyof typeof commands].push(wallMs(args));
  const nodeBareMs = median(times.nodeBareMs);
  const cliVersionMs = median(times.cliVersionMs);
  const cliSeedRunMs = median(times.cliSeedRunMs);
  return {
    nodeBareMs: +nodeBareMs.toFixed(1),
    cliVersionMs: +cliVersionMs.toFixed(1),
    cliSeedRunMs: +cliSeedRunMs.toFixed(1),
    cliVersionVsNode: +(cliVersionMs / nodeBareMs).toFixed(2),
    cliSeedRunVsNode: +(cliSeedRunMs / nodeBareMs).toFixed(2),
  };
}

/** The bench's targets for these figures. */
export function cliStartTargets(f: CliStartFigures): Record<string, boolean> {
  return {
    'memhp --version <= 3 x node -e 0': f.cliVersionVsNode <= 3,
    'memhp run seed --json <= 8 x node -e 0': f.cliSeedRunVsNode <= 8,
  };
}

// `node --import tsx scripts/bench/cli-start.ts`: these figures alone.
if (import.meta.filename === process.argv[1]) console.log(JSON.stringify(measureCliStart(), null, 2));
