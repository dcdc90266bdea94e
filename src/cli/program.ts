/**
 * The `memhp` command tree. Each subcommand lives in its own file and
 * registers itself. Those files import what their command needs (the engine,
 * zod, xstate, the inspector server …), so only the subcommand being run is
 * loaded: `memhp --version` loads none, `memhp run` loads run's, and a bare
 * `memhp`, `--help`, `help` or an unknown word loads them all (the help lists
 * them, and commander suggests the nearest name).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { packagePath } from '../package-root.ts';

type Register = (program: Command) => unknown;

/** Subcommand name → the loader of the function that registers it. */
const SUBCOMMANDS: ReadonlyArray<[name: string, load: () => Promise<Register>]> = [
  ['run', async () => (await import('./run.ts')).registerRun],
  ['compare', async () => (await import('./compare.ts')).registerCompare],
  ['replay', async () => (await import('./replay.ts')).registerReplay],
  ['show', async () => (await import('./show.ts')).registerShow],
  ['sysfs', async () => (await import('./sysfs.ts')).registerSysfs],
  ['import', async () => (await import('./import.ts')).registerImport],
  ['start', async () => (await import('./start.ts')).registerStart],
  ['inspect', async () => (await import('./inspect.ts')).registerInspect],
  ['mount', async () => (await import('./mount.ts')).registerMount],
  ['exec', async () => (await import('./exec.ts')).registerExec],
  ['step', async () => (await import('./step.ts')).registerStep],
  ['bisect', async () => (await import('./bisect.ts')).registerBisect],
  ['why', async () => (await import('./why.ts')).registerWhy],
  ['check', async () => (await import('./check.ts')).registerCheck],
  ['explore', async () => (await import('./explore.ts')).registerExplore],
  ['conform', async () => (await import('./conform.ts')).registerConform],
];

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Root options that take no value, so the word after them can be the subcommand. */
const ROOT_FLAGS = new Set(['-V', '--version', '-h', '--help']);

/**
 * Which subcommands `argv` needs: the one it names, none when it only asks
 * for the version, else all of them.
 */
function subcommandsFor(args: readonly string[]): ReadonlyArray<(typeof SUBCOMMANDS)[number]> {
  const word = args.find((a) => !a.startsWith('-'));
  const named = SUBCOMMANDS.find(([name]) => name === word);
  if (named && args.slice(0, args.indexOf(word!)).every((a) => ROOT_FLAGS.has(a) && a !== '-h' && a !== '--help')) return [named];
  if (word === undefined && args.length > 0 && args.every((a) => a === '-V' || a === '--version')) return [];
  return SUBCOMMANDS;
}

/** The command tree for `argv` (process.argv: node, script, then the arguments); without it, all of it. */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('memhp')
    .description('time-travel simulator of Linux memory hot(un)plug')
    .version(version())
    .showHelpAfterError('(run memhp --help for usage)')
    .exitOverride();
  const wanted = argv ? subcommandsFor(argv.slice(2)) : SUBCOMMANDS;
  const registers = await Promise.all(wanted.map(([, load]) => load()));
  for (const register of registers) register(program);
  // Every subcommand reports usage errors the same way.
  for (const cmd of program.commands) applyExitOverride(cmd);
  return program;
}

function applyExitOverride(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) applyExitOverride(sub);
}
