/**
 * memhp against the recorded real-kernel corpus (test/fixtures/conform/<kernel>.jsonl.gz,
 * recorded by scripts/conform/record.ts under QEMU; no QEMU here). Every sequence that
 * diverges must be listed in known-divergences.json with the same first step and fields, and
 * every listed one must still diverge: a change in memhp that moves either way shows up here
 * (regenerate with scripts/conform/pack.ts and explain it in docs/conformance.md).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTranscripts } from '../../src/conform/corpus.ts';
import { knownDivergences, type KnownDivergence } from '../../src/conform/known.ts';

const DIR = join(import.meta.dirname, '../fixtures/conform');
const CORPORA = readdirSync(DIR).filter((f) => f.endsWith('.jsonl.gz')).sort();
const KNOWN: KnownDivergence[] = existsSync(join(DIR, 'known-divergences.json')) ? JSON.parse(readFileSync(join(DIR, 'known-divergences.json'), 'utf8')) : [];

describe('recorded real-kernel corpus', () => {
  it('has a corpus per kernel', () => {
    expect(CORPORA).toEqual(expect.arrayContaining(['6.1.jsonl.gz', '6.12.jsonl.gz']));
  });

  describe.each(CORPORA)('%s', (file) => {
    const kernel = file.replace(/\.jsonl\.gz$/, '');
    const ts = readTranscripts(join(DIR, file));

    it('holds transcripts of that kernel with what they ran on', () => {
      expect(ts.length).toBeGreaterThan(0);
      for (const t of ts) {
        expect(t.kernel.release.startsWith(`${kernel}.`)).toBe(true);
        expect(t.qemu.version).toMatch(/^\d+\.\d+/);
        expect(t.qemu.argv).toContain('-kernel');
        expect(new Set(ts.map((x) => x.id)).size).toBe(ts.length);
      }
    });

    it('diverges from memhp exactly where known-divergences.json says', { timeout: 600_000 }, () => {
      const now = knownDivergences(ts);
      const listed = KNOWN.filter((k) => k.id.startsWith(`${kernel}/`));
      expect(now).toEqual(listed);
    });
  });
});
