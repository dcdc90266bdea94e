/** `memhp why` on the command line: text, --json, --at, and bad questions as invalid input (exit 2). */
import { describe, expect, it } from 'vitest';
import { memhp, memhpJson, scenario } from '../cli/helpers.ts';

describe('memhp why', () => {
  it('explains a block with each rule\'s kernel function and section', async () => {
    const r = await memhp(['why', scenario('seed-reviewer-partial-remove.json'), 'memory65']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^memory65 \(node 0\) is online in ZONE_MOVABLE/);
    expect(r.stdout).toContain('[zone_for_pfn_range(), docs/kernel-model.md §5.6]');
  });

  it('--json answers an operation; --at asks about an earlier world', async () => {
    const op = await memhpJson(['why', scenario('seed-reviewer-partial-remove.json'), 'op', '5']);
    expect(op).toMatchObject({ question: 'op 5', source: 'recorded' });
    expect(op.chain.map((l: { fn: string }) => l.fn)).toContain('mark_vmemmap_pages');
    const early = await memhpJson(['why', scenario('seed-reviewer-partial-remove.json'), '--at', '264', 'memory64']);
    expect(early.summary).toBe('memory64 does not exist at event 264, and never did before it');
  });

  it('a question it cannot read is invalid input naming what it accepts', async () => {
    const r = await memhp(['why', scenario('seed-reviewer-partial-remove.json'), 'node0', 'HIGHMEM']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"HIGHMEM" is not a zone; ask about `memoryN`/);
    const past = await memhp(['why', scenario('seed-reviewer-partial-remove.json'), 'op', '99']);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/the log has 6 operations after boot/);
  });
});

describe('memhp inspect --export', () => {
  it('writes one trace file and says where, without serving anything', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'memhp-trace-'));
    try {
      const out = join(dir, 'seed.html');
      const r = await memhp(['inspect', scenario('seed-reviewer-partial-remove.json'), '--export', out]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^trace: .*seed\.html \(\d+ KiB, 304 events; open it in a browser, no server needed\)/);
      const html = readFileSync(out, 'utf8');
      expect(html).toContain('<title>memhp trace: 1 GiB DEVICE add, then remove the first block</title>');
      expect(html).toContain("connect-src 'none'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
