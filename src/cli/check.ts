/**
 * `memhp check <scenario|log> [--json]`: every invariant after every
 * operation. Exit 0 when all hold, 1 at the first violation (printed with
 * its step, the operation that caused it and the explanation), 2 for
 * invalid input.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { checkLogEvents, checkScenario, type CheckReport } from '../check/run-check.ts';
import { INVARIANTS } from '../check/invariants/index.ts';
import { EXIT_FAILURE, EXIT_OK, InputError } from './errors.ts';
import { warn } from './output.ts';
import { detectKind, loadLog, loadScenario } from '../session/source.ts';

export interface CheckCommandOptions {
  json?: boolean;
}

/** The report as lines of text. */
export function formatCheckReport(r: CheckReport): string[] {
  const lines = [`memhp check: ${r.source} (${r.kind}, ${r.system.arch} ${r.system.kernel}): ${r.invariants.length} invariants`];
  if (!r.first) {
    lines.push(`all ${r.invariants.length} invariants hold after boot and after each of ${r.steps} operation${r.steps === 1 ? '' : 's'}`);
    return lines;
  }
  const f = r.first;
  const what = f.description;
  const result = f.ret === 0 ? 'returned 0' : `returned -${f.errno}`;
  lines.push(`VIOLATION at step ${f.step} (event ${f.seq}): ${what} — ${result}`);
  lines.push(`  invariant ${f.violation.invariant} is broken:`);
  lines.push(`  ${f.violation.message}`);
  const more = f.violations.length - 1;
  if (more > 0) lines.push(`  (${more} more violation${more === 1 ? '' : 's'} in this state; --json lists them all)`);
  return lines;
}

/** Runs the check and prints it; returns the exit code. */
export function runCheck(file: string, opts: CheckCommandOptions = {}): number {
  if (!existsSync(file)) throw new InputError(`${file}: no such file`);
  // Read through the CLI's loaders: the same file errors as every other command, and a log's
  // dropped torn tail is said out loud (the check covers only what survived).
  let report: CheckReport;
  if (detectKind(file) === 'log') {
    const log = loadLog(file);
    for (const w of log.warnings) warn(w);
    report = checkLogEvents(log.spec, log.events, file);
  } else {
    report = checkScenario(loadScenario(file), file);
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${formatCheckReport(report).join('\n')}\n`);
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .argument('<file>', 'a scenario file or a memhp log (.jsonl)')
    .description(
      `check every invariant after every operation (${INVARIANTS.map((i) => i.name).join(', ')}); exit 1 at the first violation`,
    )
    .option('--json', 'print one JSON object { source, kind, steps, ok, first: { step, seq, op, violation, violations } }')
    .action((file: string, opts: CheckCommandOptions) => {
      process.exitCode = runCheck(file, opts);
    });
}
