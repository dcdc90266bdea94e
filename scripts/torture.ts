/**
 * node --import tsx scripts/torture.ts [--kills N] [--fuzz N] [--race N] [--sizes 1,4] [--seed S] [--json]
 *
 * The torture that found issue 13, kept as a script that prints figures (not a timed test):
 *  1. kills:  `memhp run --log` (real processes) SIGKILLed at random moments; every operation
 *             it printed (printed only after its events were fsynced) must be in the log, and
 *             the log must open and pass `replay --verify`;
 *  2. fuzz:   fuzzed scenario documents and damaged logs through the command (in-process),
 *             counted by outcome (test/reliability/helpers/fuzz.ts states the contract);
 *  3. race:   2 and 4 real processes racing for a stale lock, N trials each
 *             (test/log/helpers/race.ts): acknowledged records lost, doubled or misplaced;
 *  4. sizes:  adding and onlining N TiB of 128 MiB blocks (x86_64, memmap_on_memory,
 *             auto-online) in a fresh process: wall time and peak RSS.
 * Everything random comes from a seeded PRNG: the same --seed gives the same run.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { prng } from './workload.ts';
import { damage, judgeDamagedLog, judgeScenario, ReferenceWorlds, scenarioText, tally, type Judged } from '../test/reliability/helpers/fuzz.ts';
import { memhpInProcess } from '../test/reliability/helpers/in-process.ts';
import { raceForStaleLock } from '../test/log/helpers/race.ts';

const repo = path.resolve(import.meta.dirname, '..');
const BIN = path.join(repo, 'bin', 'memhp.js');
const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '12' },
    fuzz: { type: 'string', default: '400' },
    race: { type: 'string', default: '30' },
    sizes: { type: 'string', default: '1,4' },
    seed: { type: 'string', default: '13' },
    json: { type: 'boolean', default: false },
    'size-child': { type: 'string' },
  },
});
const seed = Number(values.seed);
const say = (s: string) => process.stderr.write(`${s}\n`);

// ---- 4 (child side): one machine size, measured in a process of its own ----
if (values['size-child']) {
  const { HotplugSystem } = await import('../src/engine/system.ts');
  const { systemSpec } = await import('../src/check/index.ts');
  const tib = Number(values['size-child']);
  const spec = systemSpec({ kernel: '6.8', machine: { memoryBlockSize: '128M' }, params: { memmap_on_memory: 'on', auto_online_blocks: 'online' } });
  const t0 = performance.now();
  const sys = new HotplugSystem(spec);
  const chunk = 64 * 2 ** 30;
  for (let start = 2 ** 32, end = 2 ** 32 + tib * 2 ** 40; start < end; start += chunk) {
    const r = sys.apply({ op: 'add_memory', node: 0, start, size: Math.min(chunk, end - start), flags: ['MHP_MEMMAP_ON_MEMORY'] });
    if (r.ret !== 0) throw new Error(`add at ${start} failed: ${r.errno}`);
  }
  const ms = performance.now() - t0;
  const online = sys.view().blocks.filter((b) => b.state === 'online').length;
  process.stdout.write(`${JSON.stringify({ tib, ms: Math.round(ms), rssMB: Math.round(process.resourceUsage().maxRSS / 1024), blocksOnline: online })}\n`);
  process.exit(0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memhp-torture-'));
const figures: Record<string, unknown> = {};

// ---- 1: SIGKILL during run --log ----
function churnScenario(ops: number): string {
  const list: unknown[] = [{ op: 'add_memory', node: 0, start: '8G', size: '2G', flags: ['MHP_MEMMAP_ON_MEMORY'] }];
  for (let i = 0; list.length < ops; i++) {
    const block = 64 + (i % 16);
    list.push({ op: 'state', block, value: i % 3 === 0 ? 'online_movable' : 'online' }, { op: 'state', block, value: 'offline' });
  }
  const file = path.join(dir, 'churn.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'churn', kernel: '6.8', machine: { memoryBlockSize: '128M' }, params: { memmap_on_memory: 'on' }, ops: list }));
  return file;
}

async function killRun(scenario: string, log: string, delayMs: number): Promise<{ acked: number; killed: boolean }> {
  const child = spawn(process.execPath, [BIN, 'run', scenario, '--log', log], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let timer: NodeJS.Timeout | undefined;
  let killed = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    // start the clock once the first operation is done: Node's start-up time varies a lot here
    if (timer === undefined && /^\[0\] /m.test(out)) timer = setTimeout(() => { killed = child.kill('SIGKILL'); }, delayMs);
  });
  await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const acked = [...out.matchAll(/^\[(\d+)\] /gm)].length;
  return { acked, killed };
}

async function kills(n: number) {
  const scenario = churnScenario(600);
  const rand = prng(seed);
  const f = { kills: 0, runsFinished: 0, acknowledgedOps: 0, lostOps: 0, logsNotOpening: 0, verifyFailures: 0, tornTailsDropped: 0 };
  for (let i = 0; i < n; i++) {
    const log = path.join(dir, `kill-${i}.jsonl`);
    const { acked, killed } = await killRun(scenario, log, Math.floor(rand() * 1500));
    if (killed) f.kills++;
    else f.runsFinished++;
    f.acknowledgedOps += acked;
    if (!fs.existsSync(log)) {
      if (acked > 0) f.lostOps += acked;
      continue;
    }
    const r = await memhpInProcess(['replay', log, '--verify', '--json']);
    if (r.code === 2) { f.logsNotOpening++; f.lostOps += acked; continue; }
    if (r.code !== 0) f.verifyFailures++;
    if (/torn/.test(r.stderr)) f.tornTailsDropped++;
    const inLog = (JSON.parse(r.stdout) as { ops: unknown[] }).ops.length;
    if (inLog < acked) f.lostOps += acked - inLog;
    say(`kill ${i + 1}/${n}: ${acked} ops acknowledged, ${inLog} in the log${killed ? '' : ' (finished before the kill)'}`);
  }
  figures.kills = f;
}

// ---- 2: fuzz ----
async function fuzz(n: number) {
  const scen: Judged[] = [];
  let k = 0;
  await fc.assert(fc.asyncProperty(scenarioText, async (input) => { scen.push(await judgeScenario(dir, `s${k++}`, input)); }), { numRuns: n, seed });
  const logs: Judged[] = [];
  const refs: ReferenceWorlds[] = [];
  for (const name of ['seed-reviewer-partial-remove.json', 'selftest-round.json', 'balloon-near-oom.json']) {
    const log = path.join(dir, `ref-${name}.jsonl`);
    const r = await memhpInProcess(['run', path.join(repo, 'scenarios', name), '--log', log]);
    if (r.code !== 0) throw new Error(r.stderr);
    refs.push(new ReferenceWorlds(log));
  }
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: refs.length - 1 }), damage, async (which, d) => { logs.push({ ...(await judgeDamagedLog(dir, `d${k++}`, refs[which]!, d)), detail: d.kind }); }),
    { numRuns: n, seed },
  );
  const byDamage: Record<string, Record<string, number>> = {};
  for (const j of logs) (byDamage[j.detail!] ??= {})[j.verdict] = (byDamage[j.detail!]![j.verdict] ?? 0) + 1;
  const bad = [...scen, ...logs].filter((j) => j.verdict !== 'ran' && j.verdict !== 'invalid');
  figures.fuzz = { scenarios: tally(scen), damagedLogs: tally(logs), damagedLogsByKind: byDamage, violations: bad.slice(0, 5) };
  say(`fuzz: scenarios ${JSON.stringify(tally(scen))}, damaged logs ${JSON.stringify(tally(logs))}`);
}

// ---- 3: lock race ----
async function race(trials: number) {
  const out = [];
  for (const racers of [2, 4]) {
    const f = await raceForStaleLock(dir, racers, trials);
    out.push(f);
    say(`race: ${racers} racers × ${trials} trials: ${f.acknowledged} acknowledged, lost ${f.lost}, doubled ${f.duplicated}, misplaced ${f.misplaced}, overlapping holders in ${f.trialsWithOverlap} trials`);
  }
  figures.lockRace = out;
}

// ---- 4: machine sizes ----
async function sizes(list: number[]) {
  const out = [];
  for (const tib of list) {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'scripts', 'torture.ts'), '--size-child', String(tib)], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    const row = code === 0 ? JSON.parse(stdout) : { tib, failed: `exit ${String(code)}: ${stderr.split('\n').slice(-3).join(' ')}` };
    out.push(row);
    say(`size: ${JSON.stringify(row)}`);
  }
  figures.bigMachine = out;
}

try {
  if (Number(values.race) > 0) await race(Number(values.race));
  if (Number(values.fuzz) > 0) await fuzz(Number(values.fuzz));
  if (Number(values.kills) > 0) await kills(Number(values.kills));
  const sizeList = values.sizes.split(',').filter(Boolean).map(Number);
  if (sizeList.length) await sizes(sizeList);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(values.json ? `${JSON.stringify(figures)}\n` : `${JSON.stringify(figures, null, 2)}\n`);
