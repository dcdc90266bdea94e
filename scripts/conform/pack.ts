/**
 * Packs recorded transcripts into the committed corpus, one gzip'd JSON-lines file per kernel:
 *
 *   tsx scripts/conform/pack.ts <recorded dir (with 6.1/, 6.12/)> [test/fixtures/conform]
 *
 * and writes known-divergences.json beside it: the first divergence of every sequence that
 * memhp (this worktree's) does not agree with, which test/conform/corpus.test.ts holds memhp to.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTranscripts, packTranscripts } from '../../src/conform/corpus.ts';
import { knownDivergences } from '../../src/conform/known.ts';

const [src, out = 'test/fixtures/conform'] = process.argv.slice(2);
if (!src) {
  console.error('usage: pack.ts <recorded dir> [out dir]');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const all = [];
for (const kernel of readdirSync(src).filter((d) => statSync(join(src, d)).isDirectory()).sort()) {
  const ts = readTranscripts(join(src, kernel));
  const file = join(out, `${kernel}.jsonl.gz`);
  const buf = packTranscripts(ts);
  writeFileSync(file, buf);
  all.push(...ts);
  console.log(`${file}: ${ts.length} transcripts, ${ts.reduce((s, t) => s + t.steps.length, 0)} steps, ${(buf.length / 1024).toFixed(0)} KiB`);
}
writeFileSync(join(out, 'known-divergences.json'), `${JSON.stringify(knownDivergences(all), null, 2)}\n`);
