/**
 * The ways people start memhp: bin/memhp.js (what `npx memhp` runs), `npm run memhp --`,
 * and the command tree they reach, other areas' subcommands included.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { memhp, REPO, tempDir } from './helpers.ts';

const exec = promisify(execFile);
const dir = tempDir();
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

describe('launching memhp', { timeout: 120_000 }, () => {
  it('bin/memhp.js prints the version', async () => {
    const r = await memhp(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it('npx memhp and npm run memhp -- reach the same command', async () => {
    const npx = await exec('npx', ['--offline', 'memhp', '--version'], { cwd: REPO });
    expect(npx.stdout.trim()).toBe(VERSION);
    const npm = await exec('npm', ['run', '--silent', 'memhp', '--', 'show', 'scenarios/seed-reviewer-guard.json', '--json'], { cwd: REPO });
    expect(JSON.parse(npm.stdout).world.kernel).toBe('v2-2019');
  });

  it('--help lists every subcommand, including the timeline and checker ones', async () => {
    const r = await memhp(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['run', 'replay', 'show', 'sysfs', 'start', 'inspect', 'step', 'bisect', 'check', 'explore']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    }
    expect(r.stderr).toBe(''); // no module failed to load
  });

  it('output cut short by a closed pipe ends quietly', async () => {
    // Far more output than a pipe buffers, so memhp is still writing when head has gone.
    const ops: unknown[] = [{ op: 'add_memory', node: 0, start: '4G', size: '1G' }];
    for (let i = 0; i < 3000; i++) ops.push({ op: 'state', block: 32, value: i % 2 ? 'offline' : 'online' });
    const file = join(dir, 'long.json');
    writeFileSync(file, JSON.stringify({ kernel: '6.8', arch: 'x86_64', machine: { memoryBlockSize: '128M' }, boot: [{ node: 0, size: '4G' }], ops }));
    const r = await exec('bash', ['-c', `set -o pipefail; ${process.execPath} bin/memhp.js run ${file} --actors table | head -1`], { cwd: REPO });
    expect(r.stdout).toMatch(/^scenario: /);
    expect(r.stderr).toBe('');
  });
});
