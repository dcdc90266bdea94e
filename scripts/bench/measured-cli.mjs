// `node scripts/bench/measured-cli.mjs <memhp args…>`: runs the memhp command
// in this process and, as it exits, writes { rssMB, ms, cpuMs } to file descriptor 3:
// its own peak RSS (getrusage maxrss), wall time and CPU time (user + system). Node cannot read a
// child's rusage, so the child measures itself.
import { writeSync } from 'node:fs';

const t = performance.now();
process.on('exit', () => {
  const u = process.resourceUsage();
  writeSync(3, JSON.stringify({ rssMB: Math.round(u.maxRSS / 1024), ms: Math.round(performance.now() - t), cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000) }));
});
process.argv = [process.argv[0], 'memhp', ...process.argv.slice(2)];
await import('../../bin/memhp.js');
