/**
 * Regenerates test/fixtures/conform/known-divergences.json from the committed corpus, for
 * memhp as it is in this worktree (run it after a change to memhp moves a divergence, and
 * say why in docs/conformance.md):
 *
 *   tsx scripts/conform/update-known.ts [test/fixtures/conform]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTranscripts } from '../../src/conform/corpus.ts';
import { knownDivergences } from '../../src/conform/known.ts';

const dir = process.argv[2] ?? 'test/fixtures/conform';
const ts = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl.gz'))
  .sort()
  .flatMap((f) => readTranscripts(join(dir, f)));
const known = knownDivergences(ts);
writeFileSync(join(dir, 'known-divergences.json'), `${JSON.stringify(known, null, 2)}\n`);
console.log(`${ts.length} transcripts, ${known.length} diverge: ${join(dir, 'known-divergences.json')}`);
