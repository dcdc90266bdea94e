/**
 * Rules that span several fields of a scenario. They read the raw document
 * (not zod's output) so that they still run, and still report, when some
 * other field of the file is invalid; each rule looks only at values that
 * parse, so a bad value is never reported twice.
 */
import type { LocatedProblem } from './errors.ts';
import { problemAt } from './errors.ts';
import { formatSize } from '../input/size.ts';
import { PROFILES } from '../kernel/profiles.ts';
import { ARCH_NAMES } from '../kernel/types.ts';
import { DEFAULT_ARCH, DEFAULT_KERNEL, LARGEST_MAX_PAGE_ORDER } from './defaults.ts';
import { integer, oneOf, size } from '../input/values.ts';
import { nodeNumber } from '../kernel/ops.ts';
import { blockSize, era, nodeCount } from './values.ts';
import { eraProblems } from './era-checks.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Boot nodes are laid out from address 0 in node order, so they must read node 0, 1, 2 ... */
function checkBootNodes(boot: unknown[]): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  const firstIndex = new Map<number, number>();
  boot.forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const node = nodeNumber(entry.node);
    if (node.ok) {
      const first = firstIndex.get(node.value);
      if (first !== undefined) {
        problems.push(problemAt(['boot', i, 'node'], `node ${node.value} is listed twice (first at boot[${first}])`));
      } else {
        firstIndex.set(node.value, i);
        if (node.value !== i) {
          problems.push(problemAt(['boot', i, 'node'], `expected node ${i}, got ${node.value} (boot nodes are listed in order: 0, 1, 2 ...)`));
        }
      }
    }
    problems.push(...checkBootRanges(entry, i));
    const total = entry.size === undefined && Array.isArray(entry.ranges) ? rangesTotal(entry.ranges) : size(entry.size);
    const used = size(entry.used);
    if (total.ok && used.ok && used.value > total.value) {
      problems.push(problemAt(['boot', i, 'used'], `${formatSize(used.value)} used is more than the node's ${formatSize(total.value)} of boot memory`));
    }
  });
  return problems;
}

/** The sum of a node's ranges, when every size parses. */
function rangesTotal(ranges: unknown[]): ReturnType<typeof size> {
  let sum = 0;
  for (const r of ranges) {
    const s = isRecord(r) ? size(r.size) : undefined;
    if (!s?.ok) return { ok: false, reason: 'a range size is not a size' };
    sum += s.value;
  }
  return { ok: true, value: sum };
}

/** `size` or `ranges` (src/kernel/boot-layout.ts): at least one, agreeing when both; ranges in address order without overlap. */
function checkBootRanges(entry: Record<string, unknown>, i: number): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  if (entry.ranges === undefined) {
    if (entry.size === undefined) problems.push(problemAt(['boot', i, 'size'], 'missing (expected a size above 0, or the node\'s ranges)'));
    return problems;
  }
  if (!Array.isArray(entry.ranges)) return problems;
  const total = rangesTotal(entry.ranges);
  const given = entry.size === undefined ? undefined : size(entry.size);
  if (total.ok && given?.ok && given.value !== total.value)
    problems.push(problemAt(['boot', i, 'size'], `${formatSize(given.value)} is not the ${formatSize(total.value)} its ranges hold (leave size out to take their sum)`));
  let end = -1;
  entry.ranges.forEach((r, j) => {
    if (!isRecord(r)) return;
    const start = size(r.start);
    const len = size(r.size);
    if (!start.ok || !len.ok) return;
    if (start.value < end) problems.push(problemAt(['boot', i, 'ranges', j, 'start'], `${formatSize(start.value)} is below the end of the range before it (${formatSize(end)}): list ranges in address order, without overlap`));
    if (r.zone !== undefined && r.online === false) problems.push(problemAt(['boot', i, 'ranges', j, 'zone'], 'an offline range is in no zone (its zone is chosen when it is onlined)'));
    end = start.value + len.value;
  });
  return problems;
}

/** Limits of the architecture: MAX_PAGE_ORDER and the section size a block must cover. */
function checkArchLimits(doc: Record<string, unknown>): LocatedProblem[] {
  const arch = oneOf(ARCH_NAMES, 'an architecture')(doc.arch ?? DEFAULT_ARCH);
  const kernel = era(doc.kernel ?? DEFAULT_KERNEL);
  if (!arch.ok) return [];
  const profile = PROFILES[arch.value];
  const problems: LocatedProblem[] = [];
  if (Array.isArray(doc.boot)) {
    doc.boot.forEach((entry, i) => {
      if (!isRecord(entry) || entry.maxFreeOrder === undefined) return;
      const order = integer('a page order', 0, LARGEST_MAX_PAGE_ORDER)(entry.maxFreeOrder);
      if (order.ok && order.value > profile.maxPageOrder) {
        problems.push(problemAt(['boot', i, 'maxFreeOrder'], `${order.value} is above MAX_PAGE_ORDER (${profile.maxPageOrder} on ${profile.name})`));
      }
    });
  }
  const machine = isRecord(doc.machine) ? doc.machine : {};
  const bs = machine.memoryBlockSize === undefined ? undefined : blockSize(machine.memoryBlockSize);
  if (bs?.ok && kernel.ok) {
    // memory_dev_init() panics "Memory block size not suitable" below one section.
    const section = 2 ** profile.sectionSizeBits(kernel.value);
    if (bs.value < section) {
      const why = `${formatSize(bs.value)} is smaller than one section (${formatSize(section)} on ${profile.name}, kernel ${kernel.value})`;
      problems.push(problemAt(['machine', 'memoryBlockSize'], why));
    }
  }
  return problems;
}

export function crossFieldProblems(doc: unknown): LocatedProblem[] {
  if (!isRecord(doc)) return [];
  const problems: LocatedProblem[] = [...checkArchLimits(doc), ...eraProblems(doc)];
  const boot = Array.isArray(doc.boot) ? doc.boot : undefined;
  if (boot) problems.push(...checkBootNodes(boot));
  if (isRecord(doc.machine) && doc.machine.possibleNodes !== undefined) {
    const possible = nodeCount(doc.machine.possibleNodes);
    const bootNodes = boot?.length ?? 1;
    if (possible.ok && possible.value < bootNodes) {
      problems.push(problemAt(['machine', 'possibleNodes'], `${possible.value} is fewer than the ${bootNodes} boot nodes`));
    }
  }
  return problems;
}
