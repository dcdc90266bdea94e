/** fork(n): a new log continues live from a past step; the original file is untouched. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { replay } from '../../src/engine/replay.ts';
import { tableValues } from '../../src/engine/table.ts';
import { LiveGate } from '../../src/engine/gate.ts';
import { readLog, writeLogFile } from '../../src/log/index.ts';
import { Timeline, type Fork } from '../../src/timeline/index.ts';
import { SPEC_V2, STORY, storyLog } from './helpers/logs.ts';

let dir: string;
let original: string;
const forks: Fork[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memhp-fork-'));
  original = path.join(dir, 'story.memhp');
  writeLogFile(original, SPEC_V2, storyLog(), { createdAt: null });
});
afterEach(() => {
  for (const f of forks.splice(0)) f.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function liveStates(f: Fork): Map<string, string> {
  const gate = f.system.gate as LiveGate;
  return new Map([...gate.actors].map(([id, a]) => [id, String(a.getSnapshot().value)]));
}

describe('fork', () => {
  test('the new log holds events 1..n and continues with new operations; the original is byte-for-byte the same', () => {
    const before = fs.readFileSync(original);
    const statBefore = fs.statSync(original);
    const tl = Timeline.open(original);
    const forked = path.join(dir, 'forked.memhp');
    const f = tl.fork(STORY.memory65Online + 2, forked, { createdAt: null });
    forks.push(f);
    const r = f.system.apply({ op: 'state', block: 65, value: 'offline' });
    expect(r.ret).toBe(0);
    f.close();
    forks.length = 0;

    expect(fs.readFileSync(original).equals(before)).toBe(true);
    expect(fs.statSync(original).mtimeMs).toBe(statBefore.mtimeMs);
    expect(tl.length).toBe(readLog(original).events.length);

    const read = readLog(forked);
    const n = STORY.memory65Online + 2;
    expect(read.events.slice(0, n)).toEqual(tl.events.slice(0, n));
    const rest = read.events.slice(n);
    expect(rest[0]).toMatchObject({ seq: n + 1, type: 'op', op: { op: 'state', block: 65, value: 'offline' }, ret: 0 });
    expect(rest.some((e) => e.type === 'transition' && e.actor === 'memory65' && e.to === 'offline')).toBe(true);
    // The forked log is a valid timeline of its own.
    const ft = Timeline.open(forked);
    ft.seek(ft.length);
    expect(ft.view().blocks.find((b) => b.id === 65)!.state).toBe('offline');
  });

  test('live actors are rehydrated in the states of the step forked from', () => {
    const tl = Timeline.open(original);
    for (const n of [STORY.memory64GoingOffline, STORY.memory64Removed, STORY.tainted]) {
      const f = tl.fork(n, path.join(dir, `at-${n}.memhp`));
      forks.push(f);
      const world = replay(SPEC_V2, tl.events.slice(), n);
      const expected = new Map<string, string>([
        ...[...tableValues(world.blocks)].map((b) => [`memory${b.id}`, b.state] as [string, string]),
        ...[...tableValues(world.sections)].map((s) => [`section${s.nr}`, s.state] as [string, string]),
      ]);
      const live = liveStates(f);
      live.delete('hotplug');
      expect(live).toEqual(expected);
      expect(f.system.world).toEqual(world);
    }
    const atGoingOffline = liveStates(forks[0]!);
    expect(atGoingOffline.get('memory64')).toBe('going-offline');
    expect(liveStates(forks[1]!).has('memory64')).toBe(false);
    expect(liveStates(forks[2]!).get('hotplug')).toBe('tainted');
  });

  test('a live actor refuses what its machine refuses after the fork', () => {
    const tl = Timeline.open(original);
    const f = tl.fork(STORY.memory65Online, path.join(dir, 'f.memhp'));
    forks.push(f);
    // memory65 is online in the fork: onlining it again fails like the kernel (-EINVAL) and changes nothing
    const r = f.system.apply({ op: 'state', block: 65, value: 'online_movable' });
    expect(r.ret).toBeLessThan(0);
    expect(liveStates(f).get('memory65')).toBe('online');
  });

  test('forking onto an existing file is refused and leaves it alone', () => {
    const tl = Timeline.open(original);
    const before = fs.readFileSync(original);
    expect(() => tl.fork(10, original)).toThrow('already exists');
    expect(fs.readFileSync(original).equals(before)).toBe(true);
  });
});
