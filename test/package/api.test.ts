/**
 * The package's entries name what they export: no `export *`, and no thing
 * under two names (a second name for one function is a second thing to learn
 * and to keep).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../cli/helpers.ts';

const ENTRIES = { memhp: 'src/index.ts', 'memhp/testing': 'src/check/index.ts', 'memhp/vitest': 'src/check/vitest.ts', 'memhp/scenario': 'src/scenario/index.ts' };

describe('the public API', () => {
  it('every entry lists its exports by name', () => {
    for (const [entry, file] of Object.entries(ENTRIES)) {
      const text = readFileSync(join(REPO, file), 'utf8');
      expect(text.match(/^export (type )?\*/gm), `${entry} (${file})`).toBeNull();
    }
  });

  it('no entry exports one function, class or object under two names', async () => {
    for (const [entry, file] of Object.entries(ENTRIES)) {
      const mod = (await import(join(REPO, file))) as Record<string, unknown>;
      const byValue = new Map<unknown, string[]>();
      for (const [name, value] of Object.entries(mod)) {
        if ((typeof value !== 'function' && typeof value !== 'object') || value === null) continue;
        byValue.set(value, [...(byValue.get(value) ?? []), name]);
      }
      const twice = [...byValue.values()].filter((names) => names.length > 1);
      expect(twice, entry).toEqual([]);
    }
  });
});
