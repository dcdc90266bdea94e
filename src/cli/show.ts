/** `memhp show <scenario|log> [--at N] [--json]`: the world at one step. */
import type { Command } from 'commander';
import { replay } from '../engine/replay.ts';
import { toView } from '../engine/to-view.ts';
import type { WorldView } from '../engine/view.ts';
import type { World } from '../engine/world.ts';
import { splitByOp } from './changes.ts';
import { opRecord, type OpRecord } from './op-report.ts';
import { printJson, printLines, warn } from './output.ts';
import { loadSource, parseStep, type Source } from '../session/source.ts';
import { styleFor } from './style.ts';
import { formatWorld, showJson } from './world-text.ts';

interface ShowOptions {
  at?: string;
  json?: boolean;
}

/** The world of a scenario or log after event `--at` (default: the end). */
export function worldAt(file: string, at: string | undefined): { source: Source; seq: number; view: WorldView } {
  const { world, ...rest } = worldStateAt(file, at);
  return { ...rest, view: toView(world) };
}

/** The same world, not yet a view (a command that needs only part of the view builds that part). */
export function worldStateAt(file: string, at: string | undefined): { source: Source; seq: number; world: World } {
  const source = loadSource(file);
  for (const w of source.warnings) warn(w);
  const seq = parseStep('--at', at, source.events.length);
  return { source, seq, world: replay(source.spec, source.events, seq) };
}

/** The operations up to event `seq` (boot not counted), as `run --json` lists them. */
function opsUpTo(source: Source, seq: number): OpRecord[] {
  const groups = splitByOp(source.events.slice(0, seq)).filter((g) => g[0]!.type === 'op' && (g[0] as { op: { op: string } }).op.op !== 'boot');
  return groups.map((g, i) => opRecord(i, g));
}

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('the world at a step: ranges like lsmem, where each block\'s struct pages live, pages per node and zone')
    .argument('<file>', 'scenario file or memhp log')
    .option('--at <N>', 'the world after event N (default: the end)')
    .option('--json', 'print one JSON object { ops, world, ranges, memmap } (ops: those up to the step)')
    .action((file: string, opts: ShowOptions) => {
      const { source, seq, view } = worldAt(file, opts.at);
      if (opts.json) {
        printJson({ source: { kind: source.kind, path: file }, at: seq, lastSeq: source.events.length, ops: opsUpTo(source, seq), world: view, ...showJson(view) });
        return;
      }
      const style = styleFor(process.stdout);
      printLines([style.dim(`${source.kind} ${file}: ${source.spec.name} — event ${seq} of ${source.events.length}`), ...formatWorld(view, style)]);
    });
}
