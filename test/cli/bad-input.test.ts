/**
 * Invalid input exits 2 with a message naming the place (file and JSON
 * path, file:line:column, log line, option); a bad command line too.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memhp, scenario, tempDir } from './helpers.ts';

const dir = tempDir();
const seed = () => JSON.parse(readFileSync(scenario('seed-reviewer-guard.json'), 'utf8'));
function writeScenario(name: string, mutate: (s: any) => void): string {
  const s = seed();
  mutate(s);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(s, null, 2));
  return file;
}

describe('invalid input → exit 2, naming the place', { timeout: 120_000 }, () => {
  it('a bad size names the file and the JSON path', async () => {
    const file = writeScenario('bad-size.json', (s) => (s.ops[3] = { op: 'remove_memory', start: '8G', size: '12Q' }));
    const r = await memhp(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: ops[3].size: "12Q" is not a size`);
    expect(r.stdout).toBe('');
  });

  it('an unknown operation names its path', async () => {
    const file = writeScenario('unknown-op.json', (s) => (s.ops[1] = { op: 'explode', block: 64 }));
    const r = await memhp(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file}: ops\\[1\\]\\.op: "explode" is not an operation`));
  });

  it('invalid JSON names file:line:column', async () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(file, '{\n  "kernel": "6.8",\n  "ops": [ { "op": "touch" "block": 1 } ]\n}\n');
    const r = await memhp(['show', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file}:3:\\d+: invalid JSON`));
  });

  it('a missing file is named', async () => {
    for (const cmd of [['run'], ['show'], ['replay'], ['sysfs', 'export']]) {
      const missing = join(dir, 'nope.json');
      const r = await memhp([...cmd, missing, ...(cmd[0] === 'sysfs' ? [join(dir, 'out')] : [])]);
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.stderr).toContain(`${missing}: no such file`);
    }
  });

  it('a corrupt log line is named by line number, and nothing is printed as if it were fine', async () => {
    const log = join(dir, 'good.jsonl');
    expect((await memhp(['run', scenario('seed-reviewer-guard.json'), '--log', log])).code).toBe(0);
    const lines = readFileSync(log, 'utf8').split('\n');
    // Damage one record in the middle: its checksum no longer matches.
    lines[6] = lines[6]!.replace('"type":"transition"', '"type":"transition" ');
    const bad = join(dir, 'corrupt.jsonl');
    writeFileSync(bad, lines.join('\n'));
    for (const cmd of [['replay', bad], ['show', bad], ['replay', bad, '--verify']]) {
      const r = await memhp(cmd);
      expect(r.code, cmd.join(' ')).toBe(2);
      expect(r.stderr).toContain(`corrupt memhp log ${bad}: line 7`);
      expect(r.stdout).toBe('');
    }
  });

  it('replay of a file that is no memhp log says so, naming the file', async () => {
    const file = join(dir, 'notes.jsonl');
    writeFileSync(file, '{"format":"something-else"}\n');
    const r = await memhp(['replay', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: is not a memhp log`);
  });

  it('bad --at / --to values name the option', async () => {
    const s = scenario('seed-reviewer-guard.json');
    let r = await memhp(['show', s, '--at', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--at: "soon" is not a step');
    r = await memhp(['show', s, '--at', '100000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--at: 100000 is past the end \(the last event is \d+\)/);
  });

  it('an existing --log file is never overwritten', async () => {
    const log = join(dir, 'exists.jsonl');
    writeFileSync(log, 'precious\n');
    const r = await memhp(['run', scenario('seed-reviewer-guard.json'), '--log', log]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--log ${log}: the file exists`);
    expect(readFileSync(log, 'utf8')).toBe('precious\n');
    expect(r.stdout).toBe(''); // refused before anything ran
    const nowhere = join(dir, 'no-such-dir', 'x.jsonl');
    const r2 = await memhp(['run', scenario('seed-reviewer-guard.json'), '--log', nowhere]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`--log ${nowhere}: the directory`);
  });

  it('geometry the simulator cannot lay out names the file', async () => {
    const file = writeScenario('geometry.json', (s) => (s.machine.memoryBlockSize = '64M'));
    const r = await memhp(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
  });

  it('command-line mistakes exit 2', async () => {
    for (const args of [['frobnicate'], ['run'], ['show', scenario('seed-reviewer-guard.json'), '--bogus'], ['run', scenario('seed-reviewer-guard.json'), '--actors', 'maybe']]) {
      const r = await memhp(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toBe('');
    }
  });

  it('refuses to replace a sys/ directory it did not write', async () => {
    const target = join(dir, 'root');
    const r0 = await memhp(['sysfs', 'export', scenario('seed-reviewer-guard.json'), target]);
    expect(r0.code).toBe(0);
    const other = join(dir, 'other');
    copyFileSync(scenario('seed-reviewer-guard.json'), join(dir, 'x.json'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(other, 'sys'), { recursive: true });
    writeFileSync(join(other, 'sys', 'mine'), 'not memhp');
    const r = await memhp(['sysfs', 'export', join(dir, 'x.json'), other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('was not written by memhp');
    expect(readFileSync(join(other, 'sys', 'mine'), 'utf8')).toBe('not memhp');
  });
});
