/**
 * A real second process for the crash and lock tests. Usage:
 *   appender.ts append <log>  append ever-growing batches forever, printing "ack <seq>" after each
 *   appender.ts torn <log>    append 3 batches (acked), then write half of a 4th batch by hand,
 *                             print "torn <bytes>", and hang (a crash in the middle of write())
 *   appender.ts hold <log>    open for append, print "locked", hang
 *   appender.ts try <log>     open for append; on error print it to stderr and exit 3
 */
import fs from 'node:fs';
import { encodeRecordLine } from '../../../src/log/codec.ts';
import { createLog, openLogForAppend, type LogWriter } from '../../../src/log/index.ts';
import { eventFor, system } from './sample.ts';

const [mode, file] = process.argv.slice(2);
if (!mode || !file) throw new Error('usage: appender.ts append|torn|hold|try <log>');

function open(): LogWriter {
  return fs.existsSync(file!) ? openLogForAppend(file!) : createLog(file!, system);
}

function batch(w: LogWriter, size: number) {
  return Array.from({ length: size }, (_, i) => eventFor(w.lastSeq + 1 + i, 900));
}

const hang = () => setInterval(() => {}, 1 << 30);

if (mode === 'append') {
  const w = open();
  for (let n = 0; ; n++) {
    const done = w.append(batch(w, 1 + (n % 97)));
    process.stdout.write(`ack ${done[done.length - 1]!.seq}\n`);
  }
} else if (mode === 'torn') {
  const w = open();
  for (let n = 1; n <= 3; n++) {
    w.append(batch(w, n * 5));
    process.stdout.write(`ack ${w.lastSeq}\n`);
  }
  // What a SIGKILL or power cut in the middle of append()'s write leaves: part of a batch.
  const next = batch(w, 4).map((e, i) => ({ ...e, seq: w.lastSeq + 1 + i }) as Parameters<typeof encodeRecordLine>[0]);
  const text = next.map((e, i) => encodeRecordLine(e, i === next.length - 1)).join('');
  const part = Buffer.from(text).subarray(0, Math.floor(text.length * 0.6));
  const fd = fs.openSync(file, 'a');
  fs.writeSync(fd, part);
  fs.fsyncSync(fd);
  process.stdout.write(`torn ${part.length}\n`);
  hang();
} else if (mode === 'hold') {
  open();
  process.stdout.write('locked\n');
  hang();
} else if (mode === 'try') {
  try {
    open().close();
    process.stdout.write('opened\n');
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(3);
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
