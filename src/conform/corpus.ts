/**
 * Reading transcripts: one JSON file, a directory of them (recursively; other
 * JSON in it is skipped), or a packed corpus (`*.jsonl.gz`: one transcript per
 * line, as committed under test/fixtures/conform/).
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

function isTranscriptLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { format?: unknown }).format === 'memhp-conform-transcript';
}

export function readTranscripts(path: string): Transcript[] {
  const st = statSync(path);
  if (st.isDirectory()) {
    return readdirSync(path)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
      .flatMap((name) => {
        const p = join(path, name);
        if (statSync(p).isDirectory()) return readTranscripts(p);
        if (name.endsWith('.jsonl.gz')) return readTranscripts(p);
        if (!name.endsWith('.json')) return [];
        // a directory also holds other JSON (known-divergences.json beside the corpus): only
        // files that say they are transcripts are read; a named file is always checked
        const v = parseJson(readFileSync(p, 'utf8'), p);
        return isTranscriptLike(v) ? [checkTranscript(v, p)] : [];
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
