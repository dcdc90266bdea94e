/** `memhp inspect <scenario|log> [--port N] [--stately ws://…]`: the web inspector on 127.0.0.1. */
import type { Command } from 'commander';
import { printLines, warn } from './output.ts';
import { parsePort, serveInspector } from './serve.ts';
import { detectKind, loadSource } from '../session/source.ts';
import { InputError } from './errors.ts';
import { openBrowser } from './open-browser.ts';

interface InspectOptions {
  export?: string;
  port?: string;
  stately?: string;
  open?: boolean;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('open the web inspector (loopback only) on a scenario or log; stop with Ctrl-C')
    .argument('<file>', 'scenario file or memhp log (operations applied in the page are appended to a log; a scenario\'s stay in memory; applying one at a past step forks into a new .fork-N.jsonl log)')
    .option('--port <N>', 'TCP port on 127.0.0.1 (default: a free one)')
    .option('--stately <url>', 'also stream live actor events to a Stately inspector at this ws:// URL')
    .option('--open', 'open the page in a browser if this machine has one ($BROWSER or xdg-open)')
    .option('--export <trace.html>', 'write one self-contained file (page, engine and log, compressed) that opens from disk in a browser with no server and no network, and exit')
    .action(async (file: string, opts: InspectOptions) => {
      const port = parsePort(opts.port);
      if (!opts.stately && opts.export === undefined) {
        // served at once: the URL first, the file read in a worker while the page loads (a big log takes seconds)
        detectKind(file); // a missing file or a directory is said before anything starts
        const { startInspectorOnFile, LoadError } = await import('../inspector/index.ts');
        const running = await startInspectorOnFile(file, { port });
        printLines([`inspector: ${running.url}`, 'press Ctrl-C to stop']);
        // Ctrl-C / SIGTERM stop it from the moment the URL is out, also while the worker still reads the file
        let stopping = false;
        const stopped = untilStopped(() => {
          stopping = true;
          return running.close();
        });
        if (opts.open && !openBrowser(running.url)) warn('--open: no browser found ($BROWSER or xdg-open); open the URL above yourself');
        try {
          for (const w of (await running.loaded).warnings) warn(w);
        } catch (e) {
          // a load cut short by the user's stop is no error
          if (!stopping) {
            await running.close();
            throw e instanceof LoadError && e.input ? new InputError(e.message) : e;
          }
        }
        await stopped;
        return;
      }
      const source = loadSource(file);
      for (const w of source.warnings) warn(w);
      if (opts.export !== undefined) {
        const { exportTrace } = await import('../inspector/trace/export.ts');
        const r = await exportTrace({ name: source.spec.name, source: file, system: source.spec, events: source.events, out: opts.export });
        printLines([`trace: ${r.path} (${(r.bytes / 1024).toFixed(0)} KiB, ${source.events.length} events; open it in a browser, no server needed)`]);
        return;
      }
      const { url, done } = await serveInspector({
        name: source.spec.name,
        system: source.spec,
        events: source.events,
        ...(source.kind === 'log' ? { logPath: file } : {}),
        port,
        ...(opts.stately ? { stately: opts.stately } : {}),
      });
      printLines([`inspector: ${url}`, 'press Ctrl-C to stop']);
      if (opts.open && !openBrowser(url)) warn('--open: no browser found ($BROWSER or xdg-open); open the URL above yourself');
      await done;
    });
}

/** Until Ctrl-C or SIGTERM; then the inspector is closed. */
function untilStopped(close: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void close().finally(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
