/**
 * Keeping the FUSE server thread on the CPU of the tool it serves.
 *
 * Every FUSE request is a hand-off from the tool's thread to the server's and
 * back. When the two run on different CPUs, each hand-off wakes an idle CPU,
 * which in a virtual machine is an exit to the host and costs tens of
 * microseconds; on the same CPU it is a plain context switch. lsmem over a
 * 1 TiB mount on the 2-core VM of docs/performance.md: 1.3 s with lsmem on
 * the server's CPU, 6.8 s on the other one.
 *
 * The scheduler does not bring them together by itself (a FUSE reply is not
 * a synchronous wakeup, so the tool stays where it slept), so the server
 * follows: every few hundred requests it looks at which CPU the requesting
 * process last ran on and, if that is not its own, moves there. Node has no
 * affinity call, so util-linux taskset sets it for this thread's id; without
 * taskset, or with one CPU, nothing is done.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Requests between two looks at the requester's CPU. */
const SAMPLE_EVERY = 256;
/** At most one move per this long: several tools on several CPUs must not make it flap. */
const MIN_MOVE_INTERVAL_MS = 200;

/** The CPU a task last ran on: field 39 of /proc/<task>/stat. */
function lastCpu(statPath: string): number | null {
  try {
    const stat = readFileSync(statPath, 'latin1');
    const cpu = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[39 - 3]);
    return Number.isInteger(cpu) ? cpu : null;
  } catch {
    return null; // the requester has exited
  }
}

export class CpuFollower {
  private readonly tid: string | null;
  private pinned: number | null = null;
  private count = 0;
  private lastMove = 0;

  constructor() {
    let tid: string | null = null;
    if (process.platform === 'linux' && availableParallelism() > 1) {
      try {
        // /proc/thread-self -> "<pid>/task/<tid>"
        tid = readlinkSync('/proc/thread-self').split('/').pop()!;
      } catch {
        tid = null;
      }
    }
    this.tid = tid;
  }

  /** Called for every request with the requesting process's id (fuse_in_header.pid). */
  observe(pid: number): void {
    if (this.tid === null || pid === 0 || ++this.count % SAMPLE_EVERY !== 1) return;
    const cpu = lastCpu(`/proc/${pid}/stat`);
    if (cpu === null || cpu === this.pinned) return;
    const now = Date.now();
    if (now - this.lastMove < MIN_MOVE_INTERVAL_MS) return;
    this.lastMove = now;
    const r = spawnSync('taskset', ['-p', '-c', String(cpu), this.tid], { stdio: 'ignore' });
    this.pinned = r.status === 0 ? cpu : this.pinned;
  }
}
