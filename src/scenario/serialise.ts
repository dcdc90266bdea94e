/**
 * A Scenario back to scenario-file JSON: every field explicit (defaults
 * written out), sizes and addresses spelled with units (formatSize), one boot
 * node and one operation per line so a diff shows one step per line.
 * parseScenario(scenarioToJson(s), f) deep-equals s.
 */
import type { BootNode } from '../kernel/types.ts';
import type { Op, Scenario } from '../kernel/ops.ts';
import { formatSize } from '../input/size.ts';

/** The op fields that hold a size or a physical address. */
const SIZE_FIELDS = new Set(['start', 'size', 'addr']);

function opToJson(op: Op): Record<string, unknown> {
  return Object.fromEntries(Object.entries(op).map(([k, v]) => [k, SIZE_FIELDS.has(k) && typeof v === 'number' ? formatSize(v) : v]));
}

function bootToJson(b: BootNode): Record<string, unknown> {
  const out: Record<string, unknown> = { node: b.node, size: formatSize(b.size), used: formatSize(b.used), maxFreeOrder: b.maxFreeOrder };
  if (b.ranges) out.ranges = b.ranges.map((r) => ({ start: formatSize(r.start), size: formatSize(r.size), ...(r.zone ? { zone: r.zone } : {}), online: r.online }));
  return out;
}

/** The scenario as a plain JSON-ready object, sizes formatted. */
export function scenarioToObject(s: Scenario): Record<string, unknown> {
  const machine: Record<string, unknown> = { hypervisor: s.machine.hypervisor };
  if (s.machine.memoryBlockSize !== undefined) machine.memoryBlockSize = formatSize(s.machine.memoryBlockSize);
  machine.sparsemem = s.machine.sparsemem;
  if (s.machine.possibleNodes !== undefined) machine.possibleNodes = s.machine.possibleNodes;
  if (s.machine.config !== undefined) machine.config = { ...s.machine.config };
  const out: Record<string, unknown> = { name: s.name };
  if (s.description !== undefined) out.description = s.description;
  Object.assign(out, {
    kernel: s.kernel,
    arch: s.arch,
    machine,
    boot: s.boot.map(bootToJson),
    params: { ...s.params },
    ...(s.agents !== undefined ? { agents: s.agents.map((a) => ({ ...a })) } : {}),
    ops: s.ops.map(opToJson),
  });
  return out;
}

/** `{ "a": 1, "b": [2] }` on one line. */
function inline(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const fields = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`);
    return fields.length ? `{ ${fields.join(', ')} }` : '{}';
  }
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  return JSON.stringify(value);
}

/** Scenario-file JSON text (ends with a newline). */
export function scenarioToJson(s: Scenario): string {
  const fields = Object.entries(scenarioToObject(s)).map(([key, value]) => {
    const head = `  ${JSON.stringify(key)}: `;
    if (Array.isArray(value) && value.length > 0) return `${head}[\n${value.map((v) => `    ${inline(v)}`).join(',\n')}\n  ]`;
    return head + inline(value);
  });
  return `{\n${fields.join(',\n')}\n}\n`;
}
