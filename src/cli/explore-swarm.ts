/**
 * `memhp explore --swarm`: the swarm walks' result as text and as JSON, and
 * the pieces --coverage and --export sh add to either search's output.
 */
import type { CoverageReport } from '../check/coverage/collect.ts';
import { coverageLines } from '../check/coverage/table.ts';
import type { Counterexample } from '../check/explore.ts';
import { scriptPathFor, writeShellExport } from '../check/export-sh.ts';
import type { SwarmOptions, SwarmResult } from '../check/swarm.ts';
import type { SystemSpec } from '../kernel/types.ts';

/** A counterexample in either search's --json output: its operations, their sentences, what broke, and where it was written. */
export function counterexampleJson(c: Counterexample, script: string | null | undefined) {
  return { ops: c.ops, steps: c.steps, violation: c.violation, logFile: c.logFile ?? null, ...(script !== undefined ? { script } : {}) };
}

export function swarmJson(r: SwarmResult, extra: { coverage?: CoverageReport; script?: string | null }) {
  return {
    mode: 'swarm',
    seed: r.seed,
    walks: r.walks,
    walksRequested: r.walksRequested,
    deepest: r.deepest,
    statesChecked: r.statesChecked,
    distinctStates: r.distinctStates,
    transitions: r.transitions,
    operations: r.operations,
    elapsedMs: Math.round(r.elapsedMs),
    bound: r.bound,
    system: r.spec,
    counterexample: r.counterexample && {
      ...counterexampleJson(r.counterexample, extra.script),
      walk: r.counterexample.walk,
      foundLength: r.counterexample.foundLength,
      shrinkTries: r.counterexample.shrinkTries,
    },
    ...(extra.coverage ? { coverage: extra.coverage } : {}),
  };
}

export function formatSwarm(r: SwarmResult, o: SwarmOptions): string[] {
  const s = r.spec;
  const lines = [
    `memhp explore --swarm: ${s.arch} ${s.kernel}, ${o.blocks} hot-pluggable blocks` +
      ((o.nodes ?? 1) > 1 ? ` on ${o.nodes} nodes` : '') +
      `, seed ${r.seed}, ${r.walksRequested} walks of depth ≤ ${o.depth}, ${r.operations} operations` +
      (o.extraOps?.length ? ` (with ${o.extraOps.join(', ')})` : ''),
    `${r.walks} walks, ${r.statesChecked} states checked (${r.distinctStates} distinct), deepest ${r.deepest}, ${r.transitions} transitions, ${(r.elapsedMs / 1000).toFixed(1)} s`,
  ];
  if (r.counterexample) {
    const c = r.counterexample;
    lines.push(`COUNTEREXAMPLE (walk ${c.walk}, shrunk from ${c.foundLength} to ${c.ops.length} operation${c.ops.length === 1 ? '' : 's'} in ${c.shrinkTries} tries):`);
    for (const step of c.steps) lines.push(`  ${step}`);
    lines.push(`broken: ${c.violation.invariant}`, `  ${c.violation.message}`);
    if (c.logFile) lines.push(`log: ${c.logFile}  (memhp inspect ${c.logFile} · memhp step ${c.logFile})`);
  } else if (r.bound) {
    lines.push(`NOT COMPLETE: ${r.bound.message}. No counterexample in the walks made.`);
  } else {
    lines.push(`no counterexample in ${r.walks} walks (a swarm samples the space: it proves nothing about the walks it did not make; BFS does)`);
  }
  return lines;
}

/** --export sh: the script beside the log, when there is a counterexample; its path (null without one). */
export function exportScript(spec: SystemSpec, c: Counterexample | null, logFile: string): string | null {
  if (!c) return null;
  return writeShellExport(scriptPathFor(logFile), spec, c.ops, { logFile });
}

export function scriptLine(script: string | null): string[] {
  return script ? [`script: ${script}  (sh ${script} as root on a machine or VM; memhp exec <scenario> -- sh ${script} against memhp's /sys)`] : [];
}

export function coverageText(c: CoverageReport | undefined): string[] {
  return c ? ['', ...coverageLines(c)] : [];
}
