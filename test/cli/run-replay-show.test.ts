/**
 * run (human and --json, --log, --strict), replay (--to, --verify, a
 * divergent log), show (--at) against each other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog, writeLogFile } from '../../src/log/index.ts';
import { memhp, memhpJson, scenario, tempDir } from './helpers.ts';

const dir = tempDir();
const PARTIAL = scenario('seed-reviewer-partial-remove.json');

describe('memhp run', { timeout: 180_000 }, () => {
  it('prints each op with its result and what changed, then the final map', async () => {
    const r = await memhp(['run', PARTIAL]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('[0] add_memory node=0 start=8G size=1G flags=MHP_MEMMAP_DEVICE → 0');
    expect(out).toContain('    memory64-71: absent → offline');
    expect(out).toContain('    vmemmap mark: head pfn 0x200000, 4096 pages (16M), refcount 8, serves sections 64-71');
    expect(out).toContain('[4] remove_memory start=8G size=128M → 0');
    expect(out).toContain('    memory64: offline → removed');
    expect(out).toMatch(/vmemmap ORPHANED: head pfn 0x200000 .* sections 65-71 still use it \(refcount 7\)/);
    expect(out).toMatch(/\[5\] touch block=65 → -EFAULT \(BUG: unable to handle page fault/);
    expect(out).toContain('system: running → tainted');
    expect(out).toContain('node 0 Movable: present +32768 (+128M), managed +28672 (+112M) pages');
    // the final map: lsmem-like rows, memmap placement, zones
    expect(out).toMatch(/0x0000000208000000-0x000000020fffffff\s+128M\s+online\s+yes\s+65\s+0\s+Movable/);
    expect(out).toMatch(/memory65-71\s+altmap in memory64 \(head pfn 0x200000\) — LOST/);
    expect(out).toContain('kernel: TAINTED');
    // piped output carries no terminal escapes
    expect(out).not.toMatch(/\x1b\[/);
  });

  it('a kernel error is a result (exit 0); --strict makes it exit 1 after printing', async () => {
    const guard = scenario('seed-reviewer-guard.json');
    const plain = await memhp(['run', guard]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/\[4\] remove_memory start=8G size=128M → -EINVAL \(Refuse to remove/);
    const strict = await memhp(['run', guard, '--strict', '--json']);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout).ops[4].errno).toBe('EINVAL');
    expect(strict.stderr).toContain('--strict: 1 operation returned a kernel error: ops[4] remove_memory → -EINVAL');
    const clean = await memhp(['run', scenario('seed-reviewer-6.8.json'), '--strict']);
    expect(clean.code).toBe(0);
  });

  it('--log writes a log whose header holds the system and whose events are the run', async () => {
    const log = join(dir, 'partial.jsonl');
    const r = await memhpJson(['run', PARTIAL, '--log', log]);
    const read = readLog(log);
    expect(read.warnings).toEqual([]);
    expect(read.header.system.name).toBe('1 GiB DEVICE add, then remove the first block');
    expect((read.header.system as any).ops).toBeUndefined();
    expect(read.events.length).toBe(r.world.seq);
    const ops = read.events.filter((e) => e.type === 'op');
    expect(ops.map((e: any) => e.op.op)).toEqual(['boot', 'add_memory', 'state', 'state', 'state', 'remove_memory', 'touch']);
    expect(ops.slice(1).map((e: any) => e.seq)).toEqual(r.ops.map((o: any) => o.seq));
  });
});

describe('memhp replay and show', { timeout: 180_000 }, () => {
  const log = join(dir, 'replay.jsonl');

  it('replay --json rebuilds the world run produced; --verify agrees', async () => {
    const run = await memhpJson(['run', PARTIAL, '--log', log]);
    const rep = await memhpJson(['replay', log, '--verify']);
    expect(rep.world).toEqual(run.world);
    expect(rep.ops.map((o: any) => [o.op, o.ret, o.errno])).toEqual(run.ops.map((o: any) => [o.op, o.ret, o.errno]));
    expect(rep.verify).toMatchObject({ ok: true, divergence: null });
    const human = await memhp(['replay', log, '--verify']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('verified: boot and 6 operations re-decided through the machines');
  });

  it('replay --to N equals show --at N, and is the world before the op at N+1', async () => {
    const run = await memhpJson(['run', PARTIAL]);
    const removeSeq = run.ops[4].seq; // the remove_memory op event
    const before = removeSeq - 1;
    const rep = await memhpJson(['replay', log, '--to', String(before)]);
    const shown = await memhpJson(['show', log, '--at', String(before)]);
    const shownScenario = await memhpJson(['show', PARTIAL, '--at', String(before)]);
    expect(rep.world).toEqual(shown.world);
    expect(shownScenario.world).toEqual(shown.world);
    expect(shown.world.seq).toBe(before);
    expect(shown.world.blocks.find((b: any) => b.id === 64)).toMatchObject({ state: 'offline' });
    expect(rep.ops.map((o: any) => o.op)).toEqual(['add_memory', 'state', 'state', 'state']);
    // show --json also carries each block's memmap placement
    expect(shown.memmap.find((m: any) => m.block === 65)).toMatchObject({ kind: 'altmap', hostBlock: 64, lost: false });
    const after = await memhpJson(['show', log]);
    expect(after.memmap.find((m: any) => m.block === 65)).toMatchObject({ kind: 'altmap', hostBlock: 64, lost: true });
  });

  it('show prints the map, placement and counters for a human', async () => {
    const r = await memhp(['show', scenario('movable-node-remote-memmap.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/RANGE\s+SIZE\s+STATE\s+REMOVABLE\s+BLOCK\s+NODE\s+ZONES/);
    expect(r.stdout).toMatch(/memory32-39\s+regular memmap on node 0 \(remote\)/);
    expect(r.stdout).toMatch(/1\s+Movable\s+65536 \(256M\)\s+65536 \(256M\)/);
  });

  it('replay --verify reports the first divergence of a tampered log and exits 1', async () => {
    const read = readLog(log);
    // A log that claims the remove was refused, though the machines let it through.
    const events = read.events.map(({ seq: _s, ...e }) => e) as any[];
    const i = events.findIndex((e) => e.type === 'op' && e.op.op === 'remove_memory');
    events[i] = { ...events[i], ret: -22, errno: 'EINVAL' };
    const forged = join(dir, 'forged.jsonl');
    writeLogFile(forged, read.header.system, events, { createdAt: null });
    const r = await memhp(['replay', forged, '--verify', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`DIVERGENCE at event ${i + 1}`);
    expect(JSON.parse(r.stdout).verify).toMatchObject({ ok: false, divergence: { seq: i + 1 } });
    // plain replay trusts the log: it is valid, just not what the machines decide
    expect((await memhp(['replay', forged])).code).toBe(0);
  });

  it('replay of a log with a torn tail warns and replays the committed part', async () => {
    const text = readFileSync(log, 'utf8');
    const torn = join(dir, 'torn.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(torn, text + '{"seq":9999,"type":"op"');
    const r = await memhp(['replay', torn, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*torn tail/);
    expect(JSON.parse(r.stdout).world.seq).toBe(readLog(log).events.length);
  });
});
