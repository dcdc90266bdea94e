/**
 * Node globals some modules touch when they load: the log codec builds byte
 * constants with Buffer (src/log/codec.ts, crc32c.ts), and the file readers
 * make a SharedArrayBuffer to pause on (src/input/read-file.ts, src/log/lock.ts).
 * The trace reads no file and writes no log, but the session imports both.
 * This gives them something to be in a page (a file:// page is not
 * cross-origin isolated, so it has no SharedArrayBuffer); it is imported first
 * by the trace's entry, so it runs before them.
 */
const PageBuffer = {
  from(text: string, encoding: 'latin1' | 'utf8' = 'utf8'): Uint8Array {
    if (encoding === 'latin1') return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
    return new TextEncoder().encode(text);
  },
  allocUnsafe(n: number): Uint8Array {
    return new Uint8Array(n);
  },
};

const g = globalThis as { Buffer?: unknown; SharedArrayBuffer?: unknown };
g.Buffer ??= PageBuffer;
g.SharedArrayBuffer ??= ArrayBuffer;
