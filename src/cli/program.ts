/**
 * The `memhp` command tree. Each subcommand lives in its own file and
 * registers itself; subcommands owned by other areas (timeline, checker)
 * are picked up when their files exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerInspect } from './inspect.ts';
import { registerMount } from './mount.ts';
import { registerExec } from './exec.ts';
import { registerReplay } from './replay.ts';
import { registerRun } from './run.ts';
import { registerShow } from './show.ts';
import { registerStart } from './start.ts';
import { registerSysfs } from './sysfs.ts';
import { warn } from './output.ts';

/** Subcommand modules written by other areas: file → the register function it exports. */
const OPTIONAL: ReadonlyArray<[file: string, exportName: string]> = [
  ['./step.ts', 'registerStep'],
  ['./bisect.ts', 'registerBisect'],
  ['./check.ts', 'registerCheck'],
  ['./explore.ts', 'registerExplore'],
];

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function registerOptional(program: Command): Promise<void> {
  for (const [file, exportName] of OPTIONAL) {
    const url = new URL(file, import.meta.url);
    if (!existsSync(url)) continue;
    try {
      const mod = (await import(url.href)) as Record<string, unknown>;
      const register = mod[exportName];
      if (typeof register === 'function') (register as (p: Command) => void)(program);
      else warn(`src/cli/${file.slice(2)} does not export ${exportName}(program); its commands are missing`);
    } catch (err) {
      warn(`src/cli/${file.slice(2)} failed to load (${(err as Error).message}); its commands are missing`);
    }
  }
}

export async function buildProgram(): Promise<Command> {
  const program = new Command('memhp')
    .description('time-travel simulator of Linux memory hot(un)plug')
    .version(version())
    .showHelpAfterError('(run memhp --help for usage)')
    .exitOverride();
  registerRun(program);
  registerReplay(program);
  registerShow(program);
  registerSysfs(program);
  registerStart(program);
  registerInspect(program);
  registerMount(program);
  registerExec(program);
  await registerOptional(program);
  // Every subcommand, including ones registered by other files, reports usage errors the same way.
  for (const cmd of program.commands) applyExitOverride(cmd);
  return program;
}

function applyExitOverride(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) applyExitOverride(sub);
}
