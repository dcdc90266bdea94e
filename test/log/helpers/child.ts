/** Runs test/log/helpers/appender.ts as a real child process and reads its stdout line by line. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

export interface Child {
  proc: ChildProcess;
  /** Resolves with the next stdout line (rejects if the child exits first). */
  nextLine(): Promise<string>;
  /** Resolves with the exit code (or signal) and all of stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): Promise<void>;
  /** After the child is gone: every stdout line not yet taken by nextLine(). */
  rest(): Promise<string[]>;
}

export function runAppender(mode: string, file: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'appender.ts'), mode, file], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  const lines: string[] = [];
  const waiters: Array<(l: string | null) => void> = [];
  let closed = false;
  let onClose = () => {};
  const closedP = new Promise<void>((r) => (onClose = r));
  const rl = readline.createInterface({ input: proc.stdout! });
  rl.on('line', (l) => (waiters.length ? waiters.shift()!(l) : lines.push(l)));
  rl.on('close', () => {
    closed = true;
    onClose();
    while (waiters.length) waiters.shift()!(null);
  });
  return {
    proc,
    exited,
    nextLine() {
      if (lines.length) return Promise.resolve(lines.shift()!);
      if (closed) return exited.then((x) => Promise.reject(new Error(`appender exited (${x.code ?? x.signal}): ${x.stderr}`)));
      return new Promise((resolve, reject) =>
        waiters.push((l) => (l === null ? exited.then((x) => reject(new Error(`appender exited (${x.code ?? x.signal}): ${x.stderr}`))) : resolve(l))),
      );
    },
    async rest() {
      await closedP;
      return lines.splice(0);
    },
    async kill() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
