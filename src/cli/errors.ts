/**
 * How a failure leaves the command: 2 for invalid input (a bad scenario, a
 * corrupt log, a bad command-line value), 1 for anything else. Kernel errors
 * are not failures at all: they are results (exit 0 unless --strict).
 */
import { CommanderError } from 'commander';
import { GeometryError } from '../kernel/geometry.ts';
import { LogFormatError } from '../log/index.ts';
import { ScenarioError, SizeError } from '../scenario/index.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID_INPUT = 2;

import { InputError } from '../input/errors.ts';

export { InputError };

/** The scenario ran but --strict asked for kernel errors to fail the command. */
export class StrictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrictError';
  }
}

export function isInvalidInput(err: unknown): boolean {
  return (
    err instanceof InputError ||
    err instanceof ScenarioError ||
    err instanceof LogFormatError ||
    err instanceof SizeError ||
    // A machine the simulator cannot lay out (e.g. a block size that is not a multiple of the section size).
    err instanceof GeometryError
  );
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version "fail" with exit code 0; every other commander error is a bad command line.
    return err.exitCode === 0 ? EXIT_OK : EXIT_INVALID_INPUT;
  }
  return isInvalidInput(err) ? EXIT_INVALID_INPUT : EXIT_FAILURE;
}

/** The line(s) printed on stderr for a failure. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    if (isInvalidInput(err) || err instanceof StrictError) return err.message;
    // Anything unexpected: keep the stack, it is a bug report.
    return process.env.MEMHP_DEBUG ? (err.stack ?? err.message) : `${err.message}`;
  }
  return String(err);
}
