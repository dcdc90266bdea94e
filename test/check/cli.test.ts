/**
 * `memhp check` and `memhp explore` as a user runs them: real child
 * processes of the real entry point, real files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'memhp-cli-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// the command users run (compiled by test/global-setup.ts), from a scratch directory
function memhp(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/memhp.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('memhp explore', { timeout: 180_000 }, () => {
  it('prints the v2 DEVICE counterexample, writes its log and exits 1', () => {
    const r = memhp('explore', '--kernel', 'v2-2019', '--blocks', '2', '--depth', '3', '--json', '--out', 'cx.jsonl');
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.complete).toBe(false);
    expect(out.statesExplored).toBeGreaterThan(0);
    expect(typeof out.statesPerSec).toBe('number');
    expect(out.counterexample.ops.map((o: { op: string }) => o.op)).toEqual(['add_memory', 'remove_memory']);
    expect(out.counterexample.logFile).toBe(join(dir, 'cx.jsonl'));
    expect(existsSync(join(dir, 'cx.jsonl'))).toBe(true);

    const check = memhp('check', 'cx.jsonl');
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/VIOLATION at step 2 \(event \d+\): remove_memory\(0x40000000, 128M\): memory8 — removes the first block of the 2-block DEVICE range added in step 1 — returned 0/);
    expect(check.stdout).toMatch(/invariant memmap-in-present-memory is broken/);
  });

  it('says the space holds under the guard and exits 0 (text output)', () => {
    const r = memhp('explore', '--kernel', 'v2-2019', '--blocks', '2', '--depth', '3', '--param', 'v2_remove_guard=true');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/explored \d+ states \(\d+ states\/s/);
    expect(r.stdout).toMatch(/no counterexample: every state within depth 3 satisfies every invariant/);
    expect(r.stderr).toBe(''); // not a terminal: no progress bar
  });

  it('says clearly when its bound stops it, and exits 3', () => {
    const r = memhp('explore', '--blocks', '3', '--max-states', '10');
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/NOT COMPLETE: stopped at the state bound: 10 states explored/);
    expect(r.stderr).toMatch(/explore hit its bound/);
  });

  it('--nodes 2 --ops all: wider search with the options named in the header; a safe 6.8 machine holds', () => {
    const held = memhp('explore', '--blocks', '2', '--nodes', '2', '--ops', 'pin,unpin,inject,signal,set', '--depth', '2');
    expect(held.status).toBe(0);
    expect(held.stdout).toMatch(/2 hot-pluggable blocks on 2 nodes, depth 2, 40 operations per state \(with pin, unpin, inject, signal, set\)/);
    const r = memhp('explore', '--blocks', '2', '--nodes', '2', '--ops', 'all', '--depth', '3', '--json', '--out', 'nodes.jsonl');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.system.machine.possibleNodes).toBe(2);
    expect(out.counterexample).toBeNull();
    expect(out.complete).toBe(true);
    const help = memhp('explore', '--help');
    expect(help.stdout).toMatch(/--nodes <n>/);
    expect(help.stdout).toMatch(/--ops <list>/);
  });

  it('rejects bad options with a message naming the option, exit 2', () => {
    for (const [args, msg] of [
      [['--param', 'v2_remove_guard=maybe'], /--param v2_remove_guard=maybe: expected true or false/],
      [['--param', 'no_such=1'], /--param no_such: unknown parameter/],
      [['--kernel', '4.19'], /--kernel "4.19": expected one of v2-2019, 5.13, 5.15, 6.6, 6.8/],
      [['--blocks', 'two'], /--blocks "two": expected a whole number/],
      [['--nodes', '3'], /--nodes "3": expected a whole number from 1 to 2/],
      [['--ops', 'pin,hug'], /--ops hug: unknown operation kind \(known: pin, unpin, inject, signal, offline_and_remove_memory, set, touch, acpi_dimm, virtio_mem, dax_kmem, all\)/],
      [['--ops', 'pin,,signal'], /--ops "pin,,signal": empty name/],
    ] as const) {
      const r = memhp('explore', ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});

describe('memhp check', { timeout: 180_000 }, () => {
  it('reports the first violation of a scenario with its step, operation and explanation', () => {
    const r = memhp('check', join(ROOT, 'scenarios/seed-reviewer-partial-remove.json'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/VIOLATION at step 5 \(event \d+\): remove_memory\(0x200000000, 128M\): memory64 — removes the first block of the 8-block DEVICE range/);
    expect(r.stdout).toMatch(/section 65 \(memory65\) has its memmap in the vmemmap at pfn 0x200000, inside memory64/);
    expect(r.stdout).toMatch(/6 more violations/);
  });

  it('exits 0 when every invariant holds at every step', () => {
    const r = memhp('check', join(ROOT, 'scenarios/seed-memblock-1g.json'), '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, kind: 'scenario', steps: 25, first: null });
    expect(out.invariants).toHaveLength(8);
  });

  it('names the place of invalid input and exits 2', () => {
    writeFileSync(join(dir, 'bad.json'), '{ "kernel": "6.8", "ops": [ { "op": "add_memory", "start": "8G", "size": "12Q" } ] }');
    const bad = memhp('check', 'bad.json');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: ops\[0\]\.size/);
    const missing = memhp('check', 'nope.json');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: no such file/);
  });
});
