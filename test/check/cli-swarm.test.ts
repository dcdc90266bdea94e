/**
 * `memhp explore --swarm`, `--coverage` and `--export sh` as a user runs
 * them: the real command in a child process, real files, exit codes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'memhp-cli-swarm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function memhp(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/memhp.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('memhp explore --swarm / --coverage / --export sh', { timeout: 180_000 }, () => {
  it('finds the v2 hazard by swarm, shrunk to 2 operations, with its log, its script and the coverage (JSON)', () => {
    const r = memhp('explore', '--swarm', '--kernel', 'v2-2019', '--seed', '2', '--walks', '200', '--coverage', '--export', 'sh', '--json', '--out', 'sw.jsonl');
    expect(r.status, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ mode: 'swarm', seed: 2, walksRequested: 200 });
    expect(out.counterexample.ops.map((o: { op: string }) => o.op)).toEqual(['add_memory', 'remove_memory']);
    expect(out.counterexample.violation.invariant).toBe('memmap-in-present-memory');
    expect(out.counterexample.logFile).toBe(join(dir, 'sw.jsonl'));
    expect(out.counterexample.script).toBe(join(dir, 'sw.sh'));
    expect(statSync(join(dir, 'sw.sh')).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(dir, 'sw.sh'), 'utf8')).toMatch(/^#!\/bin\/sh\n/);
    expect(out.coverage.operations.reached.map((i: { key: string }) => i.key)).toContain('add_memory');
    expect(out.coverage.operations.never).toContain('probe');
    expect(Object.keys(out.coverage)).toEqual(['operations', 'errnos', 'kernelPaths', 'errorReturns', 'transitions', 'invariants']);
  });

  it('prints the coverage table after a breadth-first run that holds (exit 0)', () => {
    const r = memhp('explore', '--kernel', 'v2-2019', '--blocks', '2', '--depth', '3', '--param', 'v2_remove_guard=true', '--coverage', '--export', 'sh');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^COVERAGE$/m);
    expect(r.stdout).toMatch(/^operations: 4 of \d+ reached$/m);
    expect(r.stdout).toMatch(/^machine transitions \(state × event\): \d+ of \d+ reached$/m);
    expect(r.stdout).toMatch(/^ {2}never: memory_block: offline --PIN-->$/m);
    // no counterexample, no script
    expect(existsSync(join(dir, 'memhp-counterexample.sh'))).toBe(false);
  });

  it('says a swarm that found nothing proves nothing, and exits 0', () => {
    const r = memhp('explore', '--swarm', '--kernel', '6.8', '--blocks', '2', '--walks', '5', '--depth', '8');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^5 walks, \d+ states checked \(\d+ distinct\), deepest \d+/m);
    expect(r.stdout).toMatch(/no counterexample in 5 walks \(a swarm samples the space/);
  });

  it('refuses bad options by name (exit 2)', () => {
    for (const [args, msg] of [
      [['--export', 'zip'], /--export "zip": expected sh/],
      [['--seed', '3'], /--seed belongs to --swarm/],
      [['--swarm', '--seed', '-1'], /--seed "-1": expected a whole number/],
      [['--swarm', '--walks', '0'], /--walks "0": expected a whole number from 1/],
    ] as const) {
      const r = memhp('explore', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});
