/**
 * The `memhp` command as a function: parses argv, runs the subcommand, and
 * returns the exit code (0 the job ran, 2 invalid input, 1 anything else),
 * having printed any failure on stderr. main.ts calls it for the real command;
 * tests and the torture script call it in-process (no Node start-up per run).
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgram([...argv]);
    await program.parseAsync([...argv]);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    // commander has already printed its own message: --help and --version end with 0, a bad
    // command line with 2 (invalid input), without loading errors.ts below.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    // Loaded only now: it knows every error class (scenario, log, geometry), and with them zod.
    const { describeError, exitCodeFor } = await import('./errors.ts');
    process.stderr.write(`memhp: ${describeError(err)}\n`);
    return exitCodeFor(err);
  }
}
