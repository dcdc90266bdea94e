/**
 * `memhp exec <scenario|log> [--log out.jsonl] -- <command> [args…]`: the command runs
 * with the simulated sysfs over /sys/devices/system/{memory,node}, /sys/module/memory_hotplug
 * and /sys/kernel/debug in a private mount namespace (src/fuse/exec.ts); its exit status is
 * memhp's. Loaded lazily: the FUSE server is imported only when this runs.
 */
import type { Command } from 'commander';
import { InputError } from './errors.ts';

export function registerExec(program: Command): void {
  program
    .command('exec')
    .description('run a command with the simulated sysfs mounted over /sys/devices/system/{memory,node}, /sys/module/memory_hotplug and /sys/kernel/debug (private mount namespace; needs root and /dev/fuse); prints the writes it made and where the log is; exits with the command\'s status')
    .argument('<file>', 'scenario file or memhp log (a log without --log is continued in place)')
    .argument('<command...>', 'the command and its arguments (after --)')
    .option('--log <out.jsonl>', 'write the log here (default: a new file in the temp dir for a scenario)')
    .action(async (file: string, command: string[], opts: { log?: string }) => {
      if (command.length === 0) throw new InputError('exec: no command given (memhp exec <scenario|log> -- <command> [args…])');
      const { execInNamespace, outcomeLines } = await import('../fuse/exec.ts');
      const req = { file, command, ...(opts.log ? { logPath: opts.log } : {}) };
      const outcome = await execInNamespace(req);
      for (const n of outcome.notes) process.stderr.write(`memhp: note: ${n}\n`);
      process.stderr.write(`${outcomeLines(req, outcome).join('\n')}\n`);
      process.exitCode = outcome.exitCode;
    });
}
