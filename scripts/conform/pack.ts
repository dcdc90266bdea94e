/**
 * Packs recorded transcripts into the committed corpus, one gzip'd JSON-lines file per kernel:
 *
 *   tsx scripts/conform/pack.ts <recorded dir (with 6.1/, 6.12/)> [test/fixtures/conform] [--merge]
 *
 * and writes known-divergences.json beside it: the first divergence of every sequence that
 * memhp (this worktree's) does not agree with, which test/conform/corpus.test.ts holds memhp to.
 * With --merge the committed corpus is kept and the recorded transcripts are added to it, a
 * recorded one replacing the committed one of the same id (a sequence recorded again, e.g.
 * after a generator fix); without it the corpus is the recorded directory alone.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readTranscripts, packTranscripts } from '../../src/conform/corpus.ts';
import { knownDivergences } from '../../src/conform/known.ts';
import type { Transcript } from '../../src/conform/transcript.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { merge: { type: 'boolean', default: false } } });
const [src, out = 'test/fixtures/conform'] = positionals;
if (!src) {
  console.error('usage: pack.ts <recorded dir> [out dir] [--merge]');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const all: Transcript[] = [];
const kernels = new Set(readdirSync(src).filter((d) => statSync(join(src, d)).isDirectory()));
if (values.merge) for (const f of readdirSync(out)) if (f.endsWith('.jsonl.gz')) kernels.add(f.replace(/\.jsonl\.gz$/, ''));
for (const kernel of [...kernels].sort()) {
  const file = join(out, `${kernel}.jsonl.gz`);
  const byId = new Map<string, Transcript>();
  if (values.merge && existsSync(file)) for (const t of readTranscripts(file)) byId.set(t.id, t);
  const recorded = existsSync(join(src, kernel)) ? readTranscripts(join(src, kernel)) : [];
  let replaced = 0;
  for (const t of recorded) {
    if (byId.has(t.id)) replaced++;
    byId.set(t.id, t);
  }
  const ts = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const buf = packTranscripts(ts);
  writeFileSync(file, buf);
  all.push(...ts);
  console.log(`${file}: ${ts.length} transcripts (${recorded.length} recorded, ${replaced} of them replacing committed ones), ${ts.reduce((s, t) => s + t.steps.length, 0)} steps, ${(buf.length / 1024).toFixed(0)} KiB`);
}
writeFileSync(join(out, 'known-divergences.json'), `${JSON.stringify(knownDivergences(all), null, 2)}\n`);
