/**
 * `memhp explore`: the model checker on a small machine. Breadth-first over
 * every sequence of operations up to --depth, one visit per canonical state,
 * every invariant in every state. Exit 0 when the space within the bounds
 * holds, 1 with a (shortest) counterexample, 2 for invalid input, 3 when a
 * state or time bound stopped the search before it was complete.
 */
import { availableParallelism } from 'node:os';
import { AGENT_NAMES, type AgentName } from '../kernel/agents.ts';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { exploreWithCoverage } from '../check/coverage/explore.ts';
import type { CoverageReport } from '../check/coverage/collect.ts';
import { Coverage } from '../check/coverage/collect.ts';
import { explore, exploreAsync, type ExploreOptions, type ExploreResult } from '../check/explore.ts';
import { INVARIANTS } from '../check/invariants/index.ts';
import { swarm, type SwarmOptions } from '../check/swarm.ts';
import { AUTO_ONLINE_VALUES, EXTRA_OPS, INJECT_ERROR, type ExtraOp } from '../check/machine.ts';
import { ARCH_NAMES, ERAS, type ArchName, type Era, type Params } from '../kernel/types.ts';
import { PARAM_PARSERS } from '../scenario/values.ts';
import { EXIT_FAILURE, EXIT_OK, InputError } from './errors.ts';
import { counterexampleJson, coverageText, exportScript, formatSwarm, scriptLine, swarmJson } from './explore-swarm.ts';

export const EXIT_BOUND_HIT = 3;

export interface ExploreCommandOptions {
  arch?: string;
  kernel?: string;
  blocks?: string;
  nodes?: string;
  ops?: string;
  agents?: string;
  depth?: string;
  param?: string[];
  maxStates?: string;
  maxSeconds?: string;
  workers?: string;
  symmetry?: boolean;
  out?: string;
  json?: boolean;
  progress?: boolean;
  swarm?: boolean;
  seed?: string;
  walks?: string;
  coverage?: boolean;
  export?: string;
}

function positiveInt(option: string, value: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max)
    throw new InputError(`${option} ${JSON.stringify(value)}: expected a whole number from 1 to ${max}`);
  return n;
}

/** `--param name=value` → typed parameter overrides, each checked like the scenario field of that name. */
export function parseParams(values: readonly string[]): Partial<Params> {
  const out: Record<string, unknown> = {};
  for (const raw of values) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new InputError(`--param ${JSON.stringify(raw)}: expected name=value`);
    const name = raw.slice(0, eq).trim();
    const value = raw.slice(eq + 1).trim();
    if (!Object.hasOwn(PARAM_PARSERS, name))
      throw new InputError(`--param ${name}: unknown parameter (known: ${Object.keys(PARAM_PARSERS).join(', ')})`);
    const parser = PARAM_PARSERS[name as keyof Params] as (v: unknown) => { ok: true; value: unknown } | { ok: false; reason: string };
    // numbers on the command line are strings; the parsers accept what a scenario file would hold
    const candidate = /^-?\d+$/.test(value) ? Number(value) : value;
    let r = parser(candidate);
    if (!r.ok && candidate !== value) r = parser(value);
    if (!r.ok) throw new InputError(`--param ${name}=${value}: ${r.reason}`);
    out[name] = r.value;
  }
  return out as Partial<Params>;
}

/** `--ops pin,unpin,inject` → the extra operation kinds, each name checked; `all` names every one. */
export function parseExtraOps(value: string): ExtraOp[] {
  const out: ExtraOp[] = [];
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (name === '') throw new InputError(`--ops ${JSON.stringify(value)}: empty name in the list (expected comma-separated names)`);
    if (name === 'all') {
      out.push(...EXTRA_OPS);
      continue;
    }
    if (!(EXTRA_OPS as readonly string[]).includes(name))
      throw new InputError(`--ops ${name}: unknown operation kind (known: ${EXTRA_OPS.join(', ')}, all)`);
    out.push(name as ExtraOp);
  }
  return [...new Set(out)];
}

/** `--agents udev,daxctl` → the onlining agents installed (queued), each name checked. */
export function parseAgents(value: string): AgentName[] {
  const out: AgentName[] = [];
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (!(AGENT_NAMES as readonly string[]).includes(name)) throw new InputError(`--agents ${JSON.stringify(name)}: unknown onlining agent (known: ${AGENT_NAMES.join(', ')})`);
    out.push(name as AgentName);
  }
  return [...new Set(out)];
}

/** Command-line options → explorer options (throws InputError naming the option). */
export function exploreOptionsFrom(opts: ExploreCommandOptions): ExploreOptions {
  if (opts.arch !== undefined && !(ARCH_NAMES as readonly string[]).includes(opts.arch))
    throw new InputError(`--arch ${JSON.stringify(opts.arch)}: expected one of ${ARCH_NAMES.join(', ')}`);
  if (opts.kernel !== undefined && !(ERAS as readonly string[]).includes(opts.kernel))
    throw new InputError(`--kernel ${JSON.stringify(opts.kernel)}: expected one of ${ERAS.join(', ')}`);
  return {
    arch: (opts.arch ?? 'x86_64') as ArchName,
    kernel: (opts.kernel ?? '6.8') as Era,
    blocks: positiveInt('--blocks', opts.blocks, 3, 8),
    nodes: positiveInt('--nodes', opts.nodes, 1, 2),
    ...(opts.ops !== undefined ? { extraOps: parseExtraOps(opts.ops) } : {}),
    ...(opts.agents !== undefined ? { agents: parseAgents(opts.agents) } : {}),
    // a swarm walks deep (its point); breadth-first stops where the levels grow too wide
    depth: opts.swarm ? positiveInt('--depth', opts.depth, 20, 10_000) : positiveInt('--depth', opts.depth, 5, 64),
    params: parseParams(opts.param ?? []),
    maxStates: positiveInt('--max-states', opts.maxStates, 200_000),
    maxSeconds: positiveInt('--max-seconds', opts.maxSeconds, 60),
    workers: positiveInt('--workers', opts.workers, availableParallelism(), 256),
    symmetry: opts.symmetry ?? false,
    counterexampleFile: resolve(opts.out ?? 'memhp-counterexample.jsonl'),
  };
}

/** --swarm, --seed, --walks, --coverage, --export: checked like the rest (InputError naming the option). */
export function exploreModesFrom(opts: ExploreCommandOptions) {
  if (opts.export !== undefined && opts.export !== 'sh') throw new InputError(`--export ${JSON.stringify(opts.export)}: expected sh (the only format)`);
  if (!opts.swarm && (opts.seed !== undefined || opts.walks !== undefined)) throw new InputError(`${opts.seed !== undefined ? '--seed' : '--walks'} belongs to --swarm (breadth-first search has no randomness)`);
  let seed = 1;
  if (opts.seed !== undefined) {
    if (!/^\d+$/.test(opts.seed.trim()) || Number(opts.seed) > 0xffffffff) throw new InputError(`--seed ${JSON.stringify(opts.seed)}: expected a whole number from 0 to 4294967295`);
    seed = Number(opts.seed);
  }
  return { swarm: !!opts.swarm, seed, walks: positiveInt('--walks', opts.walks, 100), coverage: !!opts.coverage, exportSh: opts.export === 'sh' };
}

/** The result as one JSON object (the `--json` contract). */
export function exploreJson(r: ExploreResult, extra: { coverage?: CoverageReport; script?: string | null } = {}) {
  return {
    statesExplored: r.statesExplored,
    statesPerSec: r.statesPerSec,
    complete: r.complete,
    exhausted: r.exhausted,
    depthReached: r.depthReached,
    transitions: r.transitions,
    generated: r.generated,
    operations: r.operations,
    workers: r.workers,
    threadBusy: r.threadBusy,
    symmetry: r.symmetry,
    collisionProbability: r.complete ? r.collisionProbability : null,
    bytesPerState: +r.bytesPerState.toFixed(1),
    elapsedMs: Math.round(r.elapsedMs),
    startupMs: Math.round(r.startupMs),
    bound: r.bound,
    system: r.spec,
    counterexample: r.counterexample && counterexampleJson(r.counterexample, extra.script),
    ...(extra.coverage ? { coverage: extra.coverage } : {}),
  };
}

export function formatExplore(r: ExploreResult, o: ExploreOptions): string[] {
  const s = r.spec;
  const lines = [
    `memhp explore: ${s.arch} ${s.kernel}, ${o.blocks} hot-pluggable blocks` +
      ((o.nodes ?? 1) > 1 ? ` on ${o.nodes} nodes` : '') +
      `, depth ${o.depth}, ${r.operations} operations per state` +
      (o.extraOps?.length ? ` (with ${o.extraOps.join(', ')})` : '') +
      (Object.keys(o.params ?? {}).length ? `, ${Object.entries(o.params!).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''),
    `explored ${r.statesExplored} states (${r.statesPerSec} states/s, ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.transitions} transitions, ${r.workers} worker${r.workers === 1 ? '' : 's'}; visited set ${r.bytesPerState.toFixed(1)} bytes a state)`,
  ];
  // on threads: how much of the run each one worked, the rest it waited for the others (a level's end, the set's growth)
  if (r.threadBusy.length > 1) lines.push(`threads busy: ${r.threadBusy.map((b) => `${Math.round(100 * b)}%`).join(', ')} of the ${(r.elapsedMs / 1000).toFixed(1)} s (started in ${(r.startupMs / 1000).toFixed(1)} s before it)`);
  // TLC's estimate, for a run that claims the whole space: a collision could only have hidden a state
  if (r.symmetry.applied) lines.push(`symmetry: ${r.symmetry.saved} states reached were folded into their mirror image and not explored again`);
  else if (r.symmetry.problem) lines.push(`symmetry not applied: ${r.symmetry.problem}`);
  if (r.complete) lines.push(`fingerprint collision probability: ${r.collisionProbability.toExponential(1)} (${r.statesExplored} distinct of ${r.generated} generated, 64-bit)`);
  if (r.counterexample) {
    const c = r.counterexample;
    lines.push(`COUNTEREXAMPLE (shortest, ${c.ops.length} operation${c.ops.length === 1 ? '' : 's'}):`);
    for (const step of c.steps) lines.push(`  ${step}`);
    lines.push(`broken: ${c.violation.invariant}`);
    lines.push(`  ${c.violation.message}`);
    if (c.logFile) lines.push(`log: ${c.logFile}  (memhp inspect ${c.logFile} · memhp step ${c.logFile})`);
  } else if (r.bound) {
    lines.push(`NOT COMPLETE: ${r.bound.message}. No counterexample in the states explored; raise --max-states / --max-seconds or lower --depth / --blocks.`);
  } else if (r.exhausted) {
    lines.push(`no counterexample: every reachable state (depth ${r.depthReached}) satisfies every invariant`);
  } else {
    lines.push(`no counterexample: every state within depth ${o.depth} satisfies every invariant`);
  }
  return lines;
}

export async function runExplore(opts: ExploreCommandOptions): Promise<number> {
  const options = exploreOptionsFrom(opts);
  const modes = exploreModesFrom(opts);
  if (modes.swarm) {
    const { onProgress: _bfsProgress, maxStates: _bfsStates, ...shared } = options;
    return runSwarm(opts, { ...shared, seed: modes.seed, walks: modes.walks }, modes);
  }
  const showProgress = !opts.json && opts.progress !== false && !!process.stderr.isTTY;
  let bar: cliProgress.SingleBar | null = null;
  if (showProgress) {
    bar = new cliProgress.SingleBar(
      { format: 'explore [{bar}] {value} states · depth {depth} · frontier {frontier}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(options.maxStates!, 0, { depth: 1, frontier: 0 });
  }
  let result: ExploreResult;
  let coverage: CoverageReport | undefined;
  try {
    const o = { ...options, progressEvery: 500, onProgress: (p: { statesExplored: number; depth: number; frontier: number }) => bar?.update(p.statesExplored, { depth: p.depth, frontier: p.frontier }) };
    // coverage watches every successor on this thread; without it the search uses the worker threads
    if (modes.coverage) ({ result, coverage } = exploreWithCoverage(o));
    else result = await exploreAsync(o);
  } finally {
    bar?.stop();
  }
  const script = modes.exportSh ? exportScript(result.spec, result.counterexample, options.counterexampleFile!) : undefined;
  if (opts.json) process.stdout.write(`${JSON.stringify(exploreJson(result, { ...(coverage ? { coverage } : {}), ...(script !== undefined ? { script } : {}) }), null, 2)}\n`);
  else process.stdout.write(`${[...formatExplore(result, options), ...scriptLine(script ?? null), ...coverageText(coverage)].join('\n')}\n`);
  if (result.bound && !opts.json) process.stderr.write(`memhp: explore hit its bound: ${result.bound.message}\n`);
  return result.counterexample ? EXIT_FAILURE : result.bound ? EXIT_BOUND_HIT : EXIT_OK;
}

function runSwarm(opts: ExploreCommandOptions, options: SwarmOptions, modes: ReturnType<typeof exploreModesFrom>): number {
  const showProgress = !opts.json && opts.progress !== false && !!process.stderr.isTTY;
  const bar = showProgress
    ? new cliProgress.SingleBar({ format: 'swarm [{bar}] {value}/{total} walks', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(options.walks!, 0);
  const cov = modes.coverage ? new Coverage(options.invariants ?? INVARIANTS) : undefined;
  let r: ReturnType<typeof swarm>;
  try {
    r = swarm({ ...options, ...(cov ? { coverage: cov } : {}), onProgress: (p) => bar?.update(p.walks) });
  } finally {
    bar?.stop();
  }
  const coverage = cov?.report();
  const script = modes.exportSh ? exportScript(r.spec, r.counterexample, options.counterexampleFile!) : undefined;
  if (opts.json) process.stdout.write(`${JSON.stringify(swarmJson(r, { ...(coverage ? { coverage } : {}), ...(script !== undefined ? { script } : {}) }), null, 2)}\n`);
  else process.stdout.write(`${[...formatSwarm(r, options), ...scriptLine(script ?? null), ...coverageText(coverage)].join('\n')}\n`);
  if (r.bound && !opts.json) process.stderr.write(`memhp: explore hit its bound: ${r.bound.message}\n`);
  return r.counterexample ? EXIT_FAILURE : r.bound ? EXIT_BOUND_HIT : EXIT_OK;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description(
      'model-check a small machine: breadth-first over every operation sequence, every invariant in every state; exit 0 holds, 1 counterexample, 3 bound hit',
    )
    .option('--arch <arch>', `architecture (${ARCH_NAMES.join(', ')})`, 'x86_64')
    .option('--kernel <era>', `kernel era (${ERAS.join(', ')})`, '6.8')
    .option('--blocks <n>', 'hot-pluggable blocks after boot memory (1-8)', '3')
    .option(
      '--nodes <n>',
      'NUMA nodes (1-2); with 2, boot memory stays on node 0 and every add is tried on either node, so node 1 comes online with its first block, takes its memmap from node 0 without an altmap, and goes offline through try_offline_node()',
      '1',
    )
    .option(
      '--ops <list>',
      `extra operation kinds, comma-separated (${EXTRA_OPS.join(', ')}, or all): pin/unpin per block; inject arms MEM_GOING_ONLINE or MEM_GOING_OFFLINE with ${INJECT_ERROR} or disarms it with 0; signal leaves a signal pending for the next offline; set writes auto_online_blocks=${AUTO_ONLINE_VALUES.join('|')}; acpi_dimm adds a DIMM (static memory group) per sub-range and ejects it; virtio_mem probes one device over the window and resizes it to every whole number of blocks; dax_kmem binds one dax device over the window to kmem (with memmap_on_memory on 6.8) and unbinds it; offline_and_remove_memory (every aligned sub-range) and touch are in the default set already`,
    )
    .option(
      '--agents <list>',
      `onlining agents installed, comma-separated (${AGENT_NAMES.join(', ')}): each block's add uevent (daxctl: dax0.0's bind) queues a reaction, and the explorer interleaves the agent operations that handle them with everything else (docs/drivers.md "Onlining agents")`,
    )
    .option('--depth <d>', 'longest operation sequence tried (default 5; with --swarm, the longest walk: default 20)')
    .option('--param <name=value>', 'kernel parameter, repeatable (e.g. v2_remove_guard=true, memmap_on_memory=force, movable_node=true)', collect, [])
    .option('--max-states <n>', 'stop after this many distinct states', '200000')
    .option('--max-seconds <s>', 'stop after this many seconds', '60')
    .option('--workers <n>', 'worker threads (default: the cores); the same states and verdict, a counterexample of the same length')
    .option('--symmetry', "visit a state and its window's mirror image once (not applied, and said so, where the mirror is no symmetry: virtio-mem, MHP_MEMMAP_DEVICE, auto-online)")
    .option('--out <file>', 'where to write the counterexample log (replaced if it exists, like a build output)', 'memhp-counterexample.jsonl')
    .option('--json', 'print one JSON object { statesExplored, statesPerSec, complete, counterexample: { ops, logFile } }')
    .option('--no-progress', 'no progress bar even on a terminal')
    .option('--swarm', 'swarm verification instead of breadth-first: many random depth-first walks, each with its own operation order and subset of operation kinds, steered by a shared bitstate table to unseen states; a counterexample is shrunk to a minimal sequence (docs/explore.md)')
    .option('--seed <s>', 'with --swarm: the run\'s seed (default 1); walk i of seed S is the same everywhere, so seed ranges split a run across machines')
    .option('--walks <n>', 'with --swarm: walks to make (default 100)')
    .option('--coverage', 'after the run, which operations, errnos, kernel paths (BUG/WARN/oops), error returns, machine transitions and invariants were reached, and which never were (with --json: a "coverage" object)')
    .option('--export <format>', 'sh: also write the counterexample as a POSIX shell script beside its log (<out>.sh) that makes the operations on a real /sys (QMP commands for device steps) and reports where the machine parts from memhp')
    .action(async (opts: ExploreCommandOptions) => {
      process.exitCode = await runExplore(opts);
    });
}
