/**
 * bigMachine: adding and onlining a whole x86_64 machine (up to the 46-bit
 * physical address space, 64 TiB = 524,288 blocks of 128 MiB), each size in
 * its own child process (big-machine-child.ts) so that its peak RSS
 * (getrusage maxrss) is its own. replayPeakRssMB: `memhp replay --json` of
 * the benchmark's log, in a child process too.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');

export interface BigMachineFigure {
  tib: number;
  blocks: number;
  events: number;
  ms: number;
  cpuMs: number;
  rssMB: number;
}

function node(args: string[]): string {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export function measureBigMachine(tibs: readonly number[], dir: string, say: (s: string) => void): BigMachineFigure[] {
  const out: BigMachineFigure[] = [];
  for (const tib of tibs) {
    say(`big machine: ${tib} TiB…`);
    const log = join(dir, `big-${tib}.jsonl`);
    try {
      const r = node(['--import', 'tsx', join(here, 'big-machine-child.ts'), String(tib), log]);
      const f = JSON.parse(r.trim().split('\n').at(-1)!) as BigMachineFigure;
      out.push({ tib: f.tib, blocks: f.blocks, events: f.events, ms: f.ms, cpuMs: f.cpuMs, rssMB: f.rssMB });
    } finally {
      rmSync(log, { force: true });
      rmSync(`${log}.lock`, { force: true });
    }
  }
  return out;
}

/** Peak RSS, wall and CPU time of one memhp command (its output discarded), in a child process of its own. */
export function memhpPeak(args: readonly string[]): { rssMB: number; ms: number; cpuMs: number } {
  const r = spawnSync(process.execPath, [join(here, 'measured-cli.mjs'), ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 && r.status !== 1) throw new Error(`memhp ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(String(r.output[3])) as { rssMB: number; ms: number; cpuMs: number };
}
