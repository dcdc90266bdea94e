/** The engine-backed inspector backend on the real seed log. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendFromLog, backendFromScenario } from '../../src/inspector/engine-backend.ts';
import { readLog } from '../../src/log/index.ts';
import { SEED, tempDir, writeScenarioLog } from './helpers/logs.ts';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('EngineBackend', { timeout: 60_000 }, () => {
  const b = backendFromScenario(SEED, { forkDir: dir });
  const last = b.info().lastSeq;

  it('samples the accounting counters the world shows at each sampled step', () => {
    const series = b.accountingSeries(7);
    expect(series[0]!.seq).toBe(0);
    expect(series.at(-1)!.seq).toBe(last);
    for (const p of series) {
      const w = b.worldAt(p.seq);
      expect(p.nodes).toEqual(w.nodes.map((n) => ({ node: n.id, presentPages: n.presentPages, managedPages: n.managedPages, memmapPages: n.memmapPages })));
      expect(p.zones).toEqual(w.zones.map((z) => ({ node: z.node, zone: z.zone, presentPages: z.presentPages, managedPages: z.managedPages })));
    }
  });

  it('continues to breakpoints both ways and filters like the timeline', () => {
    const fault = b.search({ type: 'fault' });
    expect(fault).toHaveLength(1);
    expect(b.continueTo(0, 'forward', [{ kind: 'match', filter: { type: 'fault' } }])).toBe(fault[0]);
    expect(b.continueTo(last, 'backward', [{ kind: 'seq', seq: 12 }])).toBe(12);
    expect(b.continueTo(fault[0]!, 'forward', [{ kind: 'match', filter: { type: 'fault' } }])).toBeNull();
    expect(b.search({ actor: 'memory65', type: 'transition' }).map((s) => b.events(s, s)[0]!.type)).toEqual(['transition', 'transition']);
  });

  it('names the change of each step, removed ranges included', () => {
    const fault = b.search({ type: 'fault' })[0]!;
    expect(b.diff(fault - 1, fault).map((c) => c.path)).toContain('faults[0]');
    const inv = b.invariantsAt(fault);
    expect(inv.find((i) => i.name === 'no-fault')!.holds).toBe(false);
    expect(inv.find((i) => i.name === 'memmap-in-present-memory')!.violations).toHaveLength(7);
    const booted = b.search({ type: 'op' })[1]! - 1; // the end of the boot operation
    expect(b.invariantsAt(booted).every((i) => i.holds)).toBe(true);
  });

  it('forks at the end of the operation that contains a past step, never inside it', async () => {
    const log = writeScenarioLog(SEED, mkdtempSync(join(dir, 'fork-')));
    const original = readFileSync(log.path, 'utf8');
    const fb = backendFromLog(log.path);
    const removeOp = fb.search({ type: 'op', text: 'remove_memory' })[0]!;
    const r = await fb.apply({ op: 'touch', block: 66 }, removeOp + 1); // inside remove_memory's effects
    expect(r.forkedLogPath).toBeDefined();
    const forked = readLog(r.forkedLogPath!).events;
    const touchSeq = fb.search({ type: 'op', text: 'touch' })[0]!;
    expect(forked[touchSeq - 1]).toMatchObject({ type: 'op', op: { op: 'touch', block: 66 } });
    expect(forked.slice(0, touchSeq - 1)).toEqual(readLog(log.path).events.slice(0, touchSeq - 1));
    expect(readFileSync(log.path, 'utf8')).toBe(original);
    fb.close();
  });

  it('samples the counters after each operation, and says how the log ends', () => {
    const ops = b.search({ type: 'op' });
    const series = b.accountingByOp(0, 1e9, 600);
    expect(series.totalOps).toBe(ops.length);
    expect(series.samples.map((s) => s.op)).toEqual(ops.map((_, i) => i));
    for (const s of series.samples) {
      const w = b.worldAt(s.end);
      expect(s.seq).toBe(ops[s.op]);
      expect(s.nodes.map(({ spannedPages: _s, ...n }) => n)).toEqual(w.nodes.map((n) => ({ node: n.id, presentPages: n.presentPages, managedPages: n.managedPages, memmapPages: n.memmapPages })));
      expect(s.zones.map((z) => z.spannedPages)).toEqual(w.zones.map((z) => (z.startPfn === null ? 0 : z.endPfn! - z.startPfn)));
    }
    // a window of operations, fewer points than operations: sampled, first and last kept
    const part = b.accountingByOp(2, 5, 2);
    expect(part.samples.map((s) => s.op)).toEqual([2, 5]);
    const o = b.outcome();
    expect(o.faultCount).toBe(1);
    expect(o.faults[0]!.seq).toBe(b.search({ type: 'fault' })[0]);
    expect(o.taintSeq).toBe(last);
    expect(o.failedOps.map((f) => f.text)).toEqual(['touch block=65 → -14 EFAULT']);
  });

  it('keeps the original branch after a fork, and switches between them', async () => {
    const log = writeScenarioLog(SEED, mkdtempSync(join(dir, 'branch-')));
    const fb = backendFromLog(log.path);
    const original = fb.events(1, fb.info().lastSeq);
    const r = await fb.apply({ op: 'signal' }, 295);
    expect(r.forkedBranch).toBe(1);
    expect(fb.branches().map((x) => [x.id, x.parent, x.forkSeq, x.current])).toEqual([[0, null, null, false], [1, 0, 295, true]]);
    expect(fb.info().logPath).toBe(r.forkedLogPath);
    expect(fb.selectBranch(0).lastSeq).toBe(original.length);
    expect(fb.events(1, original.length)).toEqual(original);
    expect(fb.outcome().faultCount).toBe(1);
    // an operation at the end of the original appends to the original's file
    await fb.apply({ op: 'signal' }, original.length);
    expect(readLog(log.path).events.length).toBeGreaterThan(original.length);
    expect(readLog(log.path).events.slice(0, original.length)).toEqual(original);
    const forked = readLog(r.forkedLogPath!).events;
    expect(forked[295]).toMatchObject({ type: 'op', op: { op: 'signal' } });
    expect(fb.selectBranch(1).lastSeq).toBe(forked.length);
    expect(() => fb.selectBranch(7)).toThrow(/no branch 7/);
    fb.close();
  });
});
