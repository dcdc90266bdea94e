/** The live session: one engine whose timeline, live system and log move together, at the end of a branch or at a fork. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLog } from '../../src/log/index.ts';
import { Session } from '../../src/session/session.ts';
import { breakOnEvent } from '../../src/timeline/breakpoints.ts';
import { eventMatches } from '../../src/timeline/match.ts';
import { SEED, tempDir, writeScenarioLog } from '../inspector/helpers/logs.ts';

const dir = tempDir();
const open: Session[] = [];
const session = (path: string) => {
  const s = Session.open(path);
  open.push(s);
  return s;
};
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe('Session', { timeout: 60_000 }, () => {
  it('apply at the end: the op is in the log file and in the timeline when apply returns', () => {
    const log = writeScenarioLog(SEED, mkdtempSync(join(dir, 'end-')));
    const s = session(log.path);
    const r = s.apply({ op: 'write', path: 'devices/system/memory/memory66/state', value: 'offline\n' }, log.lastSeq);
    expect(r.forked).toBeUndefined();
    expect(r.events[0]).toMatchObject({ type: 'op', seq: log.lastSeq + 1 });
    expect(s.timeline.length).toBe(log.lastSeq + r.events.length);
    expect(readLog(log.path).events.slice(log.lastSeq)).toEqual(r.events);
    // the world the timeline shows is the one the live system decided
    expect(s.timeline.worldAt(s.timeline.length)).toEqual(s.branch.live!.world);
  });

  it('apply at a past step forks a branch that shares the past, and leaves the original as it was', () => {
    const log = writeScenarioLog(SEED, mkdtempSync(join(dir, 'fork-')));
    const before = readFileSync(log.path, 'utf8');
    const s = session(log.path);
    const removeOp = s.timeline.events.slice().find((e) => e.type === 'op' && e.op.op === 'remove_memory')!.seq;
    const told: number[] = [];
    s.onAppend(() => told.push(s.branch.id));
    const r = s.apply({ op: 'touch', block: 66 }, removeOp + 1);
    expect(r.forked).toMatchObject({ branch: 1 });
    const cut = r.events[0]!.seq - 1;
    // a fork never splits an operation: the cut is the end of remove_memory's effects
    expect(s.branches[0]!.timeline.events.at(cut)?.type ?? 'op').toBe('op');
    expect(s.branch).toMatchObject({ id: 1, parent: 0, forkSeq: cut, logPath: r.forked!.logPath });
    expect(readLog(r.forked!.logPath).events).toEqual(s.timeline.events);
    expect(s.timeline.worldAt(cut)).toEqual(s.branches[0]!.timeline.worldAt(cut));
    expect(readFileSync(log.path, 'utf8')).toBe(before);
    expect(s.select(0).timeline.length).toBe(log.lastSeq);
    expect(told).toEqual([1, 0]);
  });

  it('one event matcher: a transition actor, the actor column, a step, a text', () => {
    const log = writeScenarioLog(SEED, mkdtempSync(join(dir, 'match-')));
    const tl = session(log.path).timeline;
    const fault = tl.events.slice().find((e) => e.type === 'fault')!;
    // a fault on block 65 reads "memory65" in the actor column, but is no transition of memory65
    expect(eventMatches(fault, { shownActor: `memory${fault.type === 'fault' ? fault.block : -1}` })).toBe(true);
    expect(eventMatches(fault, { actor: `memory${fault.type === 'fault' ? fault.block : -1}` })).toBe(false);
    expect(tl.findForward([breakOnEvent({ seq: fault.seq })], 1).map((h) => h.step)).toEqual([fault.seq]);
    expect(tl.findBackward([breakOnEvent({ text: 'BUG: unable' })], tl.length).map((h) => h.step)).toEqual([fault.seq]);
  });
});
