/**
 * Runs the memhp command in this process (src/cli/cli.ts) and collects its exit code and
 * output: the fuzz suite runs hundreds of commands, and a Node start-up per command would
 * cost more than all of them. The real process is exercised by test/cli and by a few runs here.
 */
import { runCli } from '../../../src/cli/cli.ts';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let busy = false;

export async function memhpInProcess(args: readonly string[]): Promise<Outcome> {
  if (busy) throw new Error('memhpInProcess: one command at a time (it borrows process.stdout)');
  busy = true;
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const savedExitCode = process.exitCode;
  const capture = (into: string[]) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  process.exitCode = undefined;
  try {
    const code = await runCli(['node', 'memhp', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    process.exitCode = savedExitCode;
    busy = false;
  }
}
