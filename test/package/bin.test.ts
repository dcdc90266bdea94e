/**
 * The `memhp` command as installed: bin/memhp.js runs the compiled JavaScript
 * in dist/ with no TypeScript loader, and each command loads only the modules
 * it needs (what makes the command start fast; the time itself is the
 * benchmark's, scripts/bench/cli-start.ts). Every module the child process
 * loads is recorded by a module hook (helpers/record-loads.mjs).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../cli/helpers.ts';

const dir = tempDir('memhp-bin-');
const HOOK = join(import.meta.dirname, 'helpers', 'record-loads.mjs');
let runs = 0;

/** Runs bin/memhp.js with `args`; its exit code, stdout, and the URLs of the modules it loaded. */
function memhpLoads(args: string[]) {
  const record = join(dir, `loads-${++runs}.txt`);
  const r = spawnSync(process.execPath, ['--import', HOOK, join(REPO, 'bin', 'memhp.js'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, MEMHP_RECORD_LOADS: record, NO_COLOR: '1' },
  });
  const loads = readFileSync(record, 'utf8').trim().split('\n');
  /** Packages loaded from node_modules, by name. */
  const packages = new Set(loads.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
  const own = loads.filter((u) => u.startsWith(`file://${REPO}/`) && !u.includes('/node_modules/')).map((u) => u.slice(`file://${REPO}/`.length));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, packages, own };
}

const HEAVY = ['tsx', 'vite', 'ws', '@statelyai/inspect', 'fast-check', 'vitest', 'cli-progress', 'esbuild', 'typescript'];

describe('bin/memhp.js', { timeout: 120_000 }, () => {
  it('runs the compiled JavaScript in dist/, never TypeScript', () => {
    const r = memhpLoads(['--version']);
    expect(r.status).toBe(0);
    expect(r.own[0]).toBe('bin/memhp.js');
    expect(r.own.slice(1).every((f) => f.startsWith('dist/') && f.endsWith('.js'))).toBe(true);
    expect(r.packages.has('tsx')).toBe(false);
  });

  it('memhp --version loads commander and nothing else', () => {
    const r = memhpLoads(['--version']);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
    expect([...r.packages]).toEqual(['commander']);
    expect(r.own).not.toContain('dist/src/cli/run.js');
  });

  it('memhp run loads the engine, not the inspector, the explorer, Vite or test tools', () => {
    const r = memhpLoads(['run', 'scenarios/seed-reviewer-partial-remove.json', '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { ops: { op: string; errno: string | null }[] };
    expect(out.ops.at(-1)).toMatchObject({ op: 'touch', errno: 'EFAULT' }); // the hazard, from the built code
    expect([...r.packages]).toEqual(expect.arrayContaining(['commander', 'xstate', 'zod']));
    for (const heavy of HEAVY) expect(r.packages.has(heavy), heavy).toBe(false);
    expect(r.own.filter((f) => f.startsWith('dist/src/inspector/'))).toEqual([]);
    expect(r.own).not.toContain('dist/src/cli/explore.js');
  });

  it('memhp --help still lists every subcommand', () => {
    const r = memhpLoads(['--help']);
    expect(r.status).toBe(0);
    for (const cmd of ['run', 'replay', 'show', 'sysfs', 'start', 'inspect', 'step', 'bisect', 'check', 'explore']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    for (const heavy of ['tsx', 'vite', 'ws', '@statelyai/inspect', 'fast-check', 'vitest']) expect(r.packages.has(heavy), heavy).toBe(false);
  });
});
