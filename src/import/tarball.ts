/**
 * A dump tarball in memory: bzip2 (util-linux's mk-input.sh writes `tar jcvf`), gzip or plain
 * tar, told apart by their magic bytes, unpacked into path → file or link. Directories are
 * implied by the paths. No system `tar` or `bzip2` is needed (seek-bzip, tar-stream).
 */
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import seekBzip from 'seek-bzip';
import { extract } from 'tar-stream';

export type TarEntry = { kind: 'file'; text: string } | { kind: 'link'; target: string } | { kind: 'dir' };

/** Raw tarball bytes to a tar stream: bzip2 ("BZh"), gzip (1f 8b) or none. */
export function decompress(bytes: Buffer): Buffer {
  if (bytes.subarray(0, 3).toString('latin1') === 'BZh') return seekBzip.decode(bytes);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes);
  return bytes;
}

/** Every entry of a tar archive, by its path without a leading `./` or trailing `/`. */
export async function readTar(tar: Buffer): Promise<Map<string, TarEntry>> {
  const out = new Map<string, TarEntry>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const path = header.name.replace(/^\.\//, '').replace(/\/+$/, '');
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        if (path !== '' && path !== '.') {
          if (header.type === 'directory') out.set(path, { kind: 'dir' });
          else if (header.type === 'symlink') out.set(path, { kind: 'link', target: header.linkname ?? '' });
          else if (header.type === 'file' || header.type === 'contiguous-file') out.set(path, { kind: 'file', text: Buffer.concat(chunks).toString('utf8') });
        }
        next();
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  Readable.from([tar]).pipe(ex);
  await done;
  return out;
}
