/**
 * The documentation the code cites lives in the repository and stays in step
 * with it: every kernel-model section a comment cites (`spec §N` today,
 * `docs/kernel-model.md §N` after the citations are rewritten) exists as a
 * numbered heading of docs/kernel-model.md, the docs' relative links lead to
 * files that exist, and nothing points at documents kept outside the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git']);
const TEXT = /\.(ts|js|mjs|json|jsonl|ya?ml|md|html|css|sh)$/;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else if (TEXT.test(name)) out.push(p);
  }
  return out;
}

const CODE_DIRS = ['src', 'machines', 'test', 'scripts', 'bin'].map((d) => join(ROOT, d));
const codeFiles = CODE_DIRS.flatMap(filesUnder).filter((f) => !f.endsWith('.md'));
const docFiles = [...filesUnder(join(ROOT, 'docs')), join(ROOT, 'README.md')];
const repoFiles = [...codeFiles, ...docFiles, ...filesUnder(join(ROOT, 'scenarios')), ...filesUnder(join(ROOT, '.ci')), join(ROOT, 'package.json')];

/** "2.1" from headings such as "### 2.1 x86_64 block size" or "## 10. util-linux …". */
function kernelModelSections(): Set<string> {
  const text = readFileSync(join(ROOT, 'docs/kernel-model.md'), 'utf8');
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)) out.add(m[1]!);
  return out;
}

describe('docs/kernel-model.md', () => {
  const sections = kernelModelSections();

  it('has §1 to §10, each with its subsections numbered in order', () => {
    for (let n = 1; n <= 10; n++) expect(sections, `§${n}`).toContain(String(n));
    for (const s of sections) {
      const [major, minor] = s.split('.').map(Number);
      if (minor !== undefined && minor > 1) expect(sections, `§${s} follows §${major}.${minor - 1}`).toContain(`${major}.${minor - 1}`);
    }
  });

  it('has every section the code cites', () => {
    const missing: string[] = [];
    let citations = 0;
    for (const file of codeFiles) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          // every § in code refers to the kernel model: "spec §4.4", "(§8.3)", "§5.2–§5.4"
          for (const m of line.matchAll(/§(\d+(?:\.\d+)?)/g)) {
            citations++;
            if (!sections.has(m[1]!)) missing.push(`${relative(ROOT, file)}:${i + 1}: §${m[1]}`);
          }
        });
    }
    expect(citations).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});

describe('links and references', () => {
  it('every relative link in the docs and the README leads to a file of the repository', () => {
    const broken: string[] = [];
    for (const file of docFiles) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        const abs = resolve(dirname(file), target);
        if (!existsSync(abs) || relative(ROOT, abs).startsWith('..')) broken.push(`${relative(ROOT, file)}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('no file refers to the specification or notes kept outside the repository', () => {
    // built from pieces so that this file does not match itself
    const outside = [['..', 'shared', ''].join('/'), ['', 'work', ''].join('/'), ['kernel', 'hotplug.md'].join('-')];
    const hits: string[] = [];
    for (const file of repoFiles) {
      if (!existsSync(file)) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const o of outside) if (line.includes(o)) hits.push(`${relative(ROOT, file)}:${i + 1}: ${o}`);
        });
    }
    expect(hits).toEqual([]);
  });
});
