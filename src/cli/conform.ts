/**
 * `memhp conform <scenario|log|transcript|dir> [--kernel 6.1|6.12|<bzImage>] [--modules <dir>] [--accel tcg|kvm] [--save <file>] [--json]`
 *
 * Runs a scenario (or an event log's operations) on a real Linux kernel under QEMU and in memhp,
 * and compares them after every operation (docs/conformance.md). A recorded transcript (or a
 * directory or packed corpus of them) is compared without QEMU. Exit 0: every compared step
 * agrees; 1: a divergence; 2: invalid input or nothing comparable.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { compareTranscript, summarise, type TranscriptComparison } from '../conform/compare.ts';
import { readTranscripts } from '../conform/corpus.ts';
import { fetchNamedKernel, KernelNotFound, resolveKernel } from '../conform/kernels.ts';
import { machineShape } from '../conform/mapping.ts';
import { formatComparison } from '../conform/report.ts';
import { GuestRunner } from '../conform/runner.ts';
import { TRANSCRIPT_FORMAT, TranscriptError, type Transcript } from '../conform/transcript.ts';
import type { Scenario } from '../kernel/ops.ts';
import { EXIT_FAILURE, EXIT_INVALID_INPUT, EXIT_OK, InputError } from './errors.ts';
import { printJson, printLines } from './output.ts';
import { loadSource } from '../session/source.ts';
import { styleFor } from './style.ts';

interface ConformOptions {
  kernel?: string;
  modules?: string;
  accel: string;
  save?: string;
  json?: boolean;
}

export function registerConform(program: Command): void {
  program
    .command('conform')
    .description('run a scenario on a real Linux kernel under QEMU and in memhp, and compare them after every operation')
    .argument('<input>', 'a scenario, an event log, a recorded transcript (or corpus .jsonl.gz), or a directory of them')
    .option('--kernel <kernel>', 'guest kernel: 6.1, 6.12 (fetched by bin/fetch-kernels.sh) or the path of a bzImage (default: by the scenario era)')
    .option('--modules <dir>', 'kernel modules directory for a bzImage (virtio_mem, memory-notifier-error-inject)')
    .option('--accel <accel>', 'QEMU accelerator: tcg or kvm', 'tcg')
    .option('--save <file>', 'write the recorded transcript(s) to <file> (one JSON per line)')
    .option('--json', 'print the comparison as JSON')
    .action(async (input: string, opts: ConformOptions) => {
      process.exitCode = await conformCommand(input, opts);
    });
}

function isTranscriptFile(path: string): boolean {
  if (path.endsWith('.jsonl.gz')) return true;
  if (!path.endsWith('.json')) return false;
  const head = readFileSync(path, 'utf8').slice(0, 200);
  return new RegExp(`"format"\\s*:\\s*"${TRANSCRIPT_FORMAT}"`).test(head);
}

/** The runnable inputs: [name, scenario] per scenario or log; transcripts separately. */
function collect(input: string): { scenarios: Array<[string, Scenario]>; transcripts: Transcript[] } {
  if (!existsSync(input)) throw new InputError(`${input}: no such file or directory`);
  const scenarios: Array<[string, Scenario]> = [];
  const transcripts: Transcript[] = [];
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) if (/\.(json|ya?ml|jsonl|jsonl\.gz)$/.test(name)) visit(join(path, name));
      return;
    }
    if (isTranscriptFile(path)) {
      try {
        transcripts.push(...readTranscripts(path));
      } catch (err) {
        if (err instanceof TranscriptError) throw new InputError(err.message);
        throw err;
      }
      return;
    }
    const src = loadSource(path);
    const ops = src.scenario ? src.scenario.ops : src.events.flatMap((e) => (e.type === 'op' && e.op.op !== 'boot' ? [e.op] : []));
    scenarios.push([path, { ...src.spec, ops } as Scenario]);
  };
  visit(input);
  return { scenarios, transcripts };
}

function defaultKernel(s: Scenario): string {
  return s.kernel === '5.13' || s.kernel === '5.15' ? '6.1' : '6.12';
}

async function conformCommand(input: string, opts: ConformOptions): Promise<number> {
  if (opts.accel !== 'tcg' && opts.accel !== 'kvm') throw new InputError(`--accel: ${JSON.stringify(opts.accel)} is not one of tcg, kvm`);
  const style = styleFor(process.stdout);
  const { scenarios, transcripts } = collect(input);
  const results: TranscriptComparison[] = transcripts.map(compareTranscript);
  const recorded: Transcript[] = [];
  const skipped: string[] = [];
  const runners = new Map<string, GuestRunner>();
  try {
    for (const [name, scenario] of scenarios) {
      const shape = machineShape(scenario);
      if ('reason' in shape) {
        skipped.push(`${name}: not comparable: ${shape.reason}`);
        continue;
      }
      const kernelName = opts.kernel ?? defaultKernel(scenario);
      let runner = runners.get(kernelName);
      if (!runner) {
        let kernel;
        try {
          fetchNamedKernel(kernelName, (line) => process.stderr.write(`${line}\n`));
          kernel = resolveKernel(kernelName, opts.modules);
        } catch (err) {
          if (err instanceof KernelNotFound) throw new InputError(err.message);
          throw err;
        }
        runner = new GuestRunner(kernel, { accel: opts.accel, onBoot: (c) => !opts.json && process.stderr.write(`booting ${kernelName} (${c}) …\n`) });
        runners.set(kernelName, runner);
      }
      if (!opts.json) process.stderr.write(`${name}: ${scenario.ops.length} operations on ${kernelName}\n`);
      const t = await runner.record(scenario, `${kernelName}/${name}`, undefined, (i, st) => {
        if (!opts.json) process.stderr.write(`  step ${i} ${st.op.op}: ${st.outcome.status}${st.outcome.errno ? ` ${st.outcome.errno}` : ''}\n`);
      });
      recorded.push(t);
      results.push(compareTranscript(t));
    }
  } finally {
    for (const r of runners.values()) await r.close(true);
  }
  if (opts.save && recorded.length) writeFileSync(opts.save, recorded.map((t) => JSON.stringify(t)).join('\n') + '\n');
  const sum = summarise(results);
  if (opts.json) printJson({ summary: sum, skipped, results });
  else {
    for (const r of results) printLines([...formatComparison(r, style), '']);
    printLines([
      ...skipped.map((s) => style.warn(s)),
      `${sum.sequences} sequence(s), ${sum.steps} steps: ${sum.agree} agree, ${sum.diverge} diverge, ${sum.historyDependent} history-dependent, ${sum.notComparable} not comparable; fields ${sum.fieldsAgreed}/${sum.fields} agree`,
    ]);
  }
  if (sum.diverge > 0) return EXIT_FAILURE;
  if (sum.agree === 0) {
    if (!opts.json) process.stderr.write('memhp conform: no operation could be compared\n');
    return EXIT_INVALID_INPUT;
  }
  return EXIT_OK;
}
