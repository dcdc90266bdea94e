/**
 * `memhp bisect <log> --until '<predicate>'`: the first step where a
 * predicate over the world holds, by binary search over checkpointed seeks.
 * The predicate must be monotone (false, then true for good, e.g. a fault
 * or a taint); see src/timeline/bisect.ts. Predicate language:
 * src/timeline/predicate.ts.
 */
import { startBytesProgress } from '../input/progress.ts';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { bisect, type BisectResult } from '../timeline/bisect.ts';
import { describeEvent } from '../timeline/format.ts';
import { parsePredicate, type Predicate } from '../timeline/predicate.ts';
import { Timeline } from '../timeline/timeline.ts';
import { notALog } from '../session/source.ts';

export interface BisectCommandOptions {
  until: string;
  json?: boolean;
}

export const PREDICATE_HELP = `predicate language (no eval, a small parser):
  paths over the world view: blocks[65].state  zones[0].Movable.managedPages  nodes[1].online
                             sections[520].memmapLost  vmemmap[0x200000].refcount  faults.length  tainted
  (blocks[N] is block id N, zones[N].Zone is node N's zone, vmemmap[P] the head at pfn P)
  compare: == != < <= > >=   combine: && || !   parentheses   literals: 42 0x8000 "online" true false null
  a path alone is a truth test (false, null, 0, "" and [] are false); a path naming nothing is null
  the predicate must be monotone: false up to some step, true from then on`;

/**
 * The `memhp bisect` action. Exit 0 when the predicate holds somewhere,
 * 1 when it never holds, 2 for invalid input (bad log, bad predicate).
 */
export function runBisect(logPath: string, opts: BisectCommandOptions, io: { output?: Writable; error?: Writable } = {}): number {
  const output = io.output ?? process.stdout;
  const error = io.error ?? process.stderr;
  let predicate: Predicate;
  let timeline: Timeline;
  try {
    predicate = parsePredicate(opts.until);
  } catch (e) {
    error.write(`memhp bisect: --until: ${(e as Error).message}\n`);
    return 2;
  }
  const notLog = notALog(logPath);
  if (notLog) {
    error.write(`memhp bisect: ${notLog}\n`);
    return 2;
  }
  const progress = startBytesProgress('reading', logPath);
  try {
    timeline = Timeline.open(logPath, { onProgress: progress });
  } catch (e) {
    error.write(`memhp bisect: ${(e as Error).message}\n`);
    return 2;
  } finally {
    progress.stop();
  }
  for (const w of timeline.warnings) error.write(`memhp: warning: ${w}\n`);
  const result: BisectResult | null = bisect(timeline, predicate);
  if (opts.json) {
    output.write(`${JSON.stringify({ predicate: opts.until, lastStep: timeline.length, found: result !== null, step: result?.step ?? null, event: result?.event ?? null, probes: result?.probes ?? null })}\n`);
  } else if (result === null) {
    output.write(`${opts.until}: does not hold at the last step (${timeline.length})\n`);
  } else if (result.step === 0) {
    output.write(`${opts.until}: holds from step 0, before any event\n`);
  } else {
    output.write(`${opts.until}: first holds at step ${result.step}\n${describeEvent(result.event!)}\n`);
  }
  return result === null ? 1 : 0;
}

/** Adds `bisect <log> --until <predicate>` to the memhp program. */
export function registerBisect(program: Command): Command {
  return program
    .command('bisect')
    .description('find the first event after which a predicate over the world holds (binary search; the predicate must be monotone)')
    .argument('<log>', 'memhp log file')
    .requiredOption('--until <predicate>', 'e.g. \'blocks[65].state == "online"\', tainted, \'faults.length > 0\'')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `\n${PREDICATE_HELP}`)
    .action((log: string, opts: BisectCommandOptions) => {
      process.exitCode = runBisect(log, opts);
    });
}
