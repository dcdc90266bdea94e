/**
 * A run writing a log survives being killed midway: the log holds every op
 * already printed and verifies. Progress: a bar on a terminal's stderr,
 * nothing on a piped one.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog } from '../../src/log/index.ts';
import { BIN, memhp, memhpJson, tempDir } from './helpers.ts';

const dir = tempDir();

/** 6.8, 4 GiB added at 4G, then block 32 onlined and offlined `n` times. */
function toggleScenario(file: string, n: number): string {
  const ops: unknown[] = [{ op: 'add_memory', node: 0, start: '4G', size: '4G' }];
  for (let i = 0; i < n; i++) ops.push({ op: 'state', block: 32, value: i % 2 === 0 ? 'online' : 'offline' });
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ name: 'toggle', kernel: '6.8', arch: 'x86_64', machine: { memoryBlockSize: '128M' }, boot: [{ node: 0, size: '4G' }], ops }));
  return path;
}

describe('durability and progress', { timeout: 180_000 }, () => {
  it('SIGKILL in the middle of run --log leaves a valid log of the ops done', async () => {
    const file = toggleScenario('long.json', 20000);
    const log = join(dir, 'killed.jsonl');
    const printedOps = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'run', file, '--log', log], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let killed = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        // Each op's line is printed only after its events were appended and fsynced.
        if (!killed && out.includes('\n[50] ')) {
          killed = true;
          child.kill('SIGKILL');
        }
      });
      child.on('error', reject);
      child.on('close', (_code, signal) => {
        if (signal !== 'SIGKILL') return reject(new Error(`run ended on its own before it was killed: ${out.slice(-300)}`));
        resolve((out.match(/^\[\d+\] /gm) ?? []).length);
      });
    });
    expect(printedOps).toBeGreaterThanOrEqual(51);
    const read = readLog(log);
    const ops = read.events.filter((e) => e.type === 'op' && e.op.op !== 'boot');
    expect(ops.length).toBeGreaterThanOrEqual(printedOps);
    expect(ops.length).toBeLessThan(20001);
    // The cut log replays and re-decides cleanly.
    const rep = await memhp(['replay', log, '--verify', '--json']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(JSON.parse(rep.stdout).verify.ok).toBe(true);
  });

  it('a long run shows a progress bar when stderr is a terminal, and is quiet when piped', async () => {
    const file = toggleScenario('progress.json', 400);
    // script(1) gives the command a real pseudo-terminal.
    const tty = execFileSync('script', ['-qec', `${process.execPath} ${BIN} run ${file} --json --actors table > /dev/null`, '/dev/null'], { encoding: 'utf8' });
    expect(tty).toMatch(/run \[.*\] \d+\/401/);
    const piped = await memhp(['run', file, '--json', '--actors', 'table']);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(JSON.parse(piped.stdout).ops).toHaveLength(401);
  });

  it('--actors table decides exactly as live actors do', async () => {
    const file = toggleScenario('short.json', 6);
    const live = await memhpJson(['run', file]);
    const table = await memhpJson(['run', file, '--actors', 'table']);
    expect(table).toEqual(live);
  });
});
