import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLog, lockPathOf, LogLockedError, openLogForAppend, readLog } from '../../src/log/index.ts';
import { runAppender } from './helpers/child.ts';
import { eventFor, system } from './helpers/sample.ts';
import { tempDir } from './helpers/tmp.ts';

/** The pid of a process that has exited and been reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('one appender per log', () => {
  it('a second writer in another process gets a clear error naming the log and the holder pid', async () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system);
    w.append([eventFor(1)]);

    const other = runAppender('try', file);
    const { code, stderr } = await other.exited;
    expect(code).toBe(3);
    expect(stderr.trim()).toBe(
      `memhp log ${file} is locked by process ${process.pid} (lock file ${lockPathOf(file)}): only one process may append to a log at a time`,
    );

    // Readers need no lock, and the holder keeps appending.
    expect(readLog(file).events).toHaveLength(1);
    expect(w.append([eventFor(2)])[0]!.seq).toBe(2);
    w.close();
  }, 60_000);

  it('while another process holds the log, this one is refused; once that process is killed its stale lock is taken over', async () => {
    const file = path.join(tempDir(), 'a.log');
    createLog(file, system).close();
    const holder = runAppender('hold', file);
    expect(await holder.nextLine()).toBe('locked');

    let caught: unknown;
    try {
      openLogForAppend(file);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LogLockedError);
    expect(caught).toMatchObject({ file, holderPid: holder.proc.pid, lockFile: `${file}.lock` });
    expect((caught as Error).message).toContain(`memhp log ${file} is locked by process ${holder.proc.pid}`);

    await holder.kill();
    expect(fs.readFileSync(lockPathOf(file), 'utf8').split(' ')[0]).toBe(String(holder.proc.pid));
    const w = openLogForAppend(file);
    expect(fs.readFileSync(lockPathOf(file), 'utf8').split(' ')[0]).toBe(String(process.pid));
    w.close();
  }, 60_000);

  it('a stale lock left by a dead pid is taken over by createLog and openLogForAppend', () => {
    const file = path.join(tempDir(), 'a.log');
    fs.writeFileSync(lockPathOf(file), `${deadPid()}\n`);
    const w = createLog(file, system);
    w.append([eventFor(1)]);
    w.close();

    fs.writeFileSync(lockPathOf(file), `${deadPid()}\n`);
    const again = openLogForAppend(file);
    expect(again.lastSeq).toBe(1);
    again.close();
    expect(fs.existsSync(lockPathOf(file))).toBe(false);
  });

  it('two writers in one process conflict as well', () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system);
    expect(() => openLogForAppend(file)).toThrow(`memhp log ${file} is locked by process ${process.pid}`);
    w.close();
  });

  it('a lock file without a pid is not guessed at', () => {
    const file = path.join(tempDir(), 'a.log');
    createLog(file, system).close();
    fs.writeFileSync(lockPathOf(file), 'garbage');
    expect(() => openLogForAppend(file)).toThrow(`memhp log ${file}: lock file ${file}.lock holds no pid; if no memhp is appending to this log, remove it`);
    expect(fs.readFileSync(lockPathOf(file), 'utf8')).toBe('garbage');
  });

  it('a takeover interrupted by a kill (its marker left behind) does not block the next one', () => {
    const file = path.join(tempDir(), 'a.log');
    createLog(file, system).close();
    const dead = deadPid();
    const nonce = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    fs.writeFileSync(lockPathOf(file), `${dead} ${nonce}\n`);
    // The process that was taking over that lock died holding its takeover marker.
    fs.writeFileSync(`${lockPathOf(file)}.takeover.${nonce}`, `${deadPid()} bbbbbbbbbbbbbbbbbbbbbbbb\n`);
    const w = openLogForAppend(file);
    expect(fs.readFileSync(lockPathOf(file), 'utf8').split(' ')[0]).toBe(String(process.pid));
    w.close();
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['a.log']);
  });

  it('an appender re-checks the end of the log before appending: a writer that ignored the lock is detected, nothing is overwritten', () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system);
    w.append([eventFor(1)]);
    fs.appendFileSync(file, 'written by someone who ignored the lock\n');
    const before = fs.readFileSync(file);
    expect(() => w.append([eventFor(2)])).toThrow(/changed under this appender .*another process wrote to it; nothing was appended/);
    expect(fs.readFileSync(file)).toEqual(before);
    w.close();
  });

  it('an appender whose lock was taken from it stops appending', () => {
    const file = path.join(tempDir(), 'a.log');
    const w = createLog(file, system);
    w.append([eventFor(1)]);
    fs.writeFileSync(lockPathOf(file), `${deadPid()}\n`);
    expect(() => w.append([eventFor(2)])).toThrow(`lock file ${file}.lock no longer names this process; nothing was appended`);
    expect(readLog(file).events).toHaveLength(1);
    w.close();
    // close() leaves a lock that is not its own alone.
    expect(fs.existsSync(lockPathOf(file))).toBe(true);
  });
});
