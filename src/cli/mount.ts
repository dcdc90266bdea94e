/**
 * `memhp mount <scenario|log> <mountpoint> [--log out.jsonl] [--inspect] [--port N]`:
 * the simulated sysfs over FUSE for real tools (src/fuse). Loaded only when
 * the subcommand runs: nothing else pays for the FUSE server.
 */
import type { Command } from 'commander';
import { InputError } from './errors.ts';
import { printLines, warn } from './output.ts';
import { parsePort } from './serve.ts';

interface MountCliOptions {
  log?: string;
  inspect?: boolean;
  port?: string;
}

export function registerMount(program: Command): void {
  program
    .command('mount')
    .description('serve the simulated sysfs at <mountpoint>/sys over FUSE (devices/system/{memory,node}, module/memory_hotplug, kernel/debug/notifier-error-inject); every write(2) is an operation in the log; stop with Ctrl-C')
    .argument('<file>', 'scenario file or memhp log (a log without --log is continued in place)')
    .argument('<mountpoint>', 'an empty directory (made if missing; a stale memhp mount there is cleared)')
    .option('--log <out.jsonl>', 'write the log here (default: a new file in the temp dir for a scenario)')
    .option('--inspect', 'also serve the web inspector on the same live system')
    .option('--port <N>', 'inspector port on 127.0.0.1 (with --inspect; default: a free one)')
    .action(async (file: string, mountpoint: string, opts: MountCliOptions) => {
      const port = parsePort(opts.port);
      if (opts.port !== undefined && !opts.inspect) throw new InputError('--port: only with --inspect');
      const { startMount } = await import('../fuse/session.ts');
      const session = await startMount({ file, mountpoint, ...(opts.log ? { logPath: opts.log } : {}) });
      for (const n of session.notes) warn(n);
      const lines = [`mounted ${session.mountpoint} (sysfs of ${session.live.session.branch.name} at event ${session.live.startSeq})`, `log: ${session.live.logPath}`];
      let closeInspector: (() => Promise<void>) | null = null;
      if (opts.inspect) {
        const { startInspector } = await import('../inspector/index.ts');
        const { EngineBackend } = await import('../inspector/engine-backend.ts');
        const running = await startInspector({ backend: new EngineBackend({ session: session.live.session }), port });
        closeInspector = () => running.close();
        lines.push(`inspector: ${running.url}`);
      }
      lines.push(`try: lsmem --sysroot ${session.mountpoint}   (the tree is ${session.mountpoint}/sys/devices/system/memory)`);
      lines.push('press Ctrl-C to unmount');
      printLines(lines);
      await session.untilSignal();
      await closeInspector?.();
      const ops = session.live.opsSince(session.live.startSeq);
      await session.close();
      printLines([`unmounted ${session.mountpoint}; ${ops.length} write${ops.length === 1 ? '' : 's'} recorded in ${session.live.logPath}`]);
    });
}
