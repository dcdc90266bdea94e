/**
 * `memhp start` (what `npm start` runs): the seed scenario — the reviewer's
 * question from the 2019 series — run with its log written under .memhp/,
 * told as a story, then opened in the inspector.
 */
import { mkdirSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { openBrowser } from './open-browser.ts';
import type { Command } from 'commander';
import { worldViewJson } from '../engine/view-json.ts';
import type { MemhpEvent } from '../engine/events.ts';
import { geometryOf } from '../kernel/geometry.ts';
import { executeScenario } from './execute.ts';
import { formatOpBlock } from './op-report.ts';
import { enforceStrict, outcomeLine, printJson, printLines, warn } from './output.ts';
import { parsePort, serveInspector } from './serve.ts';
import { loadScenario } from '../session/source.ts';
import { inShort, machineLines } from './story.ts';
import { styleFor } from './style.ts';
import { formatWorld } from './world-text.ts';
import { packagePath } from '../package-root.ts';

export const SEED_SCENARIO = packagePath('scenarios', 'seed-reviewer-partial-remove.json');

interface StartOptions {
  logDir: string;
  port?: string;
  inspect: boolean;
  json?: boolean;
  strict?: boolean;
  open?: boolean;
}

/** A fresh log name: the scenario's, the time (metadata only, never in the world) and the pid. */
function newLogPath(dir: string, scenarioFile: string): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(dir, `${basename(scenarioFile, extname(scenarioFile))}-${stamp}-${process.pid}.jsonl`);
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('the main job: run the seed scenario (or another), tell what happened, open the inspector on its log')
    .argument('[scenario]', 'scenario file', SEED_SCENARIO)
    .option('--log-dir <dir>', 'where to write the log', '.memhp')
    .option('--port <N>', 'inspector port on 127.0.0.1 (default: a free one)')
    .option('--no-inspect', 'tell the story and exit, without starting the inspector')
    .option('--open', 'open the inspector in a browser if this machine has one ($BROWSER or xdg-open)')
    .option('--json', 'print one JSON object { scenario, log, ops, world, url? } instead of the story')
    .option('--strict', 'exit 1 if any operation returns a kernel error')
    .action((file: string, opts: StartOptions) => startCommand(file, opts));
}

async function startCommand(file: string, opts: StartOptions): Promise<void> {
  const port = parsePort(opts.port);
  const scenario = loadScenario(file);
  const { pageSize, blockSize } = geometryOf(scenario);
  const style = styleFor(process.stdout);
  const logPath = newLogPath(opts.logDir, file);
  const human = !opts.json;
  const shownLog = relative(process.cwd(), logPath) || logPath;

  if (human) {
    printLines([
      style.bold(`memhp — ${scenario.name}`),
      ...(scenario.description ? [scenario.description] : []),
      '',
      ...machineLines(scenario, blockSize),
      '',
      style.bold('What happened, operation by operation (indented: what changed):'),
    ]);
  }
  const run = executeScenario(scenario, {
    logPath,
    keepEvents: true,
    onOp: (index: number, events: readonly MemhpEvent[]) => {
      if (human) printLines(formatOpBlock(index < 0 ? 'boot' : String(index), events, pageSize, style));
    },
  });
  if (human) {
    printLines([
      '',
      style.bold('The world afterwards:'),
      ...formatWorld(run.view, style),
      '',
      style.bold('In short:'),
      ...inShort(run.records, run.events!, run.view, style),
      outcomeLine(run.records, run.view),
      '',
      `log: ${shownLog} (${run.lastSeq} events). Step through it: memhp show ${shownLog} --at N; memhp replay ${shownLog} --verify`,
    ]);
  }
  // --strict with a kernel error exits 1 without starting the inspector, but --json still prints its object.
  const strictFails = opts.strict === true && run.records.some((r) => r.ret !== 0);
  if (!opts.inspect || strictFails) {
    if (opts.json) printJson({ scenario: scenario.name, log: logPath, ops: run.records, world: worldViewJson(run.world) });
    if (opts.strict) enforceStrict(run.records);
    return;
  }
  const { ops: _ops, ...system } = scenario;
  const { url, done } = await serveInspector({ name: scenario.name, system, events: run.events!, logPath, port });
  if (opts.json) printJson({ scenario: scenario.name, log: logPath, ops: run.records, world: worldViewJson(run.world), url });
  else printLines(['', style.bold(`inspector: ${url}`), `${resolve(file) === SEED_SCENARIO ? 'the seed log' : 'its log'} is open there; press Ctrl-C to stop`]);
  if (opts.open && !openBrowser(url)) warn('--open: no browser found ($BROWSER or xdg-open); open the URL above yourself');
  await done;
}
