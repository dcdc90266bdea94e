/**
 * What a scenario asks of its kernel that the kernel does not have: a build
 * option its arch cannot set, a parameter or value its era lacks, an MHP flag
 * or in-kernel function that does not exist there. Each is invalid input
 * (exit 2) naming its JSON path; the facts come from src/kernel/features.ts
 * and src/kernel/config.ts. Like checks.ts, this reads the raw document and
 * looks only at values that parse, so a bad value is never reported twice.
 *
 * A `set` of a parameter the era lacks is not refused here: at run time it is
 * a write to a sysfs file that does not exist, -ENOENT, recorded in the log.
 */
import { configProblem, kernelConfig } from '../kernel/config.ts';
import { flagProblem, opProblem, paramProblem } from '../kernel/features.ts';
import { ARCH_NAMES, CONFIG_OPTIONS, MHP_FLAGS, type ConfigOption, type KernelConfig, type Params } from '../kernel/types.ts';
import { DEFAULT_ARCH, DEFAULT_KERNEL } from './defaults.ts';
import { problemAt, type LocatedProblem } from './errors.ts';
import { OP_NAMES } from '../kernel/ops.ts';
import { boolish, oneOf } from '../input/values.ts';
import { era, PARAM_PARSERS } from './values.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function eraProblems(doc: Record<string, unknown>): LocatedProblem[] {
  const arch = oneOf(ARCH_NAMES, 'an architecture')(doc.arch ?? DEFAULT_ARCH);
  const kernel = era(doc.kernel ?? DEFAULT_KERNEL);
  if (!arch.ok || !kernel.ok) return [];
  const problems: LocatedProblem[] = [];
  const machine = isRecord(doc.machine) ? doc.machine : {};
  const rawConfig = isRecord(machine.config) ? machine.config : {};

  // machine.sparsemem and config.SPARSEMEM_VMEMMAP say the same thing: they must agree
  const sparsemem = oneOf(['vmemmap', 'classic'] as const, 'a sparsemem model')(machine.sparsemem);
  const sv = rawConfig.SPARSEMEM_VMEMMAP === undefined ? undefined : boolish(rawConfig.SPARSEMEM_VMEMMAP);
  if (sparsemem.ok && sv?.ok && (sparsemem.value === 'vmemmap') !== sv.value)
    problems.push(problemAt(['machine', 'config', 'SPARSEMEM_VMEMMAP'], `${sv.value} contradicts machine.sparsemem "${sparsemem.value}" (say it once, or the same in both)`));
  const vmemmap = sv?.ok ? sv.value : sparsemem.ok ? sparsemem.value === 'vmemmap' : true;

  const explicit: Partial<KernelConfig> = {};
  for (const option of CONFIG_OPTIONS) {
    if (rawConfig[option] === undefined) continue;
    const v = boolish(rawConfig[option]);
    if (!v.ok) continue;
    const why = configProblem(option as ConfigOption, v.value, arch.value, kernel.value, vmemmap);
    if (why) problems.push(problemAt(['machine', 'config', option], why));
    else explicit[option] = v.value;
  }
  const config = kernelConfig({ arch: arch.value, kernel: kernel.value, machine: { hypervisor: true, sparsemem: vmemmap ? 'vmemmap' : 'classic', config: explicit } });

  if (isRecord(doc.params))
    for (const key of Object.keys(doc.params)) {
      if (!(key in PARAM_PARSERS)) continue;
      const k = key as keyof Params;
      const v = PARAM_PARSERS[k](doc.params[key]);
      if (!v.ok) continue;
      const why = paramProblem(kernel.value, config, k, v.value as never);
      if (why) problems.push(problemAt(['params', key], why));
    }

  if (Array.isArray(doc.ops))
    doc.ops.forEach((op, i) => {
      if (!isRecord(op) || typeof op.op !== 'string' || !(OP_NAMES as readonly string[]).includes(op.op)) return;
      const why = opProblem(kernel.value, config, op.op as (typeof OP_NAMES)[number]);
      if (why) problems.push(problemAt(['ops', i, 'op'], why));
      if (op.op === 'add_memory' && Array.isArray(op.flags))
        op.flags.forEach((flag, j) => {
          const f = oneOf(MHP_FLAGS, 'an MHP flag')(flag);
          const missing = f.ok ? flagProblem(kernel.value, f.value) : null;
          if (missing) problems.push(problemAt(['ops', i, 'flags', j], missing));
        });
    });
  return problems;
}
