/** Runs the memhp CLI (step and bisect) in a child process, feeding stdin: the built bin/memhp.js, or the helper program through tsx. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/memhp.js');
const PROGRAM = path.join(ROOT, 'src/cli/program.ts');
const HELPER = path.join(import.meta.dirname, 'cli.ts');

/** The real `memhp` (bin/memhp.js → src/cli/main.ts) once it registers step and bisect, else the helper program. */
export function cliEntry(): string {
  if (process.env.MEMHP_TIMELINE_CLI === 'helper') return HELPER;
  const program = fs.existsSync(PROGRAM) ? fs.readFileSync(PROGRAM, 'utf8') : '';
  return fs.existsSync(BIN) && program.includes('registerStep') && program.includes('registerBisect') ? BIN : HELPER;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], stdin = ''): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const entry = cliEntry();
    const child = spawn(process.execPath, [...(entry === BIN ? [] : ['--import', 'tsx']), entry, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
