/**
 * `memhp compare <scenario> --kernel 5.13,6.6,6.8 [--json]` (also
 * `memhp run <scenario> --kernel 5.13,6.6,6.8`): the scenario's operations
 * decided under each era, one column per era, the first step where the
 * results or the worlds part, and the era-table rows behind it
 * (src/cli/compare-eras.ts).
 */
import type { Command } from 'commander';
import { formatResult } from '../engine/op-text.ts';
import { loadScenario } from '../session/source.ts';
import { compareEras, parseEras, type Comparison, type Parting } from './compare-eras.ts';
import { printJson, printLines } from './output.ts';
import { styleFor, type Style } from './style.ts';
import { table } from './table.ts';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('run a scenario under several kernel eras side by side: each step\'s results in columns, where they first part, and the era-table rows that differ')
    .argument('<scenario>', 'scenario file (JSON or YAML)')
    .requiredOption('--kernel <eras>', 'eras to compare, comma-separated (e.g. 5.13,6.6,6.8)')
    .option('--json', 'print one JSON object { scenario, eras, steps, firstParting }')
    .action((file: string, opts: { kernel: string; json?: boolean }) => compareCommand(file, opts.kernel, opts.json === true));
}

export function compareCommand(file: string, kernels: string, json: boolean): void {
  const eras = parseEras(kernels);
  const c = compareEras(loadScenario(file), eras);
  if (json) printJson(c);
  else printLines(formatComparison(c, styleFor(process.stdout)));
}

const cell = (v: unknown): string => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

function partingLines(c: Comparison, p: Parting, style: Style): string[] {
  const names = c.eras.map((e) => e.kernel);
  const where = p.index < 0 ? 'boot' : `step ${p.index} (${p.op})`;
  const out = [style.bold(`first parting: ${where}: ${p.kind === 'results' ? 'the results differ' : 'the same results, different worlds'}`)];
  const step = c.steps.find((s) => s.index === p.index)!;
  step.results.forEach((r, e) => {
    out.push(`  ${names[e]!.padEnd(8)} ${formatResult(r.ret, r.errno, r.message)}`);
    for (const w of r.warnings) out.push(`  ${''.padEnd(8)} ${style.dim(w)}`);
  });
  if (p.worldParts > 0) {
    out.push('', `the world after it: ${p.worldParts} field${p.worldParts === 1 ? '' : 's'} differ${p.worldParts === 1 ? 's' : ''}${p.worldParts > p.world.length ? ` (the first ${p.world.length})` : ''}`);
    out.push(...table(['path', ...names], p.world.map((w) => [w.path, ...w.values.map(cell)])).map((l) => `  ${l}`));
  }
  out.push('');
  if (p.why.length > 0) {
    out.push('why: the era-table rows (docs/eras.md) this step read that the eras answer differently');
    out.push(...table(['row', ...names, 'since', 'what'], p.why.map((r) => [r.feature, ...r.has.map((h) => (h ? 'yes' : 'no')), r.since ?? 'never', r.what])).map((l) => `  ${l}`));
    for (const r of p.why) out.push(`  ${style.dim(`${r.feature}: ${r.name} — "${r.commit}"`)}`);
  } else out.push('why: this step read no era-table row that the eras answer differently');
  return out;
}

export function formatComparison(c: Comparison, style: Style): string[] {
  const names = c.eras.map((e) => e.kernel);
  const out = [style.bold(`scenario: ${c.scenario}`), 'eras:'];
  for (const e of c.eras) {
    out.push(`  ${e.kernel.padEnd(8)} ${e.summary}`);
    for (const n of e.notes) out.push(`  ${''.padEnd(8)} ${style.dim(`lacks what the scenario asks: ${n}`)}`);
  }
  if (c.build.length > 0) {
    out.push('build options that differ (each era\'s distribution default where machine.config leaves it unset):');
    out.push(...table(['option', ...names], c.build.map((r) => [`CONFIG_${r.option}`, ...r.values.map((v) => (v ? 'y' : 'n'))])).map((l) => `  ${l}`));
  }
  out.push('');
  const parting = c.firstParting?.index;
  const rows = c.steps.map((s) => [
    s.index < 0 ? 'boot' : String(s.index),
    s.index < 0 ? '' : s.op,
    ...s.results.map((r) => formatResult(r.ret, r.errno) + (r.warnings.length ? ` (${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'})` : '')),
    s.index === parting ? '← first parting' : s.resultsPart ? '≠' : '',
  ]);
  out.push(...table(['step', 'operation', ...names, ''], rows));
  out.push('');
  if (c.firstParting) out.push(...partingLines(c, c.firstParting, style));
  else out.push(`the eras agree: every step returned the same and left the same world in ${names.join(', ')}`);
  return out;
}
