/**
 * Real FUSE mounts for the tests: `memhp mount` and `memhp exec` run as child
 * processes (bin/memhp.js), real bash, lsmem and chmem act on them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO } from '../cli/helpers.ts';

/** Mounting needs root and /dev/fuse; CI and the developers' machines are root. */
export const CAN_MOUNT = process.getuid?.() === 0 && existsSync('/dev/fuse');

export function dir(prefix = 'memhp-fuse-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function scenarioFile(d: string, name: string, body: object): string {
  const p = join(d, `${name}.json`);
  writeFileSync(p, JSON.stringify({ name, ...body }));
  return p;
}

export interface Mounted {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

/** `memhp mount <file> <mnt> …` until it says it is ready. */
export async function mount(file: string, mnt: string, extra: string[] = []): Promise<Mounted> {
  const child = spawn(process.execPath, [BIN, 'mount', file, mnt, ...extra], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (out.includes('press Ctrl-C')) {
        clearInterval(check);
        resolve();
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(check);
      reject(new Error(`memhp mount exited ${code} before it was ready: ${err}`));
    });
  });
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Any command, collected. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', LANG: 'C', NO_COLOR: '1', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const bash = (script: string) => run('bash', ['-c', script]);

/** `memhp exec <file> [--log] -- cmd…` */
export const memhpExec = (file: string, log: string | null, cmd: string[]) =>
  run(process.execPath, [BIN, 'exec', file, ...(log ? ['--log', log] : []), '--', ...cmd]);

export const read = (p: string) => readFileSync(p, 'utf8');
