/**
 * What a first-time reader of the README trips over: the per-op change
 * summary in the events' order, op headings that say which events to pass to
 * `show --at`, `show --json` in the README's { ops, world } shape, a torn log
 * announced by every reader (check too), and `start --json --strict`.
 */
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memhp, memhpJson, scenario, tempDir } from './helpers.ts';

const dir = tempDir();
const PARTIAL = scenario('seed-reviewer-partial-remove.json');

/** The indented change lines under the heading that starts with `heading`. */
function changesUnder(out: string, heading: string): string[] {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l.startsWith(heading));
  expect(at, `no line starts with ${heading}`).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(at + 1);
  const end = rest.findIndex((l) => !l.startsWith('    '));
  return rest.slice(0, end < 0 ? rest.length : end).map((l) => l.trim());
}

describe('what changed, in the order it happened', { timeout: 180_000 }, () => {
  it('boot tells node 0 then node 1: no section leaves a state before the line where it entered it', async () => {
    const r = await memhp(['run', PARTIAL]);
    expect(r.code).toBe(0);
    const boot = changesUnder(r.stdout, '[boot]');
    const idx = (line: string) => {
      const i = boot.findIndex((l) => l.startsWith(line));
      expect(i, `missing: ${line}\n${boot.join('\n')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(idx('section 0-31: absent → present')).toBeLessThan(idx('section 0-31: present → online'));
    expect(idx('node 1: online')).toBeLessThan(idx('section 32-63: absent → present'));
    expect(idx('section 32-63: absent → present')).toBeLessThan(idx('section 32-63: present → online'));
    expect(idx('node 1: online')).toBeLessThan(idx('memory32-63: absent → offline'));
    expect(boot.some((l) => l.startsWith('section 0-63'))).toBe(false);
  });

  it('the puts of one vmemmap head during one removal are one line', async () => {
    const r = await memhp(['run', scenario('seed-device-1g.json')]);
    expect(r.code).toBe(0);
    const remove = changesUnder(r.stdout, '[17] remove_memory');
    expect(remove).toContain('vmemmap put: head pfn 0x200000, sections 64-71 gone → refcount 0');
    expect(remove.filter((l) => l.startsWith('vmemmap put'))).toHaveLength(1);
    expect(remove.indexOf('vmemmap put: head pfn 0x200000, sections 64-71 gone → refcount 0')).toBeLessThan(
      remove.indexOf('vmemmap free: head pfn 0x200000, 4096 pages released'),
    );
  });
});

describe('op headings and show --at', { timeout: 180_000 }, () => {
  it('a heading names the op\'s events; show --at its last event is the world after the op', async () => {
    const run = await memhpJson(['run', PARTIAL]);
    const remove = run.ops[4];
    expect(remove.op).toBe('remove_memory');
    expect(remove.lastSeq).toBeGreaterThan(remove.seq);
    const human = await memhp(['run', PARTIAL]);
    expect(human.stdout).toContain(`[4] remove_memory start=8G size=128M → 0  (events ${remove.seq}-${remove.lastSeq})`);
    // An op with a single event says so in the singular.
    const touch = run.ops[5];
    const touchHeading = human.stdout.split('\n').find((l) => l.startsWith('[5] touch'))!;
    expect(touchHeading).toMatch(touch.lastSeq > touch.seq ? `(events ${touch.seq}-${touch.lastSeq})` : `(event ${touch.seq})`);

    const after = await memhpJson(['show', PARTIAL, '--at', String(remove.lastSeq)]);
    expect(after.world.blocks.find((b: any) => b.id === 64)).toBeUndefined();
    const during = await memhpJson(['show', PARTIAL, '--at', String(remove.seq)]);
    expect(during.world.blocks.find((b: any) => b.id === 64)).toMatchObject({ state: 'offline' });
  });

  it('show --json carries { ops, world } like run and replay, ops up to the step', async () => {
    const run = await memhpJson(['run', PARTIAL]);
    const all = await memhpJson(['show', PARTIAL]);
    expect(all.ops).toEqual(run.ops);
    expect(all.world).toEqual(run.world);
    const upTo = await memhpJson(['show', PARTIAL, '--at', String(run.ops[4].lastSeq)]);
    expect(upTo.ops).toEqual(run.ops.slice(0, 5));
    const beforeAll = await memhpJson(['show', PARTIAL, '--at', '0']);
    expect(beforeAll.ops).toEqual([]);
  });
});

describe('a torn log is announced by every reader', { timeout: 180_000 }, () => {
  it('check, bisect and show all warn (memhp: warning: …) and work on what survived', async () => {
    const log = join(dir, 'torn.jsonl');
    await memhpJson(['run', PARTIAL, '--log', log]);
    // Cut into the last operation's batch: the touch that faults is gone.
    truncateSync(log, readFileSync(log).length - 40);

    const check = await memhp(['check', log]);
    expect(check.code).toBe(1); // the orphaned vmemmap is still there: the remove survived
    expect(check.stderr).toMatch(/^memhp: warning: .*torn tail/m);

    const bisect = await memhp(['bisect', log, '--until', 'tainted']);
    expect(bisect.code).toBe(1); // the oops was in the torn batch
    expect(bisect.stderr).toMatch(/^memhp: warning: .*torn tail/m);

    const show = await memhp(['show', log]);
    expect(show.code).toBe(0);
    expect(show.stderr).toMatch(/^memhp: warning: .*torn tail/m);
  });
});

describe('memhp start --json --strict', { timeout: 180_000 }, () => {
  it('prints its JSON object even when --strict fails (exit 1)', async () => {
    const r = await memhp(['start', '--no-inspect', '--json', '--strict', '--log-dir', join(dir, 'start')]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ops[5]).toMatchObject({ op: 'touch', errno: 'EFAULT' });
    expect(r.stderr).toContain('--strict: 1 operation returned a kernel error: ops[5] touch → -EFAULT');
  });
});

describe('log-only commands given something else', { timeout: 180_000 }, () => {
  it('replay, step and bisect name a scenario as a scenario (not a corrupt log), a missing file and a directory', async () => {
    const s = scenario('seed-device-1g.json');
    const missing = join(dir, 'nope.jsonl');
    for (const cmd of [['replay'], ['step'], ['bisect', '--until', 'tainted']]) {
      const [name, ...rest] = cmd;
      const onScenario = await memhp([name!, s, ...rest]);
      expect(onScenario.code, `${name} scenario`).toBe(2);
      expect(onScenario.stderr).toContain(`${s}: is not a memhp log`);
      expect(onScenario.stderr).toContain(`memhp run ${s} --log out.jsonl`);
      expect(onScenario.stderr).not.toContain('corrupt');

      const onMissing = await memhp([name!, missing, ...rest]);
      expect(onMissing.code, `${name} missing`).toBe(2);
      expect(onMissing.stderr).toContain(`${missing}: no such file`);

      const onDir = await memhp([name!, dir, ...rest]);
      expect(onDir.code, `${name} directory`).toBe(2);
      expect(onDir.stderr).toContain(`${dir}: is a directory`);
    }
  });
});

describe('sysfs export to a path that is a file', { timeout: 180_000 }, () => {
  it('names the path and exits 2 (was a raw EEXIST, exit 1)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory\n');
    const s = scenario('seed-reviewer-guard.json');
    const onFile = await memhp(['sysfs', 'export', s, file]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain(`${file}: is a file, not a directory`);
    const below = await memhp(['sysfs', 'export', s, join(file, 'sub')]);
    expect(below.code).toBe(2);
    expect(below.stderr).toContain(`${join(file, 'sub')}: part of this path is a file`);
    expect(readFileSync(file, 'utf8')).toBe('not a directory\n');
  });
});
