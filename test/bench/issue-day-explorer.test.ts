/**
 * The bench's issue-day peer (scripts/bench/issue-day-explorer.ts): the explorer of the day
 * issue 19 was filed, from its own tree in git history. Its speed is the bench's business;
 * here, that it runs the same search space as today's explorer (so the bench's ratio compares
 * like with like), that its output is read strictly, and that a missing commit is a clear
 * "unavailable" rather than a crash or a number.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTRA_OPS, explore } from '../../src/check/index.ts';
import {
  ISSUE_DAY_COMMIT,
  IssueDayUnavailable,
  materialiseIssueDayTree,
  parseIssueDayJson,
  runIssueDayExplore,
} from '../../scripts/bench/issue-day-explorer.ts';

const run = { statesExplored: 7785, statesPerSec: 2595, complete: false, depthReached: 3, transitions: 38689, operations: 104, elapsedMs: 3000 };

describe("reading the issue-day explorer's --json", () => {
  it('takes states, transitions, operations, depth and the elapsed time it measured', () => {
    expect(parseIssueDayJson(JSON.stringify(run))).toEqual({ statesExplored: 7785, transitions: 38689, elapsedMs: 3000, depthReached: 3, operations: 104 });
  });

  it('names what is wrong when the output is not what that version printed', () => {
    expect(() => parseIssueDayJson('explored 7785 states')).toThrow(/not JSON/);
    expect(() => parseIssueDayJson('[1]')).toThrow(/no statesExplored/);
    expect(() => parseIssueDayJson(JSON.stringify({ ...run, transitions: undefined }))).toThrow(/no transitions/);
    expect(() => parseIssueDayJson(JSON.stringify({ ...run, elapsedMs: 0 }))).toThrow(/elapsedMs 0/);
  });
});

describe('the issue-day tree', () => {
  const inGit = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { encoding: 'utf8' }).stdout?.trim() === 'true';
  it('a commit the repository does not hold is unavailable, said so by name', () => {
    const missing = '0000000000000000000000000000000000000001';
    expect(() => materialiseIssueDayTree(missing)).toThrow(IssueDayUnavailable);
    // outside a git checkout (sources from a tarball, no git) the reason is that instead
    expect(() => materialiseIssueDayTree(missing)).toThrow(
      inGit ? `commit ${missing} (the tree on the day issue 19 was filed) is not in this repository` : /is not a git checkout|git is not available/,
    );
  });

  // the history is there in any full clone; a shallow one reports the peer unavailable (above)
  const hasHistory = spawnSync('git', ['cat-file', '-e', `${ISSUE_DAY_COMMIT}^{commit}`]).status === 0;
  it.skipIf(!hasHistory)('explores exactly the space today’s explorer does, and is removed afterwards', async () => {
    const tree = materialiseIssueDayTree();
    try {
      // the tree declared the same runtime dependency versions this checkout has installed
      expect(tree.dependencyDrift).toEqual([]);
      const then = await runIssueDayExplore(tree, 60, ['--kernel', '6.8', '--blocks', '2', '--depth', '2', '--ops', 'all']);
      const now = explore({ kernel: '6.8', blocks: 2, depth: 2, extraOps: [...EXTRA_OPS] });
      // if the model's rules change, these part: the bench's ratio would then compare different searches
      expect(then).toMatchObject({ statesExplored: now.statesExplored, transitions: now.transitions, operations: now.operations, depthReached: 2 });
    } finally {
      tree.remove();
    }
    expect(existsSync(join(tree.dir, 'src'))).toBe(false);
  });
});
