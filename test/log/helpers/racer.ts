/**
 * A real process for the lock-race tests: it waits on stdin for
 *   go <log> <startAtEpochMs> <appends> <tag>
 * spins until that instant (so several racers hit the lock together), opens the log for
 * append, appends <appends> single-event batches tagged "<tag> <i>", prints
 * "got <ms>" once it holds the lock, "ack <tag> <i> <seq>" after each append returns (it is
 * durable), "released <ms>" just before it closes (times: wall clock, sub-millisecond), then "done".
 * When the log is locked by a live process it prints "locked <pid>"; on any other
 * error "error <message>". Then it waits for the next line; "quit" ends it.
 */
import readline from 'node:readline';
import { LogLockedError, openLogForAppend } from '../../../src/log/index.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

function trial(file: string, startAt: number, appends: number, tag: string): void {
  while (Date.now() < startAt) {
    // spin: every racer leaves this loop within a few microseconds of the others
  }
  let w;
  try {
    w = openLogForAppend(file);
    out(`got ${(performance.timeOrigin + performance.now()).toFixed(3)}`);
  } catch (e) {
    out(e instanceof LogLockedError ? `locked ${e.holderPid}` : `error ${(e as Error).message.replace(/\n/g, ' ')}`);
    return;
  }
  try {
    for (let i = 0; i < appends; i++) {
      const [ev] = w.append([{ type: 'warning', message: `${tag} ${i}` }]);
      out(`ack ${tag} ${i} ${ev!.seq}`);
    }
  } catch (e) {
    out(`error ${(e as Error).message.replace(/\n/g, ' ')}`);
  } finally {
    const t = performance.timeOrigin + performance.now();
    w.close();
    out(`released ${t.toFixed(3)}`);
  }
}

const rl = readline.createInterface({ input: process.stdin });
out('ready');
rl.on('line', (line) => {
  const [cmd, file, startAt, appends, tag] = line.split(' ');
  if (cmd === 'quit') {
    rl.close();
    return;
  }
  if (cmd === 'go') trial(file!, Number(startAt), Number(appends), tag!);
  out('done');
});
