/** `memhp replay <log> [--to N] [--verify] [--json]`: rebuild the world from a log. */
import type { Command } from 'commander';
import type { MemhpEvent } from '../engine/events.ts';
import { applyEvent, WorldDraft } from '../engine/evolve.ts';
import { ReplayVerifier, type VerifyResult } from '../engine/replay.ts';
import { geometryOf } from '../kernel/geometry.ts';
import { toView } from '../engine/to-view.ts';
import { worldViewJson } from '../engine/view-json.ts';
import { emptyWorld } from '../engine/world.ts';
import type { SystemSpec } from '../kernel/types.ts';
import { InputError } from './errors.ts';
import { formatOpBlock, opRecord, type OpRecord } from './op-report.ts';
import { outcomeLine, printJson, printLines, warn } from './output.ts';
import { startBytesProgress } from '../input/progress.ts';
import { loadLogStreaming, notALog, parseStep } from '../session/source.ts';
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

/** verifyReplay counts boot among its ops; the rest of the output does not ("6 operations"). */
function reDecided(checkedOps: number): string {
  const n = checkedOps - 1;
  return n < 0 ? 'nothing' : `boot and ${n} operation${n === 1 ? '' : 's'}`;
}

function divergenceText(v: VerifyResult): string {
  const d = v.divergence!;
  return `replay --verify: DIVERGENCE at event ${d.seq} (in the ${reDecided(v.checkedOps)} re-decided): ${d.message}`;
}

/**
 * One pass over the log, keeping no events: the reader verifies the whole
 * file first (checksums, sequence, torn tail), then hands the events on one
 * by one; they are evolved into one draft of the world, grouped by
 * operation for the report (text goes out as each operation ends) and, with
 * --verify, re-decided operation by operation. Memory holds the world, one
 * operation's events and the small per-operation records, whatever the
 * log's length.
 */
function replayCommand(file: string, opts: ReplayOptions): void {
  const notLog = notALog(file);
  if (notLog) throw new InputError(notLog);
  const human = !opts.json;
  const style = styleFor(process.stdout);
  let spec: SystemSpec | null = null;
  let to = 0;
  let lastSeq = 0;
  let draft: WorldDraft | null = null;
  let verifier: ReplayVerifier | null = null;
  let pageSize = 0;
  const records: OpRecord[] = [];
  let index = 0;
  let group: MemhpEvent[] = [];
  let stoppedInside = false;
  const progress = startBytesProgress('replay', file);

  /** One whole operation's events, or the part of it up to --to (`whole` false). */
  const endGroup = (whole: boolean) => {
    if (group.length === 0) return;
    const g = group;
    group = [];
    const e = g[0]!;
    if (e.type === 'op') {
      if (e.op.op !== 'boot') records.push(opRecord(index, g));
      if (human) printLines(formatOpBlock(e.op.op === 'boot' ? 'boot' : String(index), g, pageSize, style));
      if (e.op.op !== 'boot') index++;
    }
    if (whole) verifier?.feed(g);
  };

  try {
    loadLogStreaming(
      file,
      (found) => {
        spec = found.header.system;
        for (const w of found.warnings) warn(w);
        lastSeq = found.lastSeq;
        to = parseStep('--to', opts.to, lastSeq);
        draft = new WorldDraft(emptyWorld(spec));
        pageSize = geometryOf(spec).pageSize;
        if (opts.verify) verifier = new ReplayVerifier(spec);
        if (human) printLines([style.bold(`log: ${file} — ${spec.name}`), `kernel ${spec.kernel}, ${spec.arch}; replaying events 1..${to} of ${lastSeq}`, '']);
      },
      (e) => {
        if (e.seq > to) {
          if (e.seq === to + 1) {
            stoppedInside = e.type !== 'op' && to > 0;
            endGroup(!stoppedInside);
          }
          return;
        }
        applyEvent(draft!, e);
        if (e.type === 'op') endGroup(true);
        group.push(e);
      },
      progress,
    );
    if (to === lastSeq) endGroup(true);
  } finally {
    progress.stop();
    (verifier as ReplayVerifier | null)?.stop();
  }
  const world = (draft as WorldDraft | null)?.finish() ?? emptyWorld(spec!);
  const verify = (verifier as ReplayVerifier | null)?.result() ?? null;
  const verifyJson = verify && { ok: verify.ok, checkedOps: verify.checkedOps, divergence: verify.divergence };

  if (opts.json) {
    printJson({ log: file, to, lastSeq, ops: records, world: worldViewJson(world), ...(verifyJson ? { verify: verifyJson } : {}) });
  } else {
    const view = toView(world);
    const lines: string[] = [];
    if (stoppedInside) lines.push(style.warn(`    (stopped inside this operation: --to ${to})`));
    lines.push('', ...formatWorld(view, style), '', outcomeLine(records, view));
    if (verify?.ok) lines.push(style.ok(`verified: ${reDecided(verify.checkedOps)} re-decided through the machines; every event matches the log`));
    printLines(lines);
  }
  if (verify && !verify.ok) {
    process.stderr.write(`memhp: ${divergenceText(verify)}\n`);
    process.exitCode = 1;
  }
}
