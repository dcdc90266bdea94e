/**
 * Entry point of the `memhp` command (bin/memhp.js, `npm run memhp`, `npm start`).
 * Exit codes: 0 the job ran (kernel errors are results), 2 invalid input,
 * 1 anything else (including --strict with a kernel error).
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';

async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
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

// `memhp run x | head`: the reader went away. Stop quietly, as a C tool killed by SIGPIPE would;
// a log being written is whole up to the last operation already appended.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
    throw err;
  });
}

process.exitCode = await main(process.argv);
