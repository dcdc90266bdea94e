/**
 * A log opened with Timeline.openIndexed (kept on disk but for an index and
 * the checkpoints) reads exactly as one read whole: the same events, worlds,
 * breakpoints, actor histories and filters; a corrupt file fails the same
 * way; a file changed under it is named, not read wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemhpEvent } from '../../src/engine/events.ts';
import { encodeRecordLine, readLog, writeLogFile } from '../../src/log/index.ts';
import { forEachFileLine } from '../../src/log/file-lines.ts';
import { Timeline } from '../../src/timeline/index.ts';
import { FAILED_OP, TAINTS } from '../../src/timeline/event-index.ts';
import { eventMatches } from '../../src/timeline/match.ts';
import { rowActor } from '../../src/timeline/event-text.ts';
import { Session } from '../../src/session/session.ts';
import { breakOnEvent } from '../../src/timeline/breakpoints.ts';
import { generateWorkload } from '../../scripts/workload.ts';
import { tempDir } from '../log/helpers/tmp.ts';
import { logOf, scenarioArb } from './helpers/logs.ts';

const unsequenced = (events: readonly MemhpEvent[]) => events.map(({ seq: _seq, ...rest }) => rest as never);

/** A deterministic log of ~3,000 events (a dozen blocks of 256), written to a file. */
function bigLog(dir: string): { file: string; events: MemhpEvent[] } {
  const wl = generateWorkload(3000, 7);
  const file = path.join(dir, 'big.jsonl');
  writeLogFile(file, wl.system, unsequenced(wl.events), { createdAt: null });
  return { file, events: readLog(file).events };
}

describe('Timeline.openIndexed', () => {
  it('gives the events, ranges and worlds of a whole read, at any checkpoint interval', () => {
    const dir = tempDir();
    const { file, events } = bigLog(dir);
    for (const k of [1, 37, 1024]) {
      const whole = Timeline.open(file, { checkpointInterval: k });
      const tl = Timeline.openIndexed(file, { checkpointInterval: k });
      expect(tl.length).toBe(events.length);
      expect([...tl.events]).toEqual(events);
      for (const [a, b] of [[0, 1], [255, 257], [100, 2000], [events.length - 3, events.length + 5], [-10, -2]])
        expect(tl.events.slice(a, b)).toEqual(events.slice(a, b));
      for (const i of [0, 255, 256, 1999, events.length - 1]) expect(tl.events.at(i)).toEqual(events[i]);
      for (const n of [0, 1, k, events.length >> 1, events.length - 1, events.length]) expect(tl.worldAt(n)).toEqual(whole.worldAt(n));
      // walks: back across a checkpoint and forward again
      tl.seek(Math.min(events.length, 2 * k + 3));
      whole.seek(tl.cursor);
      for (let i = 0; i < 6; i++) { tl.stepBack(); whole.stepBack(); }
      expect(tl.world).toEqual(whole.world);
    }
  });

  it('its index answers the filters, failed operations and actor histories the events give', () => {
    const dir = tempDir();
    const { file, events } = bigLog(dir);
    const tl = Timeline.openIndexed(file);
    const idx = tl.index();
    const seqsOf = (p: (e: MemhpEvent) => boolean) => events.filter(p).map((e) => e.seq);
    expect(idx.seqs({ type: 'op' })).toEqual(seqsOf((e) => e.type === 'op'));
    expect(idx.seqs({ type: 'op', flag: FAILED_OP })).toEqual(seqsOf((e) => e.type === 'op' && e.ret !== 0));
    expect(idx.seqs({ flag: TAINTS })).toEqual(seqsOf((e) => e.type === 'transition' && e.actor === 'hotplug' && e.to === 'tainted'));
    const shown = [...new Set(events.map(rowActor))];
    expect(shown.length).toBeGreaterThan(5);
    for (const actor of shown) {
      expect(idx.seqs({ shownActor: actor })).toEqual(seqsOf((e) => eventMatches(e, { shownActor: actor })));
      expect(idx.seqs({ shownActor: actor, type: 'transition' })).toEqual(seqsOf((e) => eventMatches(e, { shownActor: actor, type: 'transition' })));
    }
    expect(idx.seqs({ shownActor: 'memory99999' })).toEqual([]);
    for (const actor of tl.actors()) {
      const mine = events.filter((e): e is Extract<MemhpEvent, { type: 'transition' }> => e.type === 'transition' && e.actor === actor);
      expect(tl.actorHistory(actor)).toEqual(mine);
      const log = tl.actorLog(actor)!;
      // its context after any number of its transitions: the transitions' `set`s folded in order
      for (const count of [0, 1, mine.length >> 1, mine.length]) {
        expect(log.contextAfter(count, (s) => events[s - 1] as never)).toEqual(Object.assign({}, ...mine.slice(0, count).map((e) => e.context)));
      }
    }
    // breakpoints scan the events from disk
    const bp = [breakOnEvent({ type: 'op', errno: 'EBUSY' })];
    expect(tl.findForward(bp, 1)).toEqual(Timeline.open(file).findForward(bp, 1));
    expect(tl.findBackward(bp, events.length)).toEqual(Timeline.open(file).findBackward(bp, events.length));
  });

  it('reads random logs with torn tails as a whole read does', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 0, max: 3 }), ({ spec, ops }, tear) => {
        const dir = tempDir();
        const file = path.join(dir, 'r.jsonl');
        writeLogFile(file, spec, unsequenced(logOf(ops, spec)), { createdAt: null });
        // a torn last line, or a batch that never committed
        if (tear === 1) fs.appendFileSync(file, '{"seq":99999,"ty');
        if (tear === 2) { const { events } = readLog(file); fs.appendFileSync(file, encodeRecordLine({ ...events[0]!, seq: events.length + 1 }, false)); }
        const whole = readLog(file);
        const tl = Timeline.openIndexed(file, { checkpointInterval: 16 });
        expect([...tl.events]).toEqual(whole.events);
        expect(tl.warnings).toEqual(whole.warnings);
        expect(tl.worldAt(tl.length)).toEqual(Timeline.open(file).worldAt(tl.length));
      }),
      { numRuns: 25 },
    );
  });

  it('fails on a corrupt file with the error a whole read gives', () => {
    const dir = tempDir();
    const { file } = bigLog(dir);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[1500] = lines[1500]!.replace(/"seq":1500,/, '"seq":1500 ,');
    fs.writeFileSync(file, lines.join('\n'));
    let whole: unknown;
    try { readLog(file); } catch (e) { whole = e; }
    expect(String(whole)).toMatch(/corrupt memhp log .*: line 1501 \(byte offset \d+\): checksum mismatch/);
    expect(() => Timeline.openIndexed(file)).toThrow((whole as Error).message);
  });

  it('names the file when it changed on disk since it was indexed, rather than read it wrong', () => {
    const dir = tempDir();
    const { file, events } = bigLog(dir);
    const tl = Timeline.openIndexed(file);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[2001] = lines[2001]!.replace(/"seq":2001,/, '"seq":2001 ,');
    fs.writeFileSync(file, lines.join('\n'));
    expect(() => tl.eventAt(2001)).toThrow(`memhp log ${file}: record 2001 (byte offset`);
    fs.truncateSync(file, 100);
    expect(() => tl.events.slice(events.length - 2)).toThrow(`memhp log ${file}: it is shorter than when it was read (it changed on disk): open it again`);
  });

  it('reads an older format version whole (its records are upcast knowing the ones before them)', () => {
    const fixture = path.resolve(import.meta.dirname, '../fixtures/log-v3.jsonl');
    const tl = Timeline.openIndexed(fixture, { checkpointInterval: 16 });
    expect(Array.isArray(tl.events)).toBe(true);
    expect([...tl.events]).toEqual(readLog(fixture).events);
    expect(tl.worldAt(tl.length)).toEqual(Timeline.open(fixture).worldAt(tl.length));
  });

  it('a fork at a past step shares the file and the index, and continues on its own', () => {
    const dir = tempDir();
    const { file, events } = bigLog(dir);
    const s = Session.openIndexed(file, { forkDir: dir });
    const at = events.findIndex((e, i) => i > 1500 && e.type === 'op');
    const r = s.apply({ op: 'touch', block: 70 }, at);
    expect(r.forked).toBeDefined();
    const fork = s.timeline;
    expect(fork.events.slice(0, at)).toEqual(events.slice(0, at));
    expect(readLog(r.forked!.logPath).events).toEqual([...fork.events]);
    const parentIdx = s.branches[0]!.timeline.index();
    expect(fork.index().seqs({ type: 'op' })).toEqual([...parentIdx.seqs({ type: 'op' }, at), r.events[0]!.seq]);
    for (const actor of fork.actors()) expect(fork.actorHistory(actor)).toEqual([...fork.events].filter((e) => e.type === 'transition' && e.actor === actor));
    expect(fork.worldAt(fork.length)).toEqual(Timeline.open(r.forked!.logPath).worldAt(fork.length));
    s.close();
  });
});

describe('forEachFileLine', () => {
  it('gives every line with its offset whatever the chunk size, and says when an unterminated rest is left', () => {
    const dir = tempDir();
    const file = path.join(dir, 'lines');
    const text = 'a\n\nbcdefghijklmnop\nq\nrstuvwxyz-long-line-longer-than-the-chunk\nend';
    fs.writeFileSync(file, text);
    const fd = fs.openSync(file, 'r');
    try {
      for (const chunk of [1, 2, 3, 7, 64]) {
        const got: Array<[string, number]> = [];
        const rest = forEachFileLine(fd, 0, text.length, (buf, pos, nl, at) => { got.push([buf.toString('utf8', pos, nl), at]); }, chunk);
        expect(got).toEqual([['a', 0], ['', 2], ['bcdefghijklmnop', 3], ['q', 19], ['rstuvwxyz-long-line-longer-than-the-chunk', 21]]);
        expect(rest).toBe(true);
      }
      expect(forEachFileLine(fd, 2, 21, () => {}, 4)).toBe(false);
    } finally {
      fs.closeSync(fd);
    }
  });
});
