/** `memhp conform` on recorded transcripts: no QEMU needed; exit 0 agree, 1 divergence, 2 invalid input. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memhp, tempDir } from '../cli/helpers.ts';

const EXAMPLE = join(import.meta.dirname, '../fixtures/conform/example-6.12.json');

describe('memhp conform <transcript>', { timeout: 120_000 }, () => {
  it('prints the step-by-step agreement and exits 0', async () => {
    const r = await memhp(['conform', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/step +0 +acpi_dimm_add .* agree/);
    expect(r.stdout).toMatch(/6 steps: 6 agree, 0 diverge/);
  });

  it('names the step, the field and both values at a divergence, and exits 1', async () => {
    const t = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    t.steps[2].delta.set['F devices/system/memory/memory33/state'] = 'offline';
    const file = join(tempDir(), 'diverging.json');
    writeFileSync(file, JSON.stringify(t));
    const r = await memhp(['conform', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/step +2 +state block=33 value=online_movable +DIVERGE/);
    expect(r.stdout).toContain('F devices/system/memory/memory33/state: kernel "offline", memhp "online"');
    const j = await memhp(['conform', file, '--json']);
    expect(JSON.parse(j.stdout).results[0].firstDivergence).toBe(2);
  });

  it('exits 2 on a transcript it cannot read, naming the field', async () => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify({ format: 'memhp-conform-transcript', version: 1, id: 'x' }));
    const r = await memhp(['conform', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('kernel.release: missing');
  });
});
