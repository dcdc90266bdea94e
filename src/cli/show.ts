/** `memhp show <scenario|log> [--at N] [--json]`: the world at one step. */
import type { Command } from 'commander';
import { replay } from '../engine/replay.ts';
import { toView } from '../engine/to-view.ts';
import type { WorldView } from '../engine/view.ts';
import { printJson, printLines, warn } from './output.ts';
import { loadSource, parseStep, type Source } from './source.ts';
import { styleFor } from './style.ts';
import { formatWorld, showJson } from './world-text.ts';

interface ShowOptions {
  at?: string;
  json?: boolean;
}

/** The world of a scenario or log after event `--at` (default: the end). */
export function worldAt(file: string, at: string | undefined): { source: Source; seq: number; view: WorldView } {
  const source = loadSource(file);
  for (const w of source.warnings) warn(w);
  const seq = parseStep('--at', at, source.events.length);
  return { source, seq, view: toView(replay(source.spec, source.events, seq)) };
}

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('the world at a step: ranges like lsmem, where each block\'s struct pages live, pages per node and zone')
    .argument('<file>', 'scenario file or memhp log')
    .option('--at <N>', 'the world after event N (default: the end)')
    .option('--json', 'print one JSON object { world, ranges, memmap }')
    .action((file: string, opts: ShowOptions) => {
      const { source, seq, view } = worldAt(file, opts.at);
      if (opts.json) {
        printJson({ source: { kind: source.kind, path: file }, at: seq, lastSeq: source.events.length, world: view, ...showJson(view) });
        return;
      }
      const style = styleFor(process.stdout);
      printLines([style.dim(`${source.kind} ${file}: ${source.spec.name} — event ${seq} of ${source.events.length}`), ...formatWorld(view, style)]);
    });
}
