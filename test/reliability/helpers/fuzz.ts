/**
 * The exit contract under fuzzing (issue 13, point 6), shared by test/reliability/fuzz.test.ts
 * (a bounded number of runs in `npm test`) and scripts/torture.ts (more runs, figures printed).
 *
 * Contract: every command exits 0 or 2 (never 1 here: no --strict, --verify or check is
 * asked for), a 2 names the file and says what is wrong without a stack trace, nothing
 * escapes as an exception, and an exit 0 never hides a different world:
 *  - a scenario that runs is run with --log; replaying that log gives the same world, and
 *    every op is reported with the arguments it was given (block 2^32+64 stays itself);
 *  - a damaged log that opens at all gives the world of the original at some committed
 *    step (a torn tail dropped, with a warning) — the whole original when nothing was said.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { memhpInProcess, type Outcome } from './in-process.ts';

// ---------------------------------------------------------------------------------------------
// Scenario documents
// ---------------------------------------------------------------------------------------------

/** Sizes people write, odd ones, and absurd ones. Legal-but-huge machines (1 TiB .. the arch
 *  limit) are left out: how fast memhp holds them is the benchmark's business, not this one's. */
const smallSize = fc.constantFrom('128M', '256M', '512M', '1G', '2G', '4G', '8G', '0x8000000', 134217728, 2 ** 31);
const oddSize = fc.oneof(
  fc.constantFrom('0', 0, '1', 1, 3, '3', '12Q', '-1', -1, '1.5G', '1.25', '', ' ', '0x', '4096B', '64M', '16M', '1K', 'G', null, true, [], {}),
  fc.integer({ min: 0, max: 2 ** 31 }),
  fc.string({ maxLength: 6 }),
);
const absurdSize = fc.oneof(
  fc.constantFrom('4P', '8P', '16E', '1E', 2 ** 53, 2 ** 60, 1e300, Number.MAX_SAFE_INTEGER, '0xffffffffffffffff', '9007199254740993'),
  fc.integer({ min: 52, max: 62 }).map((k) => `0x${(2n ** BigInt(k)).toString(16)}`),
);
const bootSize = fc.oneof({ weight: 6, arbitrary: smallSize }, { weight: 2, arbitrary: oddSize }, { weight: 1, arbitrary: absurdSize });
const anySize = fc.oneof({ weight: 5, arbitrary: smallSize }, { weight: 2, arbitrary: oddSize }, { weight: 2, arbitrary: absurdSize });

const blockNumber = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 140 }) },
  { weight: 2, arbitrary: fc.constantFrom(2 ** 32 + 64, 2 ** 32, 2 ** 31, 2 ** 40, 2 ** 53, 524287, 524288, -1, 1.5, '64', null, 1e21) },
  { weight: 1, arbitrary: fc.integer() },
);
const nodeNumber = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 31, 1023, 1024, -1, '0', 0.5, null, 2 ** 53) },
);
const garbage = fc.jsonValue({ maxDepth: 3 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });

const opArb = fc.oneof(
  fc.record({ op: fc.constant('add_memory'), node: maybe(nodeNumber), start: anySize, size: anySize, flags: maybe(fc.subarray(['MHP_MEMMAP_DEVICE', 'MHP_MEMMAP_MEMBLOCK', 'MHP_MEMMAP_ON_MEMORY', 'MHP_BOGUS'])) }, { requiredKeys: ['op', 'start', 'size'] }),
  fc.record({ op: fc.constant('state'), block: blockNumber, value: fc.constantFrom('online', 'offline', 'online_kernel', 'online_movable', 'bogus', 1) }),
  fc.record({ op: fc.constant('online'), block: blockNumber, value: fc.constantFrom(0, 1, true, false, '1', 2) }),
  fc.record({ op: fc.constantFrom('remove_memory', 'offline_and_remove_memory'), start: anySize, size: anySize }),
  fc.record({ op: fc.constant('probe'), addr: anySize }),
  fc.record({ op: fc.constantFrom('pin', 'unpin', 'touch'), block: blockNumber }),
  fc.record({ op: fc.constant('set'), param: fc.constantFrom('auto_online_blocks', 'online_policy', 'auto_movable_ratio', 'memmap_on_memory', 'bogus'), value: fc.oneof(fc.constantFrom('online', 'offline', 'auto-movable', 301, -1), garbage) }),
  fc.record({ op: fc.constant('inject'), action: fc.constantFrom('MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE', 'MEM_ONLINE'), error: fc.constantFrom(0, -12, -16, -5000, 1) }),
  fc.record({ op: fc.constant('signal') }),
  garbage,
);

/** Documents made of valid values only (most of them run), on small machines. */
const validOp = fc.oneof(
  fc.record({ op: fc.constant('add_memory'), node: fc.nat({ max: 1 }), start: fc.integer({ min: 4, max: 24 }).map((g) => `${g}G`), size: fc.constantFrom('128M', '256M', '1G', '2G'), flags: fc.subarray(['MHP_MEMMAP_DEVICE', 'MHP_MEMMAP_MEMBLOCK', 'MHP_MEMMAP_ON_MEMORY']) }),
  fc.record({ op: fc.constant('state'), block: fc.nat({ max: 200 }), value: fc.constantFrom('online', 'offline', 'online_kernel', 'online_movable') }),
  fc.record({ op: fc.constant('online'), block: fc.nat({ max: 200 }), value: fc.constantFrom(0, 1) }),
  fc.record({ op: fc.constantFrom('remove_memory', 'offline_and_remove_memory'), start: fc.integer({ min: 0, max: 24 }).map((g) => `${g}G`), size: fc.constantFrom('128M', '1G', '2G') }),
  fc.record({ op: fc.constantFrom('pin', 'unpin', 'touch'), block: fc.oneof(fc.nat({ max: 200 }), fc.constantFrom(524287, 2 ** 19 - 1)) }),
  fc.record({ op: fc.constant('probe'), addr: fc.constantFrom('8G', '12G', '1P', '4P', '0x123') }),
  fc.record({ op: fc.constant('inject'), action: fc.constantFrom('MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE'), error: fc.constantFrom(0, -12, -16) }),
  fc.record({ op: fc.constant('signal') }),
  fc.record({ op: fc.constant('add_memory'), start: fc.constantFrom('4P', '60T', '0x3fffffffffff'), size: fc.constantFrom('4P', '8T', '1G') }),
);
const validDocument = fc.record({
  kernel: fc.constantFrom('v2-2019', '5.13', '6.6', '6.8'),
  arch: fc.constantFrom('x86_64', 'arm64-4k', 'arm64-16k', 'ppc64-radix', 'ppc64-hash', 's390x'),
  boot: fc.array(fc.constantFrom('4G', '2G', '8G'), { minLength: 1, maxLength: 2 }).map((sizes) => sizes.map((size, node) => ({ node, size }))),
  params: fc.record({ memmap_on_memory: fc.constantFrom('on', 'off', 'force'), auto_online_blocks: fc.constantFrom('online', 'offline', 'online_movable') }),
  ops: fc.array(validOp, { maxLength: 10 }),
});

const wildDocument = fc.record(
  {
    kernel: fc.oneof(fc.constantFrom('v2-2019', '5.13', '6.6', '6.8', 6.8), garbage),
    arch: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('x86_64', 'arm64-4k', 'arm64-16k', 'arm64-64k', 'ppc64-radix', 'ppc64-hash', 's390x') }, { weight: 1, arbitrary: garbage }),
    machine: fc.record(
      { hypervisor: fc.boolean(), memoryBlockSize: fc.oneof(smallSize, fc.constantFrom('16M', '1G', '64G', '128G', '4P', 3, '384M'), oddSize), possibleNodes: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(2 ** 31, 1024, 1025, 0, -1)) },
      { requiredKeys: [] },
    ),
    boot: fc.array(fc.record({ node: nodeNumber, size: bootSize, used: maybe(fc.oneof(smallSize, oddSize)), maxFreeOrder: maybe(fc.integer({ min: -1, max: 14 })) }, { requiredKeys: ['node', 'size'] }), { minLength: 0, maxLength: 3 }),
    params: fc.record({ memmap_on_memory: fc.constantFrom('on', 'off', 'force', 'maybe'), auto_online_blocks: fc.constantFrom('online', 'offline', 'online_movable') }, { requiredKeys: [] }),
    ops: fc.array(opArb, { maxLength: 8 }),
    extra: garbage,
  },
  { requiredKeys: ['ops'] },
).map(({ extra, ...doc }) => (extra !== undefined && typeof extra === 'object' && extra !== null && !Array.isArray(extra) ? { ...doc, ...(extra as object) } : doc));

/** Valid documents, wild ones, and valid ones with one operation made wild. */
export const scenarioDocument = fc.oneof(
  { weight: 4, arbitrary: validDocument },
  { weight: 3, arbitrary: wildDocument },
  {
    weight: 3,
    arbitrary: fc.tuple(validDocument, opArb, fc.nat()).map(([doc, wild, at]) => {
      const ops: unknown[] = [...doc.ops];
      ops.splice(at % (ops.length + 1), 0, wild);
      return { ...doc, ops };
    }),
  },
);

/** A scenario as text: JSON, YAML, or JSON cut or with a byte changed. */
export const scenarioText = fc.oneof(
  { weight: 6, arbitrary: scenarioDocument.map((d) => ({ ext: 'json', text: JSON.stringify(d) })) },
  { weight: 2, arbitrary: scenarioDocument.map((d) => ({ ext: 'yaml', text: toYaml(d) })) },
  {
    weight: 2,
    arbitrary: fc.tuple(scenarioDocument, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()).map(([d, at, byte, cut]) => {
      const t = JSON.stringify(d);
      const i = at % Math.max(1, t.length);
      return { ext: 'json', text: cut ? t.slice(0, i) : t.slice(0, i) + String.fromCharCode(byte) + t.slice(i + 1) };
    }),
  },
);

function toYaml(d: unknown): string {
  // JSON is YAML; a flow document through the YAML reader exercises its paths and positions.
  return `# fuzzed\n${JSON.stringify(d, null, 1)}\n`;
}

export type Verdict =
  | 'ran'
  | 'invalid'
  | 'exit1'
  | 'crash'
  | 'no-place'
  | 'stack-trace'
  | 'different-world';

export interface Judged {
  verdict: Verdict;
  detail?: string;
}

const hasStack = (s: string) => /\n\s+at .+:\d+:\d+/.test(s);

function judgeExit(r: Outcome, file: string): Judged | null {
  if (r.code === 2) {
    if (hasStack(r.stderr)) return { verdict: 'stack-trace', detail: r.stderr };
    if (!r.stderr.includes(file)) return { verdict: 'no-place', detail: r.stderr };
    return { verdict: 'invalid' };
  }
  if (r.code !== 0) return { verdict: 'exit1', detail: r.stderr };
  return null;
}

async function safely(args: string[]): Promise<Outcome | Judged> {
  try {
    return await memhpInProcess(args);
  } catch (e) {
    return { verdict: 'crash', detail: (e as Error).stack ?? String(e) };
  }
}

/** Runs one scenario text through `run --log` and `replay` and judges it against the contract. */
export async function judgeScenario(dir: string, name: string, input: { ext: string; text: string }): Promise<Judged> {
  const file = path.join(dir, `${name}.${input.ext}`);
  const log = path.join(dir, `${name}.jsonl`);
  fs.writeFileSync(file, input.text);
  try {
    const run = await safely(['run', file, '--log', log, '--json', '--actors', 'table']);
    if ('verdict' in run) return run;
    const bad = judgeExit(run, file);
    if (bad) return bad;
    const ran = JSON.parse(run.stdout) as { ops: Array<{ op: string; args: Record<string, unknown> }>; world: unknown };
    const replay = await safely(['replay', log, '--json']);
    if ('verdict' in replay) return replay;
    if (replay.code !== 0) return { verdict: 'different-world', detail: `its own log does not replay: ${replay.stderr}` };
    const replayed = JSON.parse(replay.stdout) as { world: unknown };
    if (JSON.stringify(replayed.world) !== JSON.stringify(ran.world)) return { verdict: 'different-world', detail: 'replay of the log differs from the run' };
    const doc = (input.ext === 'json' ? JSON.parse(input.text) : JSON.parse(input.text.slice(input.text.indexOf('\n') + 1))) as { ops: Array<Record<string, unknown>> };
    if (ran.ops.length !== doc.ops.length) return { verdict: 'different-world', detail: `${doc.ops.length} ops given, ${ran.ops.length} reported` };
    for (let i = 0; i < doc.ops.length; i++) {
      const given = doc.ops[i]!;
      if (ran.ops[i]!.op !== given.op) return { verdict: 'different-world', detail: `ops[${i}] is ${String(given.op)}, reported as ${ran.ops[i]!.op}` };
      if ('block' in given && ran.ops[i]!.args.block !== given.block) return { verdict: 'different-world', detail: `ops[${i}].block ${String(given.block)} reported as ${String(ran.ops[i]!.args.block)}` };
    }
    return { verdict: 'ran' };
  } finally {
    fs.rmSync(file, { force: true });
    fs.rmSync(log, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Damaged logs
// ---------------------------------------------------------------------------------------------

export type Damage =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete-line'; line: number }
  | { kind: 'duplicate-line'; line: number }
  | { kind: 'swap-lines'; a: number; b: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'replace-line'; line: number; text: string }
  | { kind: 'append'; text: string };

export const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('replace-line' as const), line: fc.nat(), text: fc.oneof(fc.json({ maxDepth: 2 }), fc.constantFrom('{"seq":2,"type":"warning","message":"x","crc":0}', '', '{}')) }),
  fc.record({ kind: fc.constant('append' as const), text: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('{"seq":', '\n', '{"seq":99999,"type":"warning","message":"m"}\n')) }),
);

export function applyDamage(original: Buffer, d: Damage): Buffer {
  const lines = original.toString('latin1').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const pick = (n: number) => n % lines.length;
  const join = (ls: string[]) => Buffer.from(ls.map((l) => `${l}\n`).join(''), 'latin1');
  switch (d.kind) {
    case 'flip': {
      const b = Buffer.from(original);
      const i = d.at % b.length;
      b[i] = d.byte === b[i] ? (d.byte + 1) % 256 : d.byte;
      return b;
    }
    case 'truncate':
      return original.subarray(0, d.at % original.length);
    case 'delete-line':
      return join(lines.filter((_, i) => i !== pick(d.line)));
    case 'duplicate-line':
      return join(lines.flatMap((l, i) => (i === pick(d.line) ? [l, l] : [l])));
    case 'swap-lines': {
      const ls = [...lines];
      const a = pick(d.a);
      const b = pick(d.b === d.a ? d.b + 1 : d.b);
      [ls[a], ls[b]] = [ls[b]!, ls[a]!];
      return join(ls);
    }
    case 'insert': {
      const i = d.at % (original.length + 1);
      return Buffer.concat([original.subarray(0, i), Buffer.from(d.bytes), original.subarray(i)]);
    }
    case 'replace-line':
      return join(lines.map((l, i) => (i === pick(d.line) ? d.text : l)));
    case 'append':
      return Buffer.concat([original, Buffer.from(d.text, 'latin1')]);
  }
}

/** The world of the undamaged log at each step a damaged copy may legitimately stop at (filled lazily). */
export class ReferenceWorlds {
  private readonly byStep = new Map<number, string>();
  private steps: number | undefined;
  constructor(readonly logPath: string) {}
  /** The number of events in the undamaged log. */
  async lastSeq(): Promise<number> {
    if (this.steps === undefined) {
      const r = await memhpInProcess(['replay', this.logPath, '--json']);
      this.steps = (JSON.parse(r.stdout) as { lastSeq: number }).lastSeq;
    }
    return this.steps;
  }
  async at(step: number): Promise<string> {
    let w = this.byStep.get(step);
    if (w === undefined) {
      const r = await memhpInProcess(['replay', this.logPath, '--to', String(step), '--json']);
      if (r.code !== 0) throw new Error(`reference replay --to ${step} failed: ${r.stderr}`);
      w = JSON.stringify((JSON.parse(r.stdout) as { world: unknown }).world);
      this.byStep.set(step, w);
    }
    return w;
  }
}

/** Replays a damaged copy of `ref`'s log and judges it against the contract. */
export async function judgeDamagedLog(dir: string, name: string, ref: ReferenceWorlds, d: Damage): Promise<Judged> {
  const original = fs.readFileSync(ref.logPath);
  const damaged = applyDamage(original, d);
  const file = path.join(dir, `${name}.jsonl`);
  fs.writeFileSync(file, damaged);
  try {
    const r = await safely(['replay', file, '--json']);
    if ('verdict' in r) return r;
    const bad = judgeExit(r, file);
    if (bad) return bad;
    const out = JSON.parse(r.stdout) as { lastSeq: number; world: unknown };
    const fullSteps = await ref.lastSeq();
    const same = JSON.stringify(out.world) === (await ref.at(out.lastSeq));
    if (!same) return { verdict: 'different-world', detail: `${d.kind}: the world at step ${out.lastSeq} differs from the original's` };
    if (out.lastSeq !== fullSteps && !/torn|dropped|truncat/i.test(r.stderr))
      return { verdict: 'different-world', detail: `${d.kind}: ${fullSteps - out.lastSeq} events gone without a warning` };
    if (Buffer.compare(damaged, original) !== 0 && out.lastSeq === fullSteps && r.stderr === '' && !damaged.subarray(0, original.length).equals(original))
      return { verdict: 'different-world', detail: `${d.kind}: a changed log read as the original without a word` };
    return { verdict: 'ran' };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

export function tally(verdicts: Judged[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const v of verdicts) t[v.verdict] = (t[v.verdict] ?? 0) + 1;
  return t;
}
