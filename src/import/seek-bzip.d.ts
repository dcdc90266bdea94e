// seek-bzip ships no types: the one function memhp uses (src/import/tarball.ts).
declare module 'seek-bzip' {
  /** Decompresses a whole bzip2 stream. (A CommonJS module: its functions are on the default export.) */
  const seekBzip: { decode(input: Buffer | Uint8Array, output?: Buffer): Buffer };
  export default seekBzip;
}
