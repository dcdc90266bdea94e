/**
 * Reads an input file whole — a scenario or a log — whatever kind of file it is.
 *
 * A regular file is read as usual. A pipe, a FIFO or a character device cannot be
 * seeked (`memhp replay <(cat log)` used to fail with ESPIPE) and opening a FIFO
 * that nobody writes to blocks forever (`replay` hung): such a file is opened
 * without blocking and read as a stream to its end. A FIFO that has no writer
 * within WRITER_WAIT_MS is refused with a message saying so. What a stream held
 * is kept for the rest of the process, because a stream can be read only once
 * and a command may look at its input twice (first its kind, then its content).
 */
import fs from 'node:fs';

/** How long a FIFO may stay without a writer before memhp gives up on it. */
export const WRITER_WAIT_MS = 1000;

const streams = new Map<string, Buffer>();
const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(pause, 0, 0, ms);

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  const e = new Error(message) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

function readStream(fd: number): Buffer {
  const parts: Buffer[] = [];
  const chunk = Buffer.allocUnsafe(1 << 16);
  let total = 0;
  let waitedForWriter = 0;
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      // EAGAIN: a writer is there but has not written yet; wait for it like `cat` would.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        sleep(2);
        continue;
      }
      throw e;
    }
    if (n > 0) {
      parts.push(Buffer.from(chunk.subarray(0, n)));
      total += n;
      continue;
    }
    // End of file; on a FIFO with nothing read yet it may also mean "no writer yet".
    if (total === 0 && waitedForWriter < WRITER_WAIT_MS) {
      sleep(20);
      waitedForWriter += 20;
      continue;
    }
    if (total === 0 && waitedForWriter >= WRITER_WAIT_MS)
      throw errnoError('ENODATA', `a FIFO or pipe that nothing wrote to within ${WRITER_WAIT_MS / 1000} s (memhp reads a log or scenario from a pipe only while something writes to it)`);
    return Buffer.concat(parts, total);
  }
}

function openInput(path: string): { fd: number; regular: boolean } {
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const st = fs.fstatSync(fd);
  if (st.isDirectory()) {
    fs.closeSync(fd);
    throw errnoError('EISDIR', `EISDIR: illegal operation on a directory, read '${path}'`);
  }
  return { fd, regular: st.isFile() };
}

/** Reads a stream to its end on the descriptor already open (closing it first could kill the writer with SIGPIPE). */
function streamOf(fd: number, path: string): Buffer {
  const bytes = readStream(fd);
  streams.set(path, bytes);
  return bytes;
}

/** The whole content of `path`. Errors keep their errno code (ENOENT, EISDIR, EACCES …) for the caller's message. */
export function readInputFile(path: string): Buffer {
  const cached = streams.get(path);
  if (cached) return cached;
  const { fd, regular } = openInput(path);
  try {
    return regular ? fs.readFileSync(fd) : streamOf(fd, path);
  } finally {
    fs.closeSync(fd);
  }
}

/** The first `n` bytes of `path` (all of a stream is read and kept, see above). */
export function readInputHead(path: string, n: number): Buffer {
  const cached = streams.get(path);
  if (cached) return cached.subarray(0, n);
  const { fd, regular } = openInput(path);
  try {
    if (!regular) return streamOf(fd, path).subarray(0, n);
    const head = Buffer.alloc(n);
    return head.subarray(0, fs.readSync(fd, head, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}
