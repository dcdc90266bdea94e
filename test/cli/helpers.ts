/**
 * Runs the real `memhp` command (bin/memhp.js) as a child process and
 * collects its exit code and output.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin', 'memhp.js');
export const SCENARIOS = join(REPO, 'scenarios');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function memhp(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** `memhp … --json` that must succeed: its parsed output. */
export async function memhpJson<T = any>(args: readonly string[], opts: { cwd?: string } = {}): Promise<T> {
  const r = await memhp([...args, '--json'], opts);
  if (r.code !== 0) throw new Error(`memhp ${args.join(' ')} --json exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A fresh temporary directory, removed after the file's tests. */
export function tempDir(prefix = 'memhp-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const scenario = (name: string) => join(SCENARIOS, name);
