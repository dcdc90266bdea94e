/**
 * Compares memhp with a recorded transcript of a real kernel, step by step
 * (docs/conformance.md "What is compared"): the operation's result (errno
 * for writes, success for device events), then every compared field of the
 * observation. Layout fields (the boot blocks, firmware and iomem ranges below
 * 4 GiB, the DMA/DMA32 zones) are compared as changes since the start, since
 * holes and reserved ranges are the firmware's, not hotplug behaviour.
 */
import { HotplugSystem } from '../engine/system.ts';
import type { Op, Scenario } from '../kernel/ops.ts';
import { validateScenario } from '../scenario/index.ts';
import { DEVICE_MEMORY_BASE, eraOfRelease } from './mapping.ts';
import { dropEmptyZones, memhpObservation, normaliseGuest } from './memhp-side.ts';
import { faultLines, type Observation } from './observation.ts';
import { observationsOf, type Transcript } from './transcript.ts';

export interface FieldDiff {
  key: string;
  kernel: string | null;
  memhp: string | null;
}

export type Verdict = 'agree' | 'diverge' | 'not-comparable' | 'history-dependent';

export interface StepComparison {
  index: number;
  op: Op;
  verdict: Verdict;
  /** Why a step is not comparable or history-dependent. */
  reason?: string;
  result: { kernel: string; memhp: string } | null;
  diffs: FieldDiff[];
  /** Fields compared at this step (0 when not compared). */
  fields: number;
}

export interface TranscriptComparison {
  id: string;
  kernel: string;
  era: string | null;
  steps: StepComparison[];
  /** Index of the first diverging step, or null. */
  firstDivergence: number | null;
  /** Set when nothing of the transcript can be compared. */
  notComparable?: string;
}

/** The fields compared (issue 18 point 4); everything else the guest shows is kept in the transcript only. */
const COMPARED: RegExp[] = [
  /^F devices\/system\/memory\/(block_size_bytes|auto_online_blocks)$/,
  /^F devices\/system\/memory\/memory\d+\/(phys_index|state|online|valid_zones|removable|phys_device)$/,
  /^F devices\/system\/node\/(possible|online|has_memory|has_normal_memory)$/,
  /^F module\/memory_hotplug\/parameters\/(memmap_on_memory|online_policy|auto_movable_ratio|auto_movable_numa_aware)$/,
  /^L devices\/system\/memory\/memory\d+\/node\d+$/,
  /^L devices\/system\/node\/node\d+\/memory\d+$/,
  /^I [0-9a-f]+-[0-9a-f]+$/,
  /^M 0x[0-9a-f]+-0x[0-9a-f]+$/,
  /^Z \d+ (DMA|DMA32|Normal|Movable) (present|managed|spanned|start_pfn)$/,
  /^K fault$/,
];

export function isCompared(key: string): boolean {
  return COMPARED.some((re) => re.test(key));
}

/** Fields that belong to the boot layout: compared as "changed since the start, and to what". */
function layoutKey(key: string, value: string | undefined, bootBlocks: ReadonlySet<number>): boolean {
  const blk = /memory(\d+)/.exec(key);
  if ((key.startsWith('F devices/system/memory/memory') || key.startsWith('L ')) && blk && bootBlocks.has(Number(blk[1]))) return true;
  const range = /^[IM] (?:0x)?([0-9a-f]+)-/.exec(key);
  // firmware entries other than System RAM (Reserved, ACPI) are the firmware's: memhp has none
  if (key.startsWith('M ') && value !== undefined && value !== 'System RAM') return true;
  if (range) return parseInt(range[1]!, 16) < DEVICE_MEMORY_BASE;
  return /^Z \d+ (DMA|DMA32) /.test(key);
}

const OFFLINE_VALUES = new Set(['offline', '0', 'false', 'n', 'N', 'off']);
const BLOCK = 128 * 1024 * 1024;

const isDeviceOp = (op: Op) => op.op === 'acpi_dimm_add' || op.op === 'acpi_dimm_eject' || op.op === 'virtio_mem_add' || op.op === 'virtio_mem_resize';

/**
 * A virtio-mem device that has not reached requested_size by the deadline: the driver keeps
 * retrying (its retry timer), which is what memhp's -EAGAIN says; the worlds are compared.
 */
const isVirtioMemOp = (op: Op) => op.op === 'virtio_mem_add' || op.op === 'virtio_mem_resize';

function kernelResult(op: Op, status: string, errno: string | null | undefined): string {
  if (status === 'ok') return 'ok';
  if (status === 'timeout') return isVirtioMemOp(op) ? 'failed' : 'timeout';
  return isDeviceOp(op) ? 'failed' : (errno ?? 'failed');
}

function memhpResult(op: Op, ret: number, errno: string | null): string {
  if (ret === 0) return 'ok';
  return isDeviceOp(op) ? 'failed' : (errno ?? `ret ${ret}`);
}

/**
 * The blocks an operation may have to offline, online in ZONE_NORMAL in the guest before it:
 * the one-way door (docs/conformance.md "History-dependent results"). Offlining such a block
 * succeeds or fails depending on which unmovable allocations the kernel has put there.
 */
function normalBlocksAtStake(op: Op, before: Observation, ranges: ReadonlyMap<string, { start: number; size: number }>): number[] {
  const inNormal = (b: number) => before[`F devices/system/memory/memory${b}/state`] === 'online' && before[`F devices/system/memory/memory${b}/valid_zones`] === 'Normal';
  if ((op.op === 'state' || op.op === 'online') && OFFLINE_VALUES.has(String(op.value))) return inNormal(op.block) ? [op.block] : [];
  if (op.op === 'acpi_dimm_eject' || op.op === 'virtio_mem_resize') {
    const r = ranges.get(op.device);
    if (!r) return [];
    const blocks = Array.from({ length: r.size / BLOCK }, (_, i) => r.start / BLOCK + i);
    return blocks.filter(inNormal);
  }
  return [];
}

export function scenarioOf(t: Transcript): Scenario {
  return validateScenario(t.scenario, `${t.id}: scenario`);
}

export function compareTranscript(t: Transcript): TranscriptComparison {
  const era = eraOfRelease(t.kernel.release);
  const base = { id: t.id, kernel: t.kernel.release, era };
  if (era === null) return { ...base, steps: [], firstDivergence: null, notComparable: `kernel ${t.kernel.release} is older than any memhp era (5.13)` };
  const scenario = { ...scenarioOf(t), kernel: era };
  const { ops, ...spec } = scenario;
  const sys = new HotplugSystem(spec, { actors: 'table', retainEvents: false });
  const possible = spec.machine.possibleNodes;
  const guestAfter = observationsOf(t).map((o) => dropEmptyZones(normaliseGuest(o)));
  const guestStart = dropEmptyZones(normaliseGuest(t.start.obs));
  const memStart = dropEmptyZones(memhpObservation(sys.view(), possible));
  const bootBlocks = new Set(Object.keys(guestStart).flatMap((k) => (/^F devices\/system\/memory\/memory(\d+)\/state$/.exec(k) ? [Number(/memory(\d+)/.exec(k)![1])] : [])));
  const ranges = new Map<string, { start: number; size: number }>();
  const steps: StepComparison[] = [];
  let stopped: string | null = null;
  let firstDivergence: number | null = null;
  let prevGuest = guestStart;
  let taint = sys.view().taint;
  t.steps.forEach((s, index) => {
    const op = s.op;
    const guest = guestAfter[index]!;
    const skip = (reason: string) => steps.push({ index, op, verdict: 'not-comparable', reason, result: null, diffs: [], fields: 0 });
    if (stopped) return skip(stopped);
    if (s.outcome.status === 'refused') {
      // the guest never saw it; memhp does not run it either, so both stay in step
      return skip(s.action.kind === 'none' ? s.action.reason : (s.outcome.detail ?? 'refused by QEMU'));
    }
    if (op.op === 'acpi_dimm_add' || op.op === 'virtio_mem_add') ranges.set(op.device, { start: op.start, size: op.size });
    const stake = normalBlocksAtStake(op, prevGuest, ranges);
    const r = sys.apply(op);
    const view = sys.view();
    const mem = dropEmptyZones(memhpObservation(view, possible));
    const result = { kernel: kernelResult(op, s.outcome.status, s.outcome.errno), memhp: memhpResult(op, r.ret, r.errno) };
    const kFault = faultLines(s.dmesg ?? []).length > 0 ? 'yes' : 'no';
    const mFault = view.taint !== taint ? 'yes' : 'no';
    taint = view.taint;
    if (s.outcome.status === 'timeout' && !(isVirtioMemOp(op) && r.errno === 'EAGAIN')) {
      stopped = `follows step ${index}, which the kernel did not finish`;
      steps.push({ index, op, verdict: 'history-dependent', reason: `the kernel did not finish within its deadline (${s.outcome.detail ?? ''}): offlining retries while unmovable pages stay`, result, diffs: [], fields: 0 });
      return;
    }
    const diffs: FieldDiff[] = [];
    let fields = 1;
    if (kFault !== mFault) diffs.push({ key: 'K fault', kernel: kFault, memhp: mFault });
    const keys = new Set([...Object.keys(guest), ...Object.keys(mem), ...Object.keys(guestStart), ...Object.keys(memStart)]);
    for (const key of keys) {
      if (!isCompared(key)) continue;
      fields++;
      if (layoutKey(key, guest[key] ?? guestStart[key], bootBlocks)) {
        const k = guest[key] === guestStart[key] ? null : (guest[key] ?? '(gone)');
        const m = mem[key] === memStart[key] ? null : (mem[key] ?? '(gone)');
        if (k !== m) diffs.push({ key: `${key} (change since start)`, kernel: k ?? '(unchanged)', memhp: m ?? '(unchanged)' });
      } else if ((guest[key] ?? null) !== (mem[key] ?? null)) diffs.push({ key, kernel: guest[key] ?? null, memhp: mem[key] ?? null });
    }
    prevGuest = guest;
    if (result.kernel === result.memhp && diffs.length === 0) {
      steps.push({ index, op, verdict: 'agree', result, diffs, fields });
      return;
    }
    if (stake.length > 0 && result.kernel !== result.memhp) {
      stopped = `follows step ${index}, whose result depended on the kernel's allocation history`;
      steps.push({
        index,
        op,
        verdict: 'history-dependent',
        reason: `offlines memory${stake.join(', memory')} online in ZONE_NORMAL: whether that succeeds depends on where the kernel's unmovable allocations went (the one-way door)`,
        result,
        diffs,
        fields,
      });
      return;
    }
    firstDivergence ??= index;
    stopped = `follows the divergence at step ${index}`;
    steps.push({ index, op, verdict: 'diverge', result, diffs, fields });
  });
  return { ...base, steps, firstDivergence };
}

export interface CorpusSummary {
  sequences: number;
  agreedSequences: number;
  divergedSequences: number;
  steps: number;
  agree: number;
  diverge: number;
  historyDependent: number;
  notComparable: number;
  fields: number;
  fieldsAgreed: number;
}

export function summarise(results: readonly TranscriptComparison[]): CorpusSummary {
  const s: CorpusSummary = { sequences: results.length, agreedSequences: 0, divergedSequences: 0, steps: 0, agree: 0, diverge: 0, historyDependent: 0, notComparable: 0, fields: 0, fieldsAgreed: 0 };
  for (const r of results) {
    if (r.firstDivergence === null) s.agreedSequences++;
    else s.divergedSequences++;
    for (const st of r.steps) {
      s.steps++;
      if (st.verdict === 'agree') s.agree++;
      else if (st.verdict === 'diverge') s.diverge++;
      else if (st.verdict === 'history-dependent') s.historyDependent++;
      else s.notComparable++;
      s.fields += st.fields;
      s.fieldsAgreed += st.fields - st.diffs.length - (st.result && st.result.kernel !== st.result.memhp ? 1 : 0);
    }
  }
  return s;
}
