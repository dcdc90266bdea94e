/**
 * Coverage: what a run reached is set against universes read from
 * declarations (operations, errnos, kernel paths, machine transitions,
 * invariants), so "never reached" names real holes; the declared kernel
 * paths agree with the code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MACHINES } from '../../machines/index.ts';
import { transitionTable } from '../../machines/transition-table.ts';
import { Coverage, leadingCheck } from '../../src/check/coverage/collect.ts';
import { exploreWithCoverage } from '../../src/check/coverage/explore.ts';
import { KERNEL_PATHS } from '../../src/check/coverage/kernel-paths.ts';
import { coverageLines } from '../../src/check/coverage/table.ts';
import { universe } from '../../src/check/coverage/universe.ts';
import { INVARIANTS } from '../../src/check/invariants/index.ts';
import { swarm } from '../../src/check/swarm.ts';
import { ERRNO } from '../../src/kernel/errno.ts';
import { OPS } from '../../src/kernel/ops.ts';

const SRC = resolve(import.meta.dirname, '../../src');
const files = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : f.endsWith('.ts') ? [join(d, f)] : []));

describe('coverage', { timeout: 180_000 }, () => {
  it('declares every BUG, WARN and memmap oops site the code has, and no other', () => {
    const found = new Set<string>();
    for (const f of files(SRC)) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/kernelBug\(tx, '([\w.]+)'/g)) found.add(`BUG ${m[1]}`);
      for (const m of text.matchAll(/kernelWarn\(tx, '([\w.]+)'/g)) found.add(`WARN ${m[1]}`);
      for (const m of text.matchAll(/const site = '([\w.]+)'/g)) if (text.includes('kernelWarnings')) found.add(`WARN ${m[1]}`);
      for (const m of text.matchAll(/checkMemmapAlive\(tx, \w+, '(\w+)'\)/g)) found.add(`oops ${m[1]}`);
    }
    expect(new Set(KERNEL_PATHS.map((p) => `${p.kind} ${p.site}`))).toEqual(found);
  });

  it('takes its universe from the declarations', () => {
    const u = universe(INVARIANTS);
    expect(u.operations).toEqual(Object.keys(OPS).filter((k) => k !== 'boot'));
    expect(u.errnos).toEqual(Object.keys(ERRNO));
    expect(u.invariants).toEqual(INVARIANTS.map((i) => i.name));
    const pairs = Object.values(MACHINES).reduce((n, m) => n + [...transitionTable(m).values()].reduce((k, on) => k + on.size, 0), 0);
    expect(u.transitions.length).toBe(pairs);
    expect(u.transitions).toContain('memory_block: going-offline --OFFLINE_CANCEL-->');
  });

  it('reports what a breadth-first run reached and what it never did', () => {
    const { result, coverage } = exploreWithCoverage({ kernel: 'v2-2019', blocks: 2, depth: 3, params: { v2_remove_guard: true } });
    expect(result.complete).toBe(true);
    const keys = (s: { reached: { key: string }[] }) => s.reached.map((i) => i.key);
    // the default operation set of v2: add, state, remove, touch (no offline_and_remove_memory in 2019)
    expect(keys(coverage.operations)).toEqual(['add_memory', 'state', 'remove_memory', 'touch']);
    expect(coverage.operations.never).toContain('probe');
    expect(coverage.operations.never).toContain('acpi_dimm_add');
    const add = coverage.operations.reached.find((i) => i.key === 'add_memory')!;
    expect(add.detail).toMatch(/^\d+ ok, \d+ refused$/);
    // every decision is counted once: the counts add up to the search's transitions
    expect(coverage.operations.reached.reduce((n, i) => n + i.count, 0)).toBe(result.transitions);
    expect(keys(coverage.errnos)).toContain('EINVAL');
    expect(coverage.errnos.never).toContain('EHWPOISON');
    // refusals named by the kernel function whose check failed (KernelError.site): adding over present memory
    expect(keys(coverage.errorReturns)).toContain('register_memory_resource(): EEXIST');
    for (const k of keys(coverage.errorReturns)) expect(k).toMatch(/^\w+\(\): E[A-Z0-9]+$|^\w+ E[A-Z0-9]+: /);
    expect(coverage.errorReturns.total).toBeNull();
    expect(keys(coverage.transitions)).toContain('hotplug: absent --BOOT-->');
    expect(keys(coverage.transitions)).toContain('memory_block: offline --ONLINE-->');
    expect(coverage.transitions.never).toContain('memory_block: offline --PIN-->'); // pin is not in the operation set
    // v2 has no memory groups: that invariant only ever held vacuously
    expect(coverage.invariants.never).toEqual(['memory-groups-consistent']);
    for (const s of Object.values(coverage)) expect(s.undeclared).toEqual([]);
    const text = coverageLines(coverage).join('\n');
    expect(text).toMatch(/^operations: 4 of \d+ reached$/m);
    expect(text).toMatch(/^ {2}never: memory-groups-consistent$/m);
  });

  it('sees a BUG, WARNs and the memmap oops when the runs take those paths', () => {
    // with no invariant to stop it at the hazard, the search goes on to read the lost memmap
    const { coverage } = exploreWithCoverage({ kernel: 'v2-2019', blocks: 2, depth: 3, invariants: [] });
    expect(coverage.kernelPaths.reached.map((i) => i.key)).toEqual(expect.arrayContaining(['oops: page fault on a memmap in removed memory (touch)', 'oops: page fault on a memmap in removed memory (online)']));
    expect(coverage.invariants).toMatchObject({ total: 0, reached: [], never: [] });
    const c = new Coverage(INVARIANTS);
    swarm({ kernel: '6.8', blocks: 3, depth: 30, walks: 60, seed: 5, extraOps: ['acpi_dimm', 'inject', 'pin', 'unpin'], coverage: c });
    const paths = c.report().kernelPaths;
    expect(paths.reached.map((i) => i.key)).toEqual(expect.arrayContaining(['BUG in __remove_memory()', 'WARN in remove_memory_block_devices()']));
    expect(paths.never).toContain('BUG in try_remove_memory()');
    expect(paths.reached.length + paths.never.length).toBe(KERNEL_PATHS.length);
  });

  it('names an error return by its leading check, numbers left out', () => {
    expect(leadingCheck('memory65 is not offline (state online)')).toBe('memoryN is not offline');
    expect(leadingCheck('[mem 0x40000000-0x47ffffff] conflicts with System RAM of memory8')).toBe('[mem N-N] conflicts with System RAM of memoryN');
    expect(leadingCheck('device PNP0C80:01 exists')).toBe('device PNP0C80:N exists');
  });
});
