/**
 * Reading transcripts: one JSON file, a directory of them (recursively), or a
 * packed corpus (`*.jsonl.gz`: one transcript per line, as committed under
 * test/fixtures/conform/).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { checkTranscript, TranscriptError, type Transcript } from './transcript.ts';

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TranscriptError(`${where}: invalid JSON: ${(err as Error).message}`);
  }
}

export function readTranscripts(path: string): Transcript[] {
  const st = statSync(path);
  if (st.isDirectory()) {
    return readdirSync(path)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
      .flatMap((name) => {
        const p = join(path, name);
        if (statSync(p).isDirectory()) return readTranscripts(p);
        return /\.json$|\.jsonl\.gz$/.test(name) ? readTranscripts(p) : [];
      });
  }
  if (path.endsWith('.jsonl.gz')) {
    return gunzipSync(readFileSync(path))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((line, i) => checkTranscript(parseJson(line, `${path}:${i + 1}`), `${path}:${i + 1}`));
  }
  return [checkTranscript(parseJson(readFileSync(path, 'utf8'), path), path)];
}

/** A packed corpus: one transcript per line, gzip-compressed (similar lines compress well together). */
export function packTranscripts(ts: readonly Transcript[]): Buffer {
  return gzipSync(ts.map((t) => JSON.stringify(t)).join('\n') + '\n', { level: 9 });
}
