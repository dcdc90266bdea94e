/**
 * Entry point of the `memhp` command (bin/memhp.js, `npm run memhp`, `npm start`).
 * Exit codes: 0 the job ran (kernel errors are results), 2 invalid input,
 * 1 anything else (including --strict with a kernel error).
 */
import { runCli } from './cli.ts';

// `memhp run x | head`: the reader went away. Stop quietly, as a C tool killed by SIGPIPE would;
// a log being written is whole up to the last operation already appended.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
    throw err;
  });
}

process.exitCode = await runCli(process.argv);
