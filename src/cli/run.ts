/** `memhp run <scenario> [--log out.jsonl] [--json] [--strict]` */
import type { Command } from 'commander';
import { worldViewJson } from '../engine/view-json.ts';
import type { MemhpEvent } from '../engine/events.ts';
import { geometryOf } from '../kernel/geometry.ts';
import { InputError } from './errors.ts';
import { executeScenario } from './execute.ts';
import { formatOpBlock } from './op-report.ts';
import { enforceStrict, outcomeLine, printJson, printLines } from './output.ts';
import { startProgress } from '../input/progress.ts';
import { checkLogPath, loadScenario } from '../session/source.ts';
import { styleFor } from './style.ts';
import { formatWorld } from './world-text.ts';

interface RunOptions {
  log?: string;
  json?: boolean;
  strict?: boolean;
  actors: 'live' | 'table';
  kernel?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a scenario: each operation with its result and what changed, then the final memory map')
    .argument('<scenario>', 'scenario file (JSON)')
    .option('--log <file>', 'write the event log to <file> as the run goes (must not exist)')
    .option('--json', 'print one JSON object { ops, world } instead of text')
    .option('--strict', 'exit 1 if any operation returns a kernel error')
    .option('--actors <kind>', 'decide through live XState actors or the machines\' tables (live|table)', 'live')
    .option('--kernel <eras>', 'several eras, comma-separated (5.13,6.6,6.8): run the scenario under each, side by side, as `memhp compare` does')
    .action(async (file: string, opts: RunOptions) => {
      if (opts.kernel === undefined) return runCommand(file, opts);
      if (opts.log) throw new InputError('--log and --kernel: a comparison of eras runs several systems, which make no one log (run one era with --log)');
      (await import('./compare.ts')).compareCommand(file, opts.kernel, opts.json === true);
    });
}

function runCommand(file: string, opts: RunOptions): void {
  const scenario = loadScenario(file);
  const actors = actorsOption(opts.actors);
  if (opts.log) checkLogPath(opts.log);
  const style = styleFor(process.stdout);
  const { pageSize } = geometryOf(scenario);
  const human = !opts.json;
  // Per-op lines already show progress on a terminal; the bar is for output that goes elsewhere.
  const progress = startProgress('run', scenario.ops.length, { enabled: opts.json || !process.stdout.isTTY });
  if (human) {
    printLines([style.bold(`scenario: ${scenario.name}`), ...(scenario.description ? [scenario.description] : []), `kernel ${scenario.kernel}, ${scenario.arch}`, '']);
  }
  const onOp = (index: number, events: readonly MemhpEvent[]) => {
    if (index >= 0) progress.tick();
    if (human) printLines(formatOpBlock(index < 0 ? 'boot' : String(index), events, pageSize, style));
  };
  let result;
  try {
    // --json reads only each op's first and last event (its record): the rest need not be kept
    result = executeScenario(scenario, { ...(opts.log ? { logPath: opts.log } : {}), actors, onOp, opEvents: human ? 'all' : 'ends' });
  } finally {
    progress.stop();
  }
  if (opts.json) {
    printJson({ scenario: scenario.name, ...(opts.log ? { log: opts.log } : {}), ops: result.records, world: worldViewJson(result.world) });
  } else {
    printLines(['', ...formatWorld(result.view, style), '', outcomeLine(result.records, result.view), ...(opts.log ? [`log: ${opts.log} (${result.lastSeq} events)`] : [])]);
  }
  if (opts.strict) enforceStrict(result.records);
}

export function actorsOption(value: string): 'live' | 'table' {
  if (value === 'live' || value === 'table') return value;
  throw new InputError(`--actors: ${JSON.stringify(value)} is not one of live, table`);
}
