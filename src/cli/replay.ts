/** `memhp replay <log> [--to N] [--verify] [--json]`: rebuild the world from a log. */
import type { Command } from 'commander';
import type { MemhpEvent, OpEvent } from '../engine/events.ts';
import { evolveAll } from '../engine/evolve.ts';
import { verifyReplay, type VerifyResult } from '../engine/replay.ts';
import { toView } from '../engine/to-view.ts';
import { emptyWorld } from '../engine/world.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { splitByOp } from './changes.ts';
import { InputError } from './errors.ts';
import { formatOpBlock, opRecord, type OpRecord } from './op-report.ts';
import { outcomeLine, printJson, printLines, warn } from './output.ts';
import { startProgress } from './progress.ts';
import { loadLog, notALog, parseStep } from './source.ts';
import { styleFor } from './style.ts';
import { formatWorld } from './world-text.ts';

interface ReplayOptions {
  to?: string;
  verify?: boolean;
  json?: boolean;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('rebuild the world from a log (optionally re-deciding every operation through the machines)')
    .argument('<log>', 'memhp log file (JSON Lines)')
    .option('--to <N>', 'stop after event N')
    .option('--verify', 're-decide each operation through the XState machines and report the first divergence (exit 1)')
    .option('--json', 'print one JSON object { ops, world, verify? } instead of text')
    .action((file: string, opts: ReplayOptions) => replayCommand(file, opts));
}

const CHUNK = 16384;

/** evolve() over the events with a progress bar for long logs. */
function rebuild(spec: SystemSpec, events: readonly MemhpEvent[]) {
  const progress = startProgress('replay', events.length);
  let world = emptyWorld(spec);
  try {
    for (let i = 0; i < events.length; i += CHUNK) {
      const chunk = events.slice(i, i + CHUNK);
      world = evolveAll(world, chunk);
      progress.tick(chunk.length);
    }
  } finally {
    progress.stop();
  }
  return world;
}

/** The last operation boundary at or before `to`: verification re-decides whole operations only. */
function opBoundary(events: readonly MemhpEvent[], to: number): number {
  let b = to;
  while (b > 0 && b < events.length && events[b]!.type !== 'op') b--;
  return b;
}

/** verifyReplay counts boot among its ops; the rest of the output does not ("6 operations"). */
function reDecided(checkedOps: number): string {
  const n = checkedOps - 1;
  return n < 0 ? 'nothing' : `boot and ${n} operation${n === 1 ? '' : 's'}`;
}

function divergenceText(v: VerifyResult): string {
  const d = v.divergence!;
  return `replay --verify: DIVERGENCE at event ${d.seq} (in the ${reDecided(v.checkedOps)} re-decided): ${d.message}`;
}

function replayCommand(file: string, opts: ReplayOptions): void {
  const notLog = notALog(file);
  if (notLog) throw new InputError(notLog);
  const source = loadLog(file);
  for (const w of source.warnings) warn(w);
  const to = parseStep('--to', opts.to, source.events.length);
  const events = source.events.slice(0, to);
  const world = rebuild(source.spec, events);
  const view = toView(world);

  const groups = splitByOp(events).filter((g) => g[0]!.type === 'op');
  const records: OpRecord[] = [];
  let index = 0;
  for (const g of groups) {
    const e = g[0] as OpEvent;
    if (e.op.op !== 'boot') records.push(opRecord(index++, g));
  }

  let verify: VerifyResult | null = null;
  if (opts.verify) verify = verifyReplay(source.spec, source.events.slice(0, opBoundary(source.events, to)));
  const verifyJson = verify && { ok: verify.ok, checkedOps: verify.checkedOps, divergence: verify.divergence };

  if (opts.json) {
    printJson({ log: file, to, lastSeq: source.events.length, ops: records, world: view, ...(verifyJson ? { verify: verifyJson } : {}) });
  } else {
    const style = styleFor(process.stdout);
    const lines = [style.bold(`log: ${file} — ${source.spec.name}`), `kernel ${source.spec.kernel}, ${source.spec.arch}; replaying events 1..${to} of ${source.events.length}`, ''];
    let i = 0;
    for (const g of groups) {
      const e = g[0] as OpEvent;
      lines.push(...formatOpBlock(e.op.op === 'boot' ? 'boot' : String(i++), g, view.pageSize, style));
    }
    const last = groups.at(-1);
    if (last && to < source.events.length && source.events[to]!.type !== 'op') lines.push(style.warn(`    (stopped inside this operation: --to ${to})`));
    lines.push('', ...formatWorld(view, style), '', outcomeLine(records, view));
    if (verify?.ok) lines.push(style.ok(`verified: ${reDecided(verify.checkedOps)} re-decided through the machines; every event matches the log`));
    printLines(lines);
  }
  if (verify && !verify.ok) {
    process.stderr.write(`memhp: ${divergenceText(verify)}\n`);
    process.exitCode = 1;
  }
}
