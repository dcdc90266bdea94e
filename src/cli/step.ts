/**
 * `memhp step <log>`: step through a recorded log.
 *
 * On a terminal, single keys drive it (n/→ step, p/← back, c continue,
 * r reverse-continue, g seek, b block, w watch, : any command, ? help,
 * q quit). Over a pipe it reads one command per line from stdin (n, p, c,
 * rc, seek 42, block 65, watch blocks[66].state, break actor=memory65, q)
 * and prints plain lines; end of input quits. Exit status: 0, or 2 (invalid
 * input) for an unreadable log, a bad --at, or any command that failed
 * (each failure prints `error: ...` and the session goes on). The command language is
 * src/timeline/stepper.ts; it steps the timeline of a live session (src/session), the
 * same engine the inspector and a mount use.
 */
import { startBytesProgress } from '../input/progress.ts';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { Stepper, type StepperOptions } from '../timeline/stepper.ts';
import type { Timeline } from '../timeline/timeline.ts';
import { Session } from '../session/session.ts';
import { notALog } from '../session/source.ts';
import type { InvariantCheck } from '../timeline/breakpoints.ts';
import type { World } from '../engine/world.ts';
import type { CheckInput, Violation } from '../check/index.ts';

export interface RunStepperOptions extends StepperOptions {
  /** Key mode; defaults to true when input and output are both terminals. */
  interactive?: boolean;
}

type TtyIn = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** Runs a stepper session until `q` or the end of input; resolves to the number of commands that failed. */
export async function runStepper(timeline: Timeline, input: Readable, output: Writable, opts: RunStepperOptions = {}): Promise<number> {
  let failed = 0;
  const stepper = new Stepper(timeline, opts);
  const print = (lines: readonly string[]) => {
    for (const l of lines) output.write(`${l}\n`);
  };
  const interactive = opts.interactive ?? (!!(input as TtyIn).isTTY && !!(output as { isTTY?: boolean }).isTTY);
  print([`${timeline.path ?? 'log'}: ${timeline.length} events`, stepper.where()]);
  if (interactive) {
    await keyLoop(stepper, input as TtyIn, output, print);
    return 0;
  }
  const rl = readline.createInterface({ input, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of rl) {
      const reply = stepper.run(line);
      if (reply.error) failed++;
      print(reply.lines);
      if (reply.quit) break;
    }
  } finally {
    rl.close();
  }
  return failed;
}

const KEYS: Record<string, string> = { n: 'n', ' ': 'n', right: 'n', p: 'p', left: 'p', c: 'c', r: 'rc', '?': 'help', h: 'help', q: 'q' };
const PROMPTS: Record<string, [string, string]> = { g: ['seek to step: ', 'seek '], b: ['block: ', 'block '], w: ['watch path: ', 'watch '], ':': [':', ''] };

function keyLoop(stepper: Stepper, input: TtyIn, output: Writable, print: (l: readonly string[]) => void): Promise<void> {
  readline.emitKeypressEvents(input);
  input.setRawMode?.(true);
  output.write('keys: n/→ step  p/← back  c continue  r reverse  g seek  b block  w watch  : command  ? help  q quit\n');
  return new Promise((resolve) => {
    let prompt: { prefix: string; text: string } | null = null;
    const done = () => {
      input.off('keypress', onKey);
      input.setRawMode?.(false);
      input.pause();
      resolve();
    };
    const exec = (line: string) => {
      const reply = stepper.run(line);
      print(reply.lines);
      if (reply.quit) done();
    };
    const onKey = (str: string | undefined, key: { name?: string; ctrl?: boolean } = {}) => {
      if (key.ctrl && key.name === 'c') return done();
      if (prompt) {
        if (key.name === 'return' || key.name === 'enter') {
          const line = prompt.prefix + prompt.text;
          prompt = null;
          output.write('\n');
          exec(line);
        } else if (key.name === 'escape') {
          prompt = null;
          output.write(' (cancelled)\n');
        } else if (key.name === 'backspace') {
          if (prompt.text.length > 0) {
            prompt.text = prompt.text.slice(0, -1);
            output.write('\b \b');
          }
        } else if (str && str >= ' ') {
          prompt.text += str;
          output.write(str);
        }
        return;
      }
      const k = key.name === 'right' || key.name === 'left' ? key.name : str;
      if (k === undefined) return;
      const p = PROMPTS[k];
      if (p) {
        prompt = { prefix: p[1], text: '' };
        output.write(p[0]);
        return;
      }
      const cmd = KEYS[k];
      if (cmd) exec(cmd);
    };
    input.on('keypress', onKey);
  });
}

/**
 * src/check's invariants over one world (the log-replay invariant holds
 * vacuously without events). Loaded lazily so the stepper still works in a
 * build where src/check fails to load; then `break invariant` says so.
 */
export async function loadInvariantCheck(): Promise<InvariantCheck | undefined> {
  try {
    const mod = (await import('../check/index.ts')) as { checkInvariants?: (input: CheckInput) => Violation[] };
    const check = mod.checkInvariants;
    if (typeof check !== 'function') return undefined;
    return (world: World) => check({ world }).map((v) => `${v.invariant}: ${v.message}`);
  } catch {
    return undefined;
  }
}

export interface StepCommandOptions {
  at?: string;
  checkpointInterval?: string;
}

/** The `memhp step` action: opens the log and runs the stepper on stdin/stdout. Returns the exit code. */
export async function runStepCommand(logPath: string, opts: StepCommandOptions = {}, io: { input?: Readable; output?: Writable; error?: Writable } = {}): Promise<number> {
  const input = io.input ?? process.stdin;
  const output = io.output ?? process.stdout;
  const error = io.error ?? process.stderr;
  let timeline: Timeline;
  const notLog = notALog(logPath);
  if (notLog) {
    error.write(`memhp step: ${notLog}\n`);
    return 2;
  }
  try {
    const interval = opts.checkpointInterval === undefined ? undefined : Number(opts.checkpointInterval);
    if (interval !== undefined && (!Number.isSafeInteger(interval) || interval < 1)) throw new Error(`--checkpoint-interval must be a positive integer, got ${opts.checkpointInterval}`);
    const progress = startBytesProgress('reading', logPath);
    try {
      timeline = Session.open(logPath, { onProgress: progress, ...(interval === undefined ? {} : { checkpointInterval: interval }) }).timeline;
    } finally {
      progress.stop();
    }
    for (const w of timeline.warnings) error.write(`memhp: warning: ${w}\n`);
    if (opts.at !== undefined) {
      const at = opts.at === 'end' ? timeline.length : Number(opts.at);
      if (!Number.isSafeInteger(at) || at < 0 || at > timeline.length) throw new Error(`--at must be a step 0..${timeline.length} or "end", got ${opts.at}`);
      timeline.seek(at);
    }
  } catch (e) {
    error.write(`memhp step: ${(e as Error).message}\n`);
    return 2;
  }
  // A scripted session (a pipe) with a failed command exits non-zero, after running the rest.
  const failed = await runStepper(timeline, input, output, { checkInvariants: await loadInvariantCheck() });
  return failed > 0 ? 2 : 0;
}

/** Adds `step <log>` to the memhp program. */
export function registerStep(program: Command): Command {
  return program
    .command('step')
    .description('step through a log: keys on a terminal, line commands (n, p, c, rc, seek N, block N, watch PATH, break actor=memory65, q) over a pipe')
    .argument('<log>', 'memhp log file')
    .option('--at <step>', 'start at this step (a number or "end"; default 0)')
    .option('--checkpoint-interval <events>', 'events between checkpoints (default 1024)')
    .action(async (log: string, opts: StepCommandOptions) => {
      process.exitCode = await runStepCommand(log, opts);
    });
}
