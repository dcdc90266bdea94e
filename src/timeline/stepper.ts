/**
 * The stepper's command language, independent of any terminal: one line in,
 * plain lines out. `memhp step` feeds it lines from a pipe, or key presses
 * translated to the same commands on a terminal (src/cli/step.ts).
 */
import type { MachineKind } from '../../machines/index.ts';
import type { EventType } from '../engine/events.ts';
import type { OpName } from '../kernel/ops.ts';
import { breakOnEvent, breakOnInvariant, breakWhen, describeBreakpoint, watch, type Breakpoint, type EventMatch, type Hit, type InvariantCheck } from './breakpoints.ts';
import { describeEvent, formatValue } from './format.ts';
import { parsePath } from './path.ts';
import { evaluate } from './resolve.ts';
import type { Timeline } from './timeline.ts';

export const STEPPER_HELP = `commands:
  n [k]              step forward k events (default 1)        key: n, right arrow, space
  p [k]              step back k events (default 1)           key: p, left arrow
  c                  continue to the next breakpoint/watchpoint hit     key: c
  rc                 reverse-continue to the previous hit     key: r
  seek N             go to step N (0 = before any event; "end" = the last)   key: g
  block N            show memory block N and its sections     key: b
  print PATH         the value at a path, e.g. print zones[0].Movable.managedPages
  watch PATH         stop when the value at PATH changes      key: w
  break F=V ...      stop at events matching every field: actor, type, machine, event, from, to, op, errno
                     e.g. break actor=memory65   break type=fault   break to=online
  break when PRED    stop where a predicate holds, e.g. break when blocks[65].state == "online"
  break invariant    stop where an invariant is broken
  breaks             list breakpoints and watchpoints
  delete [N]         delete breakpoint N (all without N)
  last PATH          the event that last changed PATH (at or before the cursor)
  history ACTOR      transitions of one actor, e.g. history memory65
  diff [A] [B]       what changed between steps A and B (default: previous step and cursor)
  where              the cursor and its event
  q                  quit                                     key: q
paths: blocks[66].state  sections[520].memmap  zones[0].Movable.managedPages  nodes[1].online
       vmemmap[0x200000].refcount  faults.length  tainted  params.online_policy`;

const MATCH_FIELDS = ['actor', 'type', 'machine', 'event', 'from', 'to', 'op', 'errno'] as const;

export interface StepperOptions {
  /** Lets `break invariant` work (e.g. src/check's checkInvariants). */
  checkInvariants?: InvariantCheck;
}

export interface StepperReply {
  lines: string[];
  quit: boolean;
  /** The command was invalid or failed (its lines say why). */
  error?: boolean;
}

export class Stepper {
  readonly breakpoints: Breakpoint[] = [];
  /** Numbers shown to the user, stable across deletes (like gdb's). */
  private readonly numbers: number[] = [];
  private nextNumber = 1;

  constructor(
    readonly timeline: Timeline,
    private readonly options: StepperOptions = {},
  ) {}

  private add(b: Breakpoint): number {
    this.breakpoints.push(b);
    this.numbers.push(this.nextNumber);
    return this.nextNumber++;
  }

  /** `step 288/304  #288 transition memory65 offline -> online (ONLINE)` */
  where(): string {
    const t = this.timeline;
    const e = t.event;
    return `step ${t.cursor}/${t.length}  ${e ? describeEvent(e) : '(before the first event)'}`;
  }

  private hitLines(hits: readonly Hit[], atEnd: string): string[] {
    if (hits.length === 0) return [atEnd, this.where()];
    const out = hits.flatMap((h) => {
      const n = this.numbers[this.breakpoints.indexOf(h.breakpoint)];
      const what = describeBreakpoint(h.breakpoint);
      if (h.breakpoint.kind === 'watch') return [`hit ${n}: ${what}: ${formatValue(h.before)} -> ${formatValue(h.after)}`];
      if (h.breakpoint.kind === 'invariant') {
        const v = h.violations!.map((x) => `  ${typeof x === 'string' ? x : JSON.stringify(x)}`);
        return [`hit ${n}: ${what} (${v.length} violation${v.length === 1 ? '' : 's'})`, ...v.slice(0, 5), ...(v.length > 5 ? [`  ... and ${v.length - 5} more`] : [])];
      }
      return [`hit ${n}: ${what}`];
    });
    return [...out, this.where()];
  }

  private count(arg: string | undefined): number {
    if (arg === undefined) return 1;
    const n = Number(arg);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`expected a positive count, got ${JSON.stringify(arg)}`);
    return n;
  }

  private step(arg: string | undefined): number {
    const t = this.timeline;
    if (arg === 'end') return t.length;
    if (arg === 'start') return 0;
    const n = arg === undefined ? NaN : Number(arg);
    if (!Number.isSafeInteger(n) || n < 0 || n > t.length) throw new Error(`expected a step 0..${t.length}, got ${JSON.stringify(arg ?? '')}`);
    return n;
  }

  private parseBreak(rest: string): Breakpoint {
    if (rest.startsWith('when ')) return breakWhen(rest.slice(5));
    if (rest === 'invariant') {
      if (!this.options.checkInvariants) throw new Error('no invariant check is available in this build');
      return breakOnInvariant(this.options.checkInvariants);
    }
    const match: Record<string, string> = {};
    for (const part of rest.split(/\s+/).filter(Boolean)) {
      const eq = part.indexOf('=');
      const field = part.slice(0, eq);
      if (eq <= 0 || !(MATCH_FIELDS as readonly string[]).includes(field))
        throw new Error(`break: expected FIELD=VALUE with FIELD one of ${MATCH_FIELDS.join(', ')}, "when PREDICATE" or "invariant"; got ${JSON.stringify(part)}`);
      match[field] = part.slice(eq + 1);
    }
    if (Object.keys(match).length === 0) throw new Error('break: say what to stop at (see help)');
    return breakOnEvent(match as EventMatch & { type?: EventType; machine?: MachineKind; op?: OpName });
  }

  private block(arg: string | undefined): string[] {
    const id = arg === undefined ? NaN : Number(arg);
    if (!Number.isSafeInteger(id) || id < 0) throw new Error(`block: expected a block id, got ${JSON.stringify(arg ?? '')}`);
    const view = this.timeline.view();
    const b = view.blocks.find((x) => x.id === id);
    if (!b) return [`memory${id} does not exist at step ${this.timeline.cursor}`];
    return [`memory${id} ${JSON.stringify(b)}`, ...view.sections.filter((s) => s.block === id).map((s) => `  section${s.nr} ${JSON.stringify(s)}`)];
  }

  /** Runs one command line. Errors become `error: ...` lines; the session goes on. */
  run(line: string): StepperReply {
    try {
      return this.dispatch(line.trim());
    } catch (e) {
      return { lines: [`error: ${(e as Error).message}`], quit: false, error: true };
    }
  }

  private dispatch(line: string): StepperReply {
    const t = this.timeline;
    const ok = (...lines: string[]): StepperReply => ({ lines, quit: false });
    if (line === '' || line.startsWith('#')) return ok();
    const sp = line.search(/\s/);
    const cmd = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1).trim();
    const args = rest.split(/\s+/).filter(Boolean);
    switch (cmd) {
      case 'n':
      case 'next':
        return ok(...(t.stepForward(this.count(args[0])) ? [] : ['already at the end of the log']), this.where());
      case 'p':
      case 'prev':
        return ok(...(t.stepBack(this.count(args[0])) ? [] : ['already at the start of the log']), this.where());
      case 'c':
      case 'continue':
        return ok(...this.hitLines(t.continue(this.breakpoints).hits, 'reached the end of the log'));
      case 'rc':
      case 'reverse-continue':
        return ok(...this.hitLines(t.reverseContinue(this.breakpoints).hits, 'reached the start of the log'));
      case 'seek':
      case 's':
        t.seek(this.step(args[0]));
        return ok(this.where());
      case 'where':
        return ok(this.where());
      case 'block':
        return ok(...this.block(args[0]));
      case 'print':
      case 'show':
        return ok(`${rest} = ${formatValue(evaluate(t.world, parsePath(rest)))}`);
      case 'watch': {
        const path = parsePath(rest);
        const b = watch(path);
        return ok(`${this.add(b)}: ${describeBreakpoint(b)} (now ${formatValue(evaluate(t.world, path))})`);
      }
      case 'break':
      case 'b': {
        const b = this.parseBreak(rest);
        return ok(`${this.add(b)}: ${describeBreakpoint(b)}`);
      }
      case 'breaks':
      case 'info':
        return ok(...(this.breakpoints.length === 0 ? ['no breakpoints'] : this.breakpoints.map((b, i) => `${this.numbers[i]}: ${describeBreakpoint(b)}`)));
      case 'delete': {
        if (args.length === 0) {
          this.breakpoints.length = 0;
          this.numbers.length = 0;
          return ok('deleted all breakpoints');
        }
        const i = this.numbers.indexOf(Number(args[0]));
        if (i < 0) throw new Error(`delete: no breakpoint ${args[0]}`);
        this.breakpoints.splice(i, 1);
        this.numbers.splice(i, 1);
        return ok(`deleted breakpoint ${args[0]}`);
      }
      case 'last': {
        const w = t.lastWrite(parsePath(rest));
        return ok(w ? `${rest}: ${formatValue(w.before)} -> ${formatValue(w.after)} at step ${w.step}  ${describeEvent(w.event)}` : `${rest} has not changed since step 0 (${formatValue(evaluate(t.world, parsePath(rest)))})`);
      }
      case 'history': {
        const h = t.actorHistory(rest);
        return ok(...(h.length === 0 ? [`no transitions of ${JSON.stringify(rest)}`] : h.map(describeEvent)));
      }
      case 'diff': {
        const a = args.length > 0 ? this.step(args[0]) : Math.max(0, t.cursor - 1);
        const b = args.length > 1 ? this.step(args[1]) : t.cursor;
        const changes = t.diff(a, b);
        return ok(...(changes.length === 0 ? [`no change between steps ${a} and ${b}`] : changes.map((c) => `${c.path}: ${formatValue(c.before)} -> ${formatValue(c.after)}`)));
      }
      case 'help':
      case 'h':
      case '?':
        return ok(STEPPER_HELP);
      case 'q':
      case 'quit':
      case 'exit':
        return { lines: [], quit: true };
      default:
        throw new Error(`unknown command ${JSON.stringify(cmd)} (help lists the commands)`);
    }
  }
}
