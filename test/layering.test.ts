/**
 * The layering of docs/README.md ("Layers"), as .dependency-cruiser.cjs writes it
 * down: no import reaches a higher layer and no import cycle exists. The second
 * test shows the check bites, on a small tree written for it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as IConfiguration;
const root = join(dirname(new URL(import.meta.url).pathname), '..');

/** Every rule broken under `baseDir`, as "rule: from → to". */
async function violations(baseDir: string, paths: string[]): Promise<string[]> {
  const { output } = await cruise(paths, { ...config.options, baseDir, validate: true, ruleSet: { forbidden: config.forbidden } } as never);
  return (output as ICruiseResult).summary.violations
    .filter((v) => v.rule.severity === 'error')
    .map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
}

describe('layering', { timeout: 120_000 }, () => {
  it('src and machines import only their own layer or lower ones, and nothing imports in a cycle', async () => {
    expect(await violations(root, ['src', 'machines'])).toEqual([]);
  });

  it('reports an upward import, a cycle, a server module importing the page and the page importing Node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memhp-layers-'));
    try {
      const files: Record<string, string> = {
        // kernel reaching up into the engine, which imports the kernel back: upward and a cycle
        'src/kernel/zones.ts': "import { world } from '../engine/world.ts';\nexport const zone = world;\n",
        'src/engine/world.ts': "import type { zone } from '../kernel/zones.ts';\nexport const world: typeof zone | 1 = 1;\n",
        // the CLI may use the engine
        'src/cli/run.ts': "import { world } from '../engine/world.ts';\nexport const run = world;\n",
        // the server may not import the browser page
        'src/inspector/server/page.ts': "import { draw } from '../web/map.ts';\nexport const page = draw;\n",
        'src/inspector/web/map.ts': "import { readFileSync } from 'node:fs';\nexport const draw = readFileSync;\n",
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      const found = await violations(dir, ['src']);
      expect(found).toContain('no-upward-from-kernel: src/kernel/zones.ts → src/engine/world.ts');
      expect(found.some((v) => v.startsWith('no-circular: ') && v.includes('src/kernel/zones.ts') && v.includes('src/engine/world.ts'))).toBe(true);
      expect(found).toContain('web-page-is-its-own-bundle: src/inspector/server/page.ts → src/inspector/web/map.ts');
      expect(found.filter((v) => v.startsWith('web-page-runs-in-a-browser: src/inspector/web/map.ts → '))).toHaveLength(1);
      expect(found.some((v) => v.includes('src/cli/run.ts'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
