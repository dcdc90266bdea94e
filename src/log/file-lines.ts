/**
 * Reads a file's lines a chunk at a time: a log of hundreds of megabytes is
 * verified and indexed without ever being in memory whole (indexed.ts).
 */
import fs from 'node:fs';

/** Bytes read at a time; a longer line grows the buffer to fit it. */
const CHUNK = 4 << 20;
const NL = 0x0a;

/**
 * Calls `line(buf, pos, nl, at)` for each "\n"-terminated line of the file's bytes [from, to):
 * the line is buf[pos, nl) and starts at file offset `at`; buf is reused after the call returns.
 * `line` returning false stops the walk. Returns whether bytes without a final "\n" were left over.
 */
export function forEachFileLine(
  fd: number, from: number, to: number, line: (buf: Buffer, pos: number, nl: number, at: number) => boolean | void, chunk = CHUNK,
): boolean {
  let buf = Buffer.allocUnsafe(Math.min(chunk, Math.max(1, to - from)));
  let filled = 0; // bytes of buf holding file bytes [base, base + filled)
  let base = from;
  while (base + filled < to) {
    if (filled === buf.length) {
      // one line longer than the buffer: grow it
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, filled);
      buf = bigger;
    }
    const n = fs.readSync(fd, buf, filled, Math.min(buf.length - filled, to - base - filled), base + filled);
    if (n === 0) break; // the file shrank under us: what is left is an unterminated rest
    filled += n;
    let pos = 0;
    for (let nl = buf.indexOf(NL, pos); nl !== -1 && nl < filled; nl = buf.indexOf(NL, pos)) {
      if (line(buf, pos, nl, base + pos) === false) return false;
      pos = nl + 1;
    }
    // keep the unfinished line for the next read
    buf.copy(buf, 0, pos, filled);
    filled -= pos;
    base += pos;
  }
  return filled > 0;
}
