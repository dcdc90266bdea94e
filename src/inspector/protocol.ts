/**
 * The page <-> server messages (types only, so the page bundle stays free of
 * server code). Requests carry an id; the reply echoes it. The server also
 * pushes { type: 'appended' } when the log grows.
 */
import type { FaultView, NodeView, VmemmapView, ZoneView } from '../engine/view.ts';
import type { MemhpEvent, OpEvent, TransitionEvent } from '../engine/events.ts';
import type { Params } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
import type { WhyAnswer } from '../why/answer.ts';
import type {
  AccountingPoint, ActorView, ApplyResult, BranchComparison, BranchInfo, Breakpoint, EventFilter, InspectorInfo, InvariantResult, LogOutcome, MachineDefinition, OpSeries, WorldChange,
} from './backend.ts';

/** The small tables a map carries whole: in a frame, in every patch, and in the page's copy. */
export interface MapTables {
  zones: ZoneView[];
  nodes: NodeView[];
  faults: FaultView[];
  /** Physical ranges (pfns) released from iomem and not added again, with the seq of the release that removed them. */
  removed: Array<{ startPfn: number; nrPages: number; seq?: number }>;
  tainted: boolean;
  signalPending: boolean;
  injection: { MEM_GOING_ONLINE: number; MEM_GOING_OFFLINE: number };
}

/** The world at one step, blocks and sections as columns so 32,768 blocks stay small on the wire. */
export interface MapFrame extends MapTables {
  seq: number;
  pageSize: number;
  blockPages: number;
  sectionPages: number;
  /** Pages of struct page one section needs (its share of an altmap). */
  memmapPagesPerSection: number;
  params: Params;
  blocks: {
    id: number[];
    /** 0 offline, 1 online, 2 going-offline */
    state: number[];
    /** index into ZONE_CODES, -1 = none */
    zone: number[];
    node: number[];
    startPfn: number[];
    nrPages: number[];
    vmemmapPages: number[];
    /** bit 0 early, bit 1 pinned */
    flags: number[];
  };
  sections: {
    nr: number[];
    block: number[];
    /** 0 present, 1 online */
    state: number[];
    /** 0 boot, 1 node, 2 altmap */
    memmapKind: number[];
    /** node for boot/node memmaps, -1 for altmap */
    memmapNode: number[];
    /** head pfn for altmap memmaps, -1 otherwise */
    memmapHead: number[];
    memmapLost: number[];
  };
  vmemmap: VmemmapView[];
}

export const ZONE_CODES = ['DMA', 'DMA32', 'Normal', 'Movable'] as const;

/**
 * What changed on the map between the world the page holds (`base`) and the
 * world at `seq`: changed entries as columns, deleted keys, and the small
 * tables whole. `base` null: a full map (every entry is "changed"). A step
 * of one event is a few entries, so a step costs bytes, not megabytes.
 */
export interface MapPatch extends MapTables {
  base: number | null;
  seq: number;
  /** Sent with a full map only. */
  geometry?: { pageSize: number; blockPages: number; sectionPages: number; memmapPagesPerSection: number };
  blocks: {
    del: number[];
    /** block id = its slot: startPfn = id * blockPages */
    id: number[];
    state: number[];
    zone: number[];
    node: number[];
    vmemmapPages: number[];
    flags: number[];
  };
  sections: {
    del: number[];
    nr: number[];
    block: number[];
    state: number[];
    memmapKind: number[];
    memmapNode: number[];
    memmapHead: number[];
  };
  /** keyed by head pfn */
  vmemmap: { del: number[]; set: VmemmapView[] };
  params: Params;
}

/** Everything one cursor position shows, in one reply. */
export interface StepView {
  seq: number;
  /** The world on the map: after the whole operation when seq is an op event, else seq. */
  mapSeq: number;
  event: MemhpEvent | null;
  change: StepChange;
  patch: MapPatch;
  actor: ActorView | null;
  /** The step at which the invariants are the kernel's (opEnd for an op event). */
  invSeq: number;
  /** The invariants at invSeq, when the request asked for them (as the `invariants` method answers). */
  invariants?: InvariantResult[];
}

/** One actor at a step (the backend's answer, backend.ts). */
export type { ActorView } from './backend.ts';

/**
 * What one step changed. An op event changes nothing by itself (its effects
 * are the events after it), so for an op event the change is the whole
 * operation: the world before the op against the world after its last event.
 */
export interface StepChange {
  seq: number;
  /** The worlds compared: after step `from` and after step `to`. */
  from: number;
  to: number;
  /** The operation this step belongs to (null at seq 0, the machine before its boot op). */
  op: OpEvent | null;
  /** Last seq of that operation; the invariants are the kernel's between operations, i.e. at opEnd. */
  opEnd: number;
  changes: WorldChange[];
}

export interface RequestMap {
  info: { params: Record<string, never>; result: InspectorInfo };
  events: { params: { from: number; to: number }; result: MemhpEvent[] };
  rows: { params: { filter: EventFilter; offset: number; limit: number }; result: { total: number; offset: number; events: MemhpEvent[] } };
  /** Position of the first filtered row whose seq is >= seq. */
  rowOf: { params: { filter: EventFilter; seq: number }; result: number };
  frame: { params: { seq: number }; result: MapFrame };
  /** The cursor at seq: map patch from `mapBase` (null: a full map), the step's change, its event and the actor. */
  /**
   * `invariants`: also check the invariants at the step's invSeq and send them along, saving the page a
   * second round trip. The page asks so only when patching a map it holds: the first check on a log or branch is slow.
   */
  step: { params: { seq: number; mapBase: number | null; actor: string | null; invariants?: boolean }; result: StepView };
  diff: { params: { seq: number }; result: StepChange };
  invariants: { params: { seq: number }; result: InvariantResult[] };
  accounting: { params: { points: number }; result: AccountingPoint[] };
  accountingByOp: { params: { fromOp: number; toOp: number; points: number }; result: OpSeries };
  outcome: { params: Record<string, never>; result: LogOutcome };
  branches: { params: Record<string, never>; result: BranchInfo[] };
  selectBranch: { params: { id: number }; result: InspectorInfo };
  /** Two branches side by side: where they part, the worlds there, what differs. */
  compare: { params: { a: number; b: number }; result: BranchComparison };
  machines: { params: Record<string, never>; result: MachineDefinition[] };
  actor: { params: { actor: string; seq: number }; result: ActorView };
  continue: { params: { from: number; direction: 'forward' | 'backward'; breakpoints: Breakpoint[] }; result: number | null };
  apply: { params: { op: Op; atSeq: number }; result: ApplyResult & { info: InspectorInfo } };
  /** `memhp why` on the shown branch: `question` as its words (memory65, node0 Movable, seq 296), about the world after `at`. */
  why: { params: { question: string; at: number }; result: WhyAnswer };
}

export type Method = keyof RequestMap;

export interface Request<M extends Method = Method> {
  id: number;
  method: M;
  params: RequestMap[M]['params'];
}

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: { code: string; message: string } };

/** appended: the log grew; branch: another branch is shown (every page follows). */
export type Push = { type: 'appended'; info: InspectorInfo }
  /** The log is still being read (a big one): the page says so until its first reply. */
  | { type: 'loading'; text: string };
