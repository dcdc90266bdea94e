/**
 * Keeping the FUSE server thread on one CPU.
 *
 * Every FUSE request is a hand-off from the tool's thread to the server's and
 * back. When the two run on different CPUs, each hand-off wakes an idle CPU,
 * which in a virtual machine is an exit to the host and costs tens of
 * microseconds. With the server pinned, the scheduler's wake-affine placement
 * brings the tool to the server's CPU and the hand-offs become plain context
 * switches: lsmem over a 1 TiB mount took 7.8 s floating and 1.7 s pinned on
 * the 2-core VM of docs/performance.md.
 *
 * Node has no affinity call, so util-linux taskset sets it for this thread's
 * id; without taskset, or with one CPU, nothing is done.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Pins the calling thread to the CPU it is running on; returns that CPU, or null if it was left alone. */
export function pinThisThread(): number | null {
  if (process.platform !== 'linux' || availableParallelism() < 2) return null;
  try {
    // /proc/thread-self -> "<pid>/task/<tid>"; field 39 of its stat is the CPU it last ran on.
    const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = Number(fields[39 - 3]);
    if (!Number.isInteger(cpu)) return null;
    const r = spawnSync('taskset', ['-p', '-c', String(cpu), tid], { stdio: 'ignore' });
    return r.status === 0 ? cpu : null;
  } catch {
    return null;
  }
}
