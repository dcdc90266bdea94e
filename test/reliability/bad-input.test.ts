/**
 * Issue 13, points 2, 3 and 5: inputs that used to crash, hang, wrap or exhaust memory are
 * invalid input — exit 2, the file and the place (JSON path or line:column), no stack trace.
 * Most run in-process (helpers/in-process.ts); the ones about the process itself (a FIFO, a
 * pipe, Node's own warnings, the stack trace) run the real command.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeHeaderLine, LOG_FORMAT, LOG_VERSION } from '../../src/log/index.ts';
import { DEFAULT_PARAMS } from '../../src/scenario/defaults.ts';
import type { SystemSpec } from '../../src/kernel/types.ts';
import { BIN, memhp, REPO, tempDir } from '../cli/helpers.ts';
import { memhpInProcess } from './helpers/in-process.ts';

const dir = tempDir('memhp-rel-');
let n = 0;
function file(text: string, ext = 'json'): string {
  const f = path.join(dir, `in-${n++}.${ext}`);
  fs.writeFileSync(f, text);
  return f;
}
const json = (doc: unknown) => file(JSON.stringify(doc));

async function invalid(args: string[], place: string, why: RegExp | string) {
  const r = await memhpInProcess(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(place);
  if (typeof why === 'string') expect(r.stderr).toContain(why);
  else expect(r.stderr).toMatch(why);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return r;
}

describe('numbers past what the machine can have (point 2)', { timeout: 60_000 }, () => {
  it('block 2^32 + 64 is refused at its JSON path, never taken for block 64', async () => {
    const f = json({
      kernel: 'v2-2019',
      machine: { memoryBlockSize: '128M' },
      boot: [{ node: 0, size: '4G' }, { node: 1, size: '4G' }],
      ops: [{ op: 'add_memory', node: 0, start: '8G', size: '1G' }, { op: 'state', block: 4294967360, value: 'online' }],
    });
    for (const cmd of [['run', f], ['show', f, '--json'], ['check', f], ['run', f, '--actors', 'table']])
      await invalid(cmd, `${f}: ops[1].block: memory block 4294967360 cannot exist: x86_64 addresses 64T (MAX_PHYSMEM_BITS 46), blocks 0 to 524287 of 128M`, '');
  });

  it('the last block of the address space is a block (ENOENT until added); the next one is invalid input', async () => {
    const last = json({ machine: { memoryBlockSize: '128M' }, ops: [{ op: 'touch', block: 524287 }] });
    const r = await memhpInProcess(['run', last, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).ops.at(-1)).toMatchObject({ ret: -2, errno: 'ENOENT' });
    await invalid(['run', json({ machine: { memoryBlockSize: '128M' }, ops: [{ op: 'pin', block: 524288 }] })], 'ops[0].block: memory block 524288 cannot exist', '');
  });

  it('an add past the address space gets the kernel\'s errno (it checks)', async () => {
    // probe exists on x86 only with CONFIG_ARCH_MEMORY_PROBE (off by default)
    const f = json({ machine: { config: { ARCH_MEMORY_PROBE: true } }, ops: [{ op: 'add_memory', start: '4G', size: '4P' }, { op: 'probe', addr: '1P' }] });
    const r = await memhpInProcess(['run', f, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).ops.map((o: { errno: string }) => o.errno)).toEqual(['E2BIG', 'E2BIG']);
  });

  it('node 2^31 and possibleNodes 2^31 are refused (MAX_NUMNODES 1024)', async () => {
    const big = 2 ** 31;
    await invalid(['run', json({ ops: [{ op: 'add_memory', node: big, start: '8G', size: '128M' }] })], 'ops[0].node', `expected a node number (a whole number from 0 to 1023), got ${big}`);
    await invalid(['run', json({ machine: { possibleNodes: big } })], 'machine.possibleNodes', `expected a node count (a whole number from 1 to 1024), got ${big}`);
    await invalid(['run', json({ boot: [{ node: 0, size: '4G' }], machine: { possibleNodes: 1025 } })], 'machine.possibleNodes', 'from 1 to 1024');
    // the largest is fine
    expect((await memhpInProcess(['run', json({ machine: { possibleNodes: 1024 }, ops: [{ op: 'add_memory', node: 1023, start: '8G', size: '128M' }] })])).code).toBe(0);
  });
});

describe('machines the arch cannot have are refused before anything is allocated (point 3)', { timeout: 60_000 }, () => {
  it('boot.size 1P: past x86_64\'s 64 TiB', async () => {
    await invalid(['run', json({ boot: [{ node: 0, size: '1P' }] })], 'boot[0].size: boot memory would end at 1P, past the physical address space (x86_64 addresses 64T (MAX_PHYSMEM_BITS 46))', '');
  });

  it('boot memory that only adds up past the limit names the node that crosses it', async () => {
    await invalid(['run', json({ boot: [{ node: 0, size: '32T' }, { node: 1, size: '32T' }, { node: 2, size: '4G' }] })], 'boot[2].size: boot memory would end at', '');
  });

  it('memoryBlockSize 4P (and 128G) is more than any arch hands out', async () => {
    await invalid(['run', json({ machine: { memoryBlockSize: '4P' } })], 'machine.memoryBlockSize: memory block size 4P is larger than x86_64 allows (at most 64G)', '');
    await invalid(['run', json({ arch: 'ppc64-radix', machine: { memoryBlockSize: '128G' }, boot: [{ node: 0, size: '128G' }] })], 'machine.memoryBlockSize', 'larger than ppc64-radix allows');
  });

  it('a 1-byte boot node, and boot memory that is not whole blocks, are refused', async () => {
    await invalid(['run', json({ boot: [{ node: 0, size: 1 }, { node: 1, size: '4G' }] })], 'boot[0].size: 1 bytes of boot memory is not a whole number of 128M memory blocks', '');
    await invalid(['show', json({ boot: [{ node: 0, size: '4G' }, { node: 1, size: '4160M' }] })], 'boot[1].size', 'not a whole number of 128M memory blocks');
  });

  it('a log header with an impossible machine names line 1', async () => {
    const system: SystemSpec = {
      name: 'x', kernel: '6.8', arch: 'x86_64',
      machine: { hypervisor: true, sparsemem: 'vmemmap', memoryBlockSize: 3 },
      boot: [{ node: 0, size: 4 * 2 ** 30, used: 0, maxFreeOrder: 10 }],
      params: { ...DEFAULT_PARAMS },
    };
    const log = file(encodeHeaderLine({ format: LOG_FORMAT, version: LOG_VERSION, system }), 'jsonl');
    for (const cmd of ['replay', 'show', 'check', 'step'])
      await invalid([cmd, log], `corrupt memhp log ${log}: line 1 (byte offset 0): impossible machine: system.machine.memoryBlockSize: memory block size 3 not suitable`, '');
    const huge = file(encodeHeaderLine({ format: LOG_FORMAT, version: LOG_VERSION, system: { ...system, machine: { ...system.machine, memoryBlockSize: 2 ** 27 }, boot: [{ ...system.boot[0]!, size: 2 ** 50 }] } }), 'jsonl');
    await invalid(['replay', huge], `${huge}: line 1 (byte offset 0): impossible machine: system.boot[0].size: boot memory would end at 1P`, '');
  });
});

describe('documents that used to overflow the stack or exhaust memory (point 5)', { timeout: 60_000 }, () => {
  it('10,000 nested objects and 5,000 nested arrays in JSON: line and column', async () => {
    await invalid(['run', file(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`)], ':1:321: invalid JSON: nested more than 64 levels deep', '');
    await invalid(['run', file(`{"ops":${'['.repeat(5000)}${']'.repeat(5000)}}`)], ':1:71: invalid JSON: nested more than 64 levels deep', '');
  });

  it('deep YAML, block and flow style: line and column', async () => {
    await invalid(['run', file(`ops: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 'yaml')], 'invalid YAML: nested more than 64 levels deep', /\.yaml:\d+:\d+: /);
    const block = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + `\n${' '.repeat(200)}1\n`;
    await invalid(['run', file(block, 'yaml')], ':65:65: invalid YAML: nested more than 64 levels deep', '');
  });

  it('a YAML alias bomb is refused naming the limit and the first alias', async () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const f = file(`${lines.join('\n')}\n`, 'yaml');
    await invalid(['run', f], `${f}:2:10: invalid YAML: its aliases expand to more than 1000 nodes (memhp's limit on YAML aliases`, '');
  });

  it('a valid YAML scenario with 150 aliases is fine', async () => {
    const ops = Array.from({ length: 150 }, () => '  - *touch').join('\n');
    const f = file(`boot:\n  - node: 0\n    size: 4G\ndefs: &touch { op: touch, block: 1 }\nops:\n${ops}\n`, 'yaml');
    const r = await memhpInProcess(['run', f]);
    // `defs` is not a scenario field: the schema says so (the aliases themselves were read)
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}: defs: unknown field`);
    const g = file(`ops:\n  - &touch { op: touch, block: 1 }\n${Array.from({ length: 149 }, () => '  - *touch').join('\n')}\n`, 'yaml');
    const ok = await memhpInProcess(['run', g, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).ops).toHaveLength(150);
  });
});

describe('the process itself (real runs)', { timeout: 120_000 }, () => {
  it('a YAML complex key: exit 2 with line:col, and no stray Node warning', async () => {
    const f = file('? [a, b]\n: 1\nops: []\n', 'yaml');
    const r = await memhp(['run', f]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`memhp: ${f}:1:3: invalid YAML: a key must be a plain name, not a sequence (scenario fields are named by strings)`);
  });

  it('a FIFO that nothing writes to is refused within about a second; one that is written to is read', async () => {
    const fifo = path.join(dir, 'log.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await memhp(['replay', fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`memhp: ${fifo}: cannot read: a FIFO or pipe that nothing wrote to within 1 s (memhp reads a log or scenario from a pipe only while something writes to it)`);

    const log = path.join(dir, 'fifo-source.jsonl');
    expect((await memhp(['run', path.join(REPO, 'scenarios/seed-reviewer-guard.json'), '--log', log])).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'replay', fifo, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    fs.writeFileSync(fifo, fs.readFileSync(log)); // blocks until the reader has opened it
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(out).ops.length).toBeGreaterThan(1);
  });

  it('a log through a pipe (replay <(cat log)) is read as a stream', async () => {
    const log = path.join(dir, 'pipe-source.jsonl');
    expect((await memhp(['run', path.join(REPO, 'scenarios/seed-reviewer-guard.json'), '--log', log])).code).toBe(0);
    const out = execFileSync('bash', ['-c', `"${process.execPath}" "${BIN}" replay <(cat "${log}") --json`], { encoding: 'utf8' });
    const direct = await memhp(['replay', log, '--json']);
    expect({ ...JSON.parse(out), log: log }).toEqual(JSON.parse(direct.stdout));
  });
});
