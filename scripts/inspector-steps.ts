/**
 * What one arrow-key step costs the inspector's server, in CPU time and wall
 * time (the machine is shared, so CPU time is the figure to compare): the
 * `step` and `invariants` requests the page sends, answered by the real Rpc
 * over a log, for 20 steps forward and 10 back from 90% of the log.
 *
 *   npx tsx scripts/inspector-steps.ts <log.jsonl> [--full]
 *
 * --full checks every invariant from scratch per step (what the inspector did
 * before the incremental check), for comparison. Prints one JSON line.
 */
import { IncrementalInvariants } from '../src/check/invariants/incremental.ts';
import { backendFromLog } from '../src/inspector/engine-backend.ts';
import { Rpc } from '../src/inspector/server/rpc.ts';
import type { ValidRequest } from '../src/inspector/server/validate.ts';

const [path, flag] = process.argv.slice(2);
if (!path) {
  console.error('usage: npx tsx scripts/inspector-steps.ts <log.jsonl> [--full]');
  process.exit(2);
}
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const backend = backendFromLog(path);
// an empty answer makes the backend fall back to each invariant's full check
if (flag === '--full') IncrementalInvariants.prototype.check = () => new Map();
const rpc = new Rpc(backend);
const last = backend.info().lastSeq;
const start = Math.round(last * 0.9);
let mapBase: number | null = null;
async function step(seq: number): Promise<{ cpu: number; wall: number; bytes: number }> {
  const c = cpuMs();
  const w = performance.now();
  const s = (await rpc.handle({ method: 'step', params: { seq, mapBase, actor: null } } as ValidRequest)) as { mapSeq: number };
  const inv = await rpc.handle({ method: 'invariants', params: { seq } } as ValidRequest);
  mapBase = s.mapSeq;
  return { cpu: cpuMs() - c, wall: performance.now() - w, bytes: JSON.stringify(s).length + JSON.stringify(inv).length };
}
const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return Math.round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! * 10) / 10; };
await step(start);
const runs = [];
for (let i = 1; i <= 20; i++) runs.push(await step(start + i));
for (let i = 19; i >= 10; i--) runs.push(await step(start + i));
console.log(JSON.stringify({
  mode: flag === '--full' ? 'full' : 'incremental', events: last,
  stepCpuMedianMs: q(runs.map((r) => r.cpu), 0.5), stepCpuP95Ms: q(runs.map((r) => r.cpu), 0.95),
  stepWallMedianMs: q(runs.map((r) => r.wall), 0.5), stepWallP95Ms: q(runs.map((r) => r.wall), 0.95),
  replyBytesMedian: q(runs.map((r) => r.bytes), 0.5),
}));
