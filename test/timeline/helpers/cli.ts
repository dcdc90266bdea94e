/**
 * A memhp program with only `step` and `bisect` registered, for tests that
 * spawn the CLI while src/cli/main.ts is wired by someone else.
 */
import { Command } from 'commander';
import { registerBisect } from '../../../src/cli/bisect.ts';
import { registerStep } from '../../../src/cli/step.ts';

const program = new Command('memhp');
registerStep(program);
registerBisect(program);
await program.parseAsync(process.argv);
