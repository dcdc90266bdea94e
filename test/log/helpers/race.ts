/**
 * Races real processes for a stale lock (issue 13, point 1): each trial leaves a lock file
 * naming a dead pid next to a log, releases N racers at the same instant, and checks that
 * every record a racer acknowledged is in the log exactly once, at the seq it was told.
 * Used by test/log/lock-race.test.ts and scripts/torture.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLog, lockPathOf, readLog } from '../../../src/log/index.ts';
import { system } from './sample.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

/** The pid of a process that has exited and been reaped. */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

interface Racer {
  proc: ChildProcess;
  next(): Promise<string>;
}

function startRacer(): Racer {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'racer.ts')], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines: string[] = [];
  const waiters: Array<(l: string | null) => void> = [];
  const rl = readline.createInterface({ input: proc.stdout! });
  rl.on('line', (l) => (waiters.length ? waiters.shift()!(l) : lines.push(l)));
  rl.on('close', () => { while (waiters.length) waiters.shift()!(null); });
  return {
    proc,
    next: () =>
      lines.length
        ? Promise.resolve(lines.shift()!)
        : new Promise((resolve, reject) => waiters.push((l) => (l === null ? reject(new Error(`racer exited: ${stderr}`)) : resolve(l)))),
  };
}

export interface RaceFigures {
  racers: number;
  trials: number;
  /** Trials in which more than one racer got the lock (one after another: that is allowed). */
  trialsWithSeveralWinners: number;
  /** Trials in which two racers held the lock at the same time (their got..released intervals overlap). */
  trialsWithOverlap: number;
  acknowledged: number;
  /** Acknowledged records missing from the log, found twice, or at another seq than acknowledged. */
  lost: number;
  duplicated: number;
  misplaced: number;
  /** Racer reports other than ack/locked/done (e.g. "error …"). */
  errors: string[];
}

/** Runs `trials` races of `racers` processes, each appending `appends` records once it has the lock. */
export async function raceForStaleLock(dir: string, racers: number, trials: number, appends = 8): Promise<RaceFigures> {
  const procs = Array.from({ length: racers }, startRacer);
  const figures: RaceFigures = { racers, trials, trialsWithSeveralWinners: 0, trialsWithOverlap: 0, acknowledged: 0, lost: 0, duplicated: 0, misplaced: 0, errors: [] };
  try {
    for (const r of procs) if ((await r.next()) !== 'ready') throw new Error('racer did not start');
    const dead = deadPid();
    for (let t = 0; t < trials; t++) {
      const file = path.join(dir, `race-${racers}-${t}.jsonl`);
      createLog(file, system, { createdAt: null }).close();
      // Alternate the lock formats: a bare pid (as older memhp wrote) and pid + nonce.
      fs.writeFileSync(lockPathOf(file), t % 2 === 0 ? `${dead}\n` : `${dead} 0123456789abcdef01234567\n`);
      const startAt = Date.now() + 60;
      procs.forEach((r, i) => r.proc.stdin!.write(`go ${file} ${startAt} ${appends} r${i}\n`));
      const acks = new Map<string, number>();
      let winners = 0;
      const held: Array<[number, number]> = [];
      await Promise.all(
        procs.map(async (r) => {
          let won = false;
          let got = 0;
          for (;;) {
            const line = await r.next();
            if (line === 'done') break;
            const [kind, ...rest] = line.split(' ');
            if (kind === 'ack') {
              won = true;
              acks.set(`${rest[0]} ${rest[1]}`, Number(rest[2]));
            } else if (kind === 'got') got = Number(rest[0]);
            else if (kind === 'released') held.push([got, Number(rest[0])]);
            else if (kind !== 'locked') figures.errors.push(line);
          }
          if (won) winners++;
        }),
      );
      if (winners > 1) figures.trialsWithSeveralWinners++;
      held.sort((a, b) => a[0] - b[0]);
      if (held.some((h, i) => i > 0 && h[0] < held[i - 1]![1])) figures.trialsWithOverlap++;
      figures.acknowledged += acks.size;
      const seen = new Map<string, number[]>();
      for (const ev of readLog(file).events) {
        if (ev.type !== 'warning') continue;
        seen.set(ev.message, [...(seen.get(ev.message) ?? []), ev.seq]);
      }
      for (const [tag, seq] of acks) {
        const at = seen.get(tag) ?? [];
        if (at.length === 0) figures.lost++;
        else if (at.length > 1) figures.duplicated++;
        else if (at[0] !== seq) figures.misplaced++;
      }
      fs.rmSync(file, { force: true });
    }
  } finally {
    for (const r of procs) {
      r.proc.stdin!.end('quit\n');
      r.proc.kill('SIGKILL');
    }
  }
  return figures;
}
