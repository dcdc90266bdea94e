/**
 * What the inspector needs from a log (recorded or live). The server only
 * talks to this interface, so the page works the same over a replayed file,
 * a live engine or a hand-made world. Views never write state: the only
 * mutating call is apply(), which goes through the engine like any command.
 */
import type { MemhpEvent, OpEvent, TransitionEvent, EventType } from '../engine/events.ts';
import type { WorldView } from '../engine/view.ts';
import type { SystemSpec, ZoneName } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
import type { StatechartNode } from './graph.ts';
import type { World } from '../engine/world.ts';

export interface InspectorInfo {
  name: string;
  /** Last sequence number in the log (0 = empty log). */
  lastSeq: number;
  system: SystemSpec;
  logPath?: string;
  /** True when apply() can append (a live system or a writable log). */
  live?: boolean;
  /** The branch shown (0 = the log as opened; forks get 1, 2, …). */
  branch?: number;
}

/** Rows of the timeline a user filters on. Every given field must match. */
export interface EventFilter {
  actor?: string;
  type?: EventType;
  /** Case-insensitive substring of the event rendered as JSON. */
  text?: string;
}

export type Breakpoint =
  | { kind: 'seq'; seq: number }
  | { kind: 'match'; filter: EventFilter };

/** One change between two worlds; its path is a watch path (src/timeline/path.ts): blocks[65].state, zones[0].Normal.presentPages. */
import type { WorldChange } from '../timeline/diff.ts';
export type { WorldChange };

export interface InvariantResult {
  name: string;
  holds: boolean;
  violations: string[];
  /** Set when the invariant was not checked at this step, and why (holds is then meaningless). */
  skipped?: string;
}

export interface AccountingCounters {
  presentPages: number;
  managedPages: number;
  memmapPages?: number;
}

export interface AccountingPoint {
  seq: number;
  nodes: Array<{ node: number } & Required<AccountingCounters>>;
  zones: Array<{ node: number; zone: ZoneName } & AccountingCounters>;
}

/** The counters at the end of one operation: the plot's x axis is the operation, not the sequence number. */
export interface OpSample {
  /** Index of the operation in the log (0 = boot). */
  op: number;
  /** Its op event and its last event (the counters are those after it). */
  seq: number;
  end: number;
  /** The operation and its return value, as the timeline shows it. */
  label: string;
  failed: boolean;
  nodes: Array<{ node: number; presentPages: number; managedPages: number; memmapPages: number; spannedPages: number }>;
  zones: Array<{ node: number; zone: ZoneName; presentPages: number; managedPages: number; spannedPages: number }>;
}

export interface OpSeries {
  /** Operations in the log. */
  totalOps: number;
  /** Op event seq of every operation, so the page maps a cursor to its operation. */
  opSeqs: number[];
  samples: OpSample[];
}

/** How the log ends up: what a reader should jump to first. */
export interface LogOutcome {
  faults: Array<{ seq: number; text: string }>;
  /** First event after which the simulated kernel is tainted (null: never). */
  taintSeq: number | null;
  failedOps: Array<{ seq: number; text: string }>;
  /** Totals (the lists hold at most the first 200). */
  faultCount: number;
  failedCount: number;
}

export interface BranchInfo {
  id: number;
  name: string;
  logPath?: string;
  /** The branch this one was forked from, and the last step they share. */
  parent: number | null;
  forkSeq: number | null;
  lastSeq: number;
  current: boolean;
}

/** One branch's side of a comparison: its first event past the shared history and its world after that operation. */
export interface BranchSide {
  branch: number;
  name: string;
  lastSeq: number;
  /** The branch's event at common + 1 (null: the branch ends where they part). */
  first: MemhpEvent | null;
  /** The operation that event belongs to (the event itself when it is an op). */
  op: OpEvent | null;
  /** The world compared: after that operation (common when the branch has nothing past it). */
  at: number;
  world: { blocks: number; online: number; faults: number; tainted: boolean; nodes: Array<{ node: number; presentPages: number; managedPages: number; memmapPages: number }> };
}

/** Two branches side by side: where they part, the two worlds there, and what differs between them. */
export interface BranchComparison {
  /** The last seq both branches hold as the same event. */
  common: number;
  a: BranchSide;
  b: BranchSide;
  /** World A -> world B (before = branch a, after = branch b), watch paths as in a step's change; at most 500. */
  changes: WorldChange[];
  changeCount: number;
}

export interface MachineDefinition {
  /** The MachineKind: memory_block, section, hotplug. */
  name: string;
  definition: StatechartNode;
}

export interface ApplyResult {
  ok: boolean;
  ret: number;
  errno: string | null;
  /** Set when the op was applied at a past step and a new log was forked. */
  forkedLogPath?: string;
  /** The new branch (the original stays listed and selectable). */
  forkedBranch?: number;
  /** Sequence number of the op event that was appended. */
  seq?: number;
  message?: string;
}

export interface ActorView {
  actor: string;
  machine: string | null;
  /** State after the last transition at or before the step (null: never moved). */
  state: string | null;
  /** Context folded from the transitions at or before the step. */
  context: Record<string, unknown>;
  /** The last transition at or before the step. */
  last: TransitionEvent | null;
  /** Transitions of this actor around the step (history[0] is transition number historyStart). */
  history: TransitionEvent[];
  historyStart: number;
  historyTotal: number;
}

export interface InspectorBackend {
  info(): InspectorInfo;
  /** Events with fromSeq <= seq <= toSeq, in order. */
  events(fromSeq: number, toSeq: number): MemhpEvent[];
  /** Sequence numbers of the events matching the filter, ascending. */
  search(filter: EventFilter): number[];
  /** The world after events 1..seq (seq 0 = the booted system). */
  worldAt(seq: number): WorldView;
  /** The same world as the engine keeps it (persistent tables: two steps share what did not change). */
  worldState(seq: number): World;
  /** Counters after each operation, sampled (at most `points`) between two operation indexes. */
  accountingByOp(fromOp: number, toOp: number, points: number): OpSeries;
  outcome(): LogOutcome;
  branches(): BranchInfo[];
  /** Show another branch; every later call answers for it. */
  selectBranch(id: number): InspectorInfo;
  /** Optional: branches a and b side by side (where they part, the worlds there, what differs). */
  compareBranches?(a: number, b: number): BranchComparison;
  diff(a: number, b: number): WorldChange[];
  invariantsAt(seq: number): InvariantResult[];
  /** About `points` samples spread across the log, first and last included. */
  accountingSeries(points: number): AccountingPoint[];
  machines(): MachineDefinition[];
  /** One actor at step seq: its state, context, last transition and up to `window` transitions each side. */
  actorAt(actorId: string, seq: number, window: number): ActorView;
  /** The next (or previous) seq after fromSeq where a breakpoint hits; null if none. */
  continueTo(fromSeq: number, direction: 'forward' | 'backward', breakpoints: Breakpoint[]): number | null;
  /** Run an operation at step atSeq: appends at the end, forks the log at a past step. */
  apply(op: Op, atSeq: number): ApplyResult | Promise<ApplyResult>;
  /** Optional: let live actors report to an XState inspection observer (Stately). */
  attachInspect?(observer: (event: unknown) => void): void;
  /** Optional: called when the log grows, so the server can tell the page. */
  onAppend?(listener: () => void): () => void;
}
