/**
 * The explorer as it was on the day issue 19 was filed: that commit's own tree, its own
 * `memhp explore`, run as a child process. scripts/bench/explore-baseline.ts keeps the old
 * *search* runnable, but it calls today's engine (decide(), events, tables were rewritten for
 * issue 19, about 4x cheaper), so against it the new search's ratio leaves out everything the
 * engine gained. This peer is the explorer the issue's "today (≈ 2,600/s)" measured.
 *
 * The tree comes out of git (`git archive`, so nothing is registered in the repository's
 * worktree list and a crash leaves only a directory under the system's temp dir), borrows this
 * checkout's node_modules (see checkDependencies) and runs from source with this checkout's tsx.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * a7315fe^: the parent of a7315fe, the first commit of the issue-19 work (the StateSpace
 * interface), so the tree the issue's figures were measured on. The full hash, so an
 * abbreviation can never become ambiguous.
 */
export const ISSUE_DAY_COMMIT = '0722bbfcac90cce9849604e58de7505074cbcf39';

/** This checkout: where git runs and whose node_modules the old tree borrows. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The peer cannot run here (no git, no such commit, its dependencies missing): the bench reports the figure as unavailable. */
export class IssueDayUnavailable extends Error {
  override name = 'IssueDayUnavailable';
}

/** One `memhp explore --json` of the old tree. */
export interface IssueDayRun {
  statesExplored: number;
  transitions: number;
  /** The search's own time, as that explorer measured it (see parseIssueDayJson). */
  elapsedMs: number;
  depthReached: number;
  /** Operations tried in every state (104 on the issue's configuration). */
  operations: number;
}

/**
 * The old `memhp explore --json` object → the figures the bench needs. Its `elapsedMs` is
 * taken around the breadth-first loop alone (src/check/explore.ts of that tree: `t0` after
 * the small machine and its operation list are built), so it leaves out the process's start-up
 * (node, tsx compiling the tree, loading the machines) that the in-process searches never pay.
 * Rounded to the millisecond by that version's exploreJson.
 */
export function parseIssueDayJson(stdout: string): IssueDayRun {
  let o: unknown;
  try {
    o = JSON.parse(stdout);
  } catch (e) {
    throw new Error(`the issue-day explorer's --json output is not JSON (${(e as Error).message}): ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  if (o === null || typeof o !== 'object') throw new Error(`the issue-day explorer's --json output is not an object: ${JSON.stringify(stdout.slice(0, 200))}`);
  const r = o as Record<string, unknown>;
  const num = (k: keyof IssueDayRun): number => {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new Error(`the issue-day explorer's --json output has no ${k} (a number; got ${JSON.stringify(v)})`);
    return v;
  };
  const run = { statesExplored: num('statesExplored'), transitions: num('transitions'), elapsedMs: num('elapsedMs'), depthReached: num('depthReached'), operations: num('operations') };
  if (run.elapsedMs === 0) throw new Error("the issue-day explorer's --json output has elapsedMs 0: no rate can be measured from it");
  return run;
}

function git(args: string[]) {
  const r = spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' });
  if (r.error) throw new IssueDayUnavailable(`git is not available (${r.error.message}): the issue-day explorer is built from the repository's history`);
  return r;
}

/**
 * The runtime dependencies the old tree declares, each against the version installed in this
 * checkout. When the tree was filed its lock held the same versions of every one of them as
 * today's (today's lock adds seek-bzip and tar-stream, used by `memhp conform`, not by the
 * explorer), which is why borrowing this node_modules measures that explorer and not a newer
 * library. Returns what differs, for the bench to print; empty when nothing does.
 */
export function checkDependencies(tree: string): string[] {
  const pkg = JSON.parse(readFileSync(join(tree, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(tree, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const drift: string[] = [];
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    const then = lock.packages[`node_modules/${name}`]?.version;
    const file = join(ROOT, 'node_modules', name, 'package.json');
    if (!existsSync(file)) throw new IssueDayUnavailable(`the issue-day explorer needs ${name}, which is not installed in ${ROOT} (run npm install)`);
    const now = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (now !== then) drift.push(`${name} ${then} then, ${now} now`);
  }
  return drift;
}

/** A materialised tree of `commit`: its directory, what its dependencies differ in, and how to remove it. */
export interface IssueDayTree {
  dir: string;
  commit: string;
  dependencyDrift: string[];
  remove(): void;
}

/**
 * Writes `commit`'s tree into a fresh temporary directory with this checkout's node_modules
 * linked in. Throws IssueDayUnavailable naming the cause when git or the commit is missing (a
 * shallow clone, a tarball of the sources); removes what it wrote when anything fails.
 */
export function materialiseIssueDayTree(commit = ISSUE_DAY_COMMIT): IssueDayTree {
  const inside = git(['rev-parse', '--is-inside-work-tree']);
  if (inside.status !== 0 || inside.stdout.trim() !== 'true')
    throw new IssueDayUnavailable(`${ROOT} is not a git checkout (${inside.stderr.trim()}): the issue-day explorer is built from the repository's history`);
  const has = git(['cat-file', '-e', `${commit}^{commit}`]);
  if (has.status !== 0) {
    const shallow = git(['rev-parse', '--is-shallow-repository']).stdout.trim() === 'true';
    throw new IssueDayUnavailable(
      `commit ${commit} (the tree on the day issue 19 was filed) is not in this repository` +
        (shallow ? ': it is a shallow clone (`git fetch --unshallow` brings the history)' : ''),
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'memhp-issue-day-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const tar = join(dir, '.tree.tar');
    const a = git(['archive', '--format=tar', `--output=${tar}`, commit]);
    if (a.status !== 0) throw new IssueDayUnavailable(`git archive ${commit} failed: ${a.stderr.trim()}`);
    const x = spawnSync('tar', ['-xf', tar, '-C', dir], { encoding: 'utf8' });
    if (x.error || x.status !== 0) throw new IssueDayUnavailable(`unpacking ${commit}'s tree failed: ${x.error?.message ?? x.stderr.trim()}`);
    rmSync(tar);
    for (const f of ['src/cli/main.ts', 'package.json', 'package-lock.json'])
      if (!existsSync(join(dir, f))) throw new IssueDayUnavailable(`commit ${commit} has no ${f}: not a memhp tree with \`memhp explore\``);
    const dependencyDrift = checkDependencies(dir);
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return { dir, commit, dependencyDrift, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/**
 * `memhp explore --kernel 6.8 --blocks 4 --depth 8 --ops all --max-seconds <seconds> --json` of
 * the old tree, in a child process. That version has no --workers (one thread, the only search
 * it had) and writes a counterexample log to --out, pointed inside the tree. It runs from source
 * through this checkout's tsx, the version that tree's lock held (its bin/memhp.js needs a
 * compiled dist/ the archive does not hold, and building it is a minute of tsc); tsx and that
 * tree's build (tsc, target ES2022) both emit the TypeScript with its types stripped, so the
 * search runs the same statements, and tsx compiles before the search's clock starts.
 */
export function runIssueDayExplore(tree: IssueDayTree, seconds: number, config = ['--kernel', '6.8', '--blocks', '4', '--depth', '8', '--ops', 'all']): Promise<IssueDayRun> {
  const args = ['--import', 'tsx', join(tree.dir, 'src/cli/main.ts'), 'explore', ...config, '--max-states', '50000000', '--max-seconds', String(seconds), '--out', join(tree.dir, 'counterexample.jsonl'), '--json'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: tree.dir, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      // exit 3: the time bound, which is what a timed run is for; 0: the space was finished
      if (err && err.code !== 3) return reject(new Error(`the issue-day explorer (${tree.commit}) failed: ${err.message}${stderr ? `\n${stderr.trim()}` : ''}`));
      try {
        resolve(parseIssueDayJson(stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}
