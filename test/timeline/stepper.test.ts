/**
 * `memhp step` driven through a pipe: the real CLI in a child process
 * (bin/memhp.js, or the helper program if main.ts does not register step),
 * line commands on stdin, plain lines on stdout. The key mode is driven
 * with real streams.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runStepper } from '../../src/cli/step.ts';
import { writeLogFile } from '../../src/log/index.ts';
import { Timeline } from '../../src/timeline/index.ts';
import { SPEC_V2, STORY, storyLog } from './helpers/logs.ts';
import { runCli } from './helpers/spawn.ts';

let dir: string;
let log: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memhp-step-'));
  log = path.join(dir, 'story.memhp');
  writeLogFile(log, SPEC_V2, storyLog(), { createdAt: null });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const T = { timeout: 30_000 };

describe('memhp step over a pipe', () => {
  test('steps, seeks, shows a block, watches, breaks and quits', T, async () => {
    const script = ['n', 'n', 'p', `seek ${STORY.memory65Online}`, 'block 65', 'watch blocks[66].state', 'break actor=memory65', 'seek 0', 'c', 'c', 'c', 'rc', 'q', 'n'].join('\n');
    const r = await runCli(['step', log], `${script}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 6)).toEqual([
      `${log}: ${STORY.tainted} events`,
      `step 0/${STORY.tainted}  (before the first event)`,
      `step 1/${STORY.tainted}  #1 op boot -> 0`,
      `step 2/${STORY.tainted}  #2 transition hotplug absent -> running (BOOT)`,
      `step 1/${STORY.tainted}  #1 op boot -> 0`,
      `step ${STORY.memory65Online}/${STORY.tainted}  #${STORY.memory65Online} transition memory65 offline -> online (ONLINE)`,
    ]);
    const block = JSON.parse(lines[6]!.replace(/^memory65 /, ''));
    expect(block).toMatchObject({ id: 65, state: 'online', zone: 'Movable', node: 0 });
    expect(lines[7]).toMatch(/^ {2}section65 \{"nr":65,"state":"present"/);
    expect(lines.slice(8)).toEqual([
      '1: watch blocks[66].state (now "offline")',
      '2: break actor=memory65',
      `step 0/${STORY.tainted}  (before the first event)`,
      'hit 2: break actor=memory65',
      `step ${STORY.memory65Added}/${STORY.tainted}  #${STORY.memory65Added} transition memory65 absent -> offline (ADD)`,
      'hit 1: watch blocks[66].state: none -> "offline"',
      `step 271/${STORY.tainted}  #271 transition memory66 absent -> offline (ADD)`,
      'hit 2: break actor=memory65',
      `step ${STORY.memory65Online}/${STORY.tainted}  #${STORY.memory65Online} transition memory65 offline -> online (ONLINE)`,
      'hit 1: watch blocks[66].state: none -> "offline"',
      `step 271/${STORY.tainted}  #271 transition memory66 absent -> offline (ADD)`,
    ]);
  });

  test('predicates, lastWrite, history and diff', T, async () => {
    const script = ['break when faults.length > 0', 'c', 'print sections[65].memmapLost', 'last vmemmap[0x200000].refcount', 'history memory65', 'diff 300 301', 'delete', 'c'].join('\n');
    const r = await runCli(['step', log], script);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').slice(2)).toEqual([
      '1: break when faults.length > 0',
      'hit 1: break when faults.length > 0',
      `step ${STORY.fault}/${STORY.tainted}  #${STORY.fault} fault memmap-in-removed-memory section 65 block 65 (touch): BUG: unable to handle page fault: touch of memory65 reads the struct pages of section 65, which lived in removed memory [mem 0x200000000-0x207ffffff]`,
      'sections[65].memmapLost = true',
      `vmemmap[0x200000].refcount: 8 -> 7 at step ${STORY.vmemmapPut}  #${STORY.vmemmapPut} vmemmap put head pfn 0x200000 nr_pages=4096 refcount=7`,
      `#${STORY.memory65Added} transition memory65 absent -> offline (ADD)`,
      `#${STORY.memory65Online} transition memory65 offline -> online (ONLINE)`,
      // the resource release of the removed block trims the System RAM resource of the 1 GiB add (release_mem_region_adjustable())
      'iomem[2].start: 8589934592 -> 8724152320',
      'deleted all breakpoints',
      'reached the end of the log',
      `step ${STORY.tainted}/${STORY.tainted}  #${STORY.tainted} transition hotplug running -> tainted (OOPS)`,
    ]);
  });

  test('an invariant breakpoint stops after the operation that breaks one', T, async () => {
    const r = await runCli(['step', log], 'break invariant\nc\n');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[3]).toMatch(/^hit 1: break invariant \(\d+ violations?\)$/);
    expect(lines.at(-1)).toBe(`step ${STORY.touchOp - 1}/${STORY.tainted}  #${STORY.touchOp - 1} resource release [0x200000000+0x8000000]`);
  });

  test('a bad command prints an error, the session goes on, and the exit status is 2', T, async () => {
    const r = await runCli(['step', log, '--at', 'end'], 'seek 99999\nbreak actor\nwatch blocks[66\nbogus\np\n');
    expect(r.code).toBe(2);
    expect(r.stdout.trimEnd().split('\n').slice(1)).toEqual([
      `step ${STORY.tainted}/${STORY.tainted}  #${STORY.tainted} transition hotplug running -> tainted (OOPS)`,
      `error: expected a step 0..${STORY.tainted}, got "99999"`,
      'error: break: expected FIELD=VALUE with FIELD one of actor, type, machine, event, from, to, op, errno, "when PREDICATE" or "invariant"; got "actor"',
      'error: expected ] at column 10 of "blocks[66"',
      'error: unknown command "bogus" (help lists the commands)',
      `step ${STORY.fault}/${STORY.tainted}  #${STORY.fault} fault memmap-in-removed-memory section 65 block 65 (touch): BUG: unable to handle page fault: touch of memory65 reads the struct pages of section 65, which lived in removed memory [mem 0x200000000-0x207ffffff]`,
    ]);
  });

  test('a missing or corrupt log is a clear error and exit 2', T, async () => {
    const missing = await runCli(['step', path.join(dir, 'nope.memhp')], 'q\n');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.memhp');
    const corrupt = path.join(dir, 'corrupt.memhp');
    const text = fs.readFileSync(log, 'utf8').split('\n');
    text[5] = text[5]!.replace('"transition"', '"transitoin"');
    fs.writeFileSync(corrupt, text.join('\n'));
    const bad = await runCli(['step', corrupt], 'q\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('corrupt.memhp');
    expect(bad.stdout).toBe('');
  });
});

describe('key mode', () => {
  test('single keys step, prompt for a seek and quit', async () => {
    const tl = Timeline.open(log);
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const done = runStepper(tl, input, output, { interactive: true });
    input.write('n');
    input.write('\x1b[C'); // right arrow
    input.write('p');
    input.write('g');
    input.write('2899');
    input.write('\x7f'); // backspace: 289
    input.write('\r');
    input.write('q');
    await done;
    expect(tl.cursor).toBe(STORY.memory65Online + 1);
    expect(text).toContain(`step 2/${STORY.tainted}`);
    expect(text).toContain(`seek to step: 2899\b \b\nstep ${STORY.memory65Online + 1}/${STORY.tainted}`);
  });
});
