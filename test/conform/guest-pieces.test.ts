/** The guest-side pieces that need no QEMU: the initramfs archive, observation parsing, errno texts, the generator. */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cpioNewc } from '../../src/conform/cpio.ts';
import { errnoFromMessage } from '../../src/conform/errno-text.ts';
import { generateSbmScenario, generateScenario } from '../../src/conform/generate.ts';
import { DIMM_SLOTS } from '../../src/conform/mapping.ts';
import { applyDelta, diffObs, faultLines, parseObs } from '../../src/conform/observation.ts';

/** Reads a newc archive back: name → { mode, data }. */
function readNewc(buf: Buffer): Map<string, { mode: number; data: string }> {
  const out = new Map<string, { mode: number; data: string }>();
  let off = 0;
  const pad = (n: number) => (n + 3) & ~3;
  for (;;) {
    expect(buf.subarray(off, off + 6).toString()).toBe('070701');
    const field = (i: number) => parseInt(buf.subarray(off + 6 + i * 8, off + 14 + i * 8).toString(), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = buf.subarray(off + 110, off + 110 + nameSize - 1).toString();
    const dataOff = pad(off + 110 + nameSize);
    if (name === 'TRAILER!!!') return out;
    out.set(name, { mode, data: buf.subarray(dataOff, dataOff + size).toString() });
    off = pad(dataOff + size);
  }
}

describe('initramfs archive (cpio newc)', () => {
  it('holds directories, files with their modes and symlinks, ended by the trailer', () => {
    const a = readNewc(gunzipSync(cpioNewc([
      { kind: 'dir', path: 'bin' },
      { kind: 'file', path: '/init', data: '#!/bin/sh\necho hi\n', mode: 0o755 },
      { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    ])));
    expect([...a.keys()]).toEqual(['bin', 'init', 'bin/sh']);
    expect(a.get('bin')!.mode).toBe(0o040755);
    expect(a.get('init')).toEqual({ mode: 0o100755, data: '#!/bin/sh\necho hi\n' });
    expect(a.get('bin/sh')).toEqual({ mode: 0o120777, data: 'busybox' });
  });
});

describe('observations', () => {
  const text = [
    'F\tdevices/system/memory/memory32/state\toffline',
    'F\tfirmware/memmap/7/type\tSystem RAM',
    'L\tdevices/system/memory/memory32/node0',
    'I\t100000000-11fffffff : System RAM',
    'I\t  140000000-147ffffff : System RAM (virtio_mem)',
    'Z\t0, Movable present\t32768',
    'D\tWARNING: CPU: 0 PID: 1 at mm/memory_hotplug.c:1 foo',
    'D\tvirtio_mem virtio0: plugged size: 0x0',
  ].join('\n');

  it('parse into keys the comparison uses, with the kernel log apart', () => {
    const { obs, dmesg } = parseObs(text);
    expect(obs).toEqual({
      'F devices/system/memory/memory32/state': 'offline',
      'F firmware/memmap/7/type': 'System RAM',
      'L devices/system/memory/memory32/node0': '1',
      'I 100000000-11fffffff': 'System RAM',
      'I 140000000-147ffffff': 'System RAM (virtio_mem) (depth 1)',
      'Z 0 Movable present': '32768',
    });
    expect(faultLines(dmesg)).toEqual(['WARNING: CPU: 0 PID: 1 at mm/memory_hotplug.c:1 foo']);
  });

  it('store as deltas that rebuild the same observation', () => {
    const a = { x: '1', y: '2', z: '3' };
    const b = { x: '1', y: '5', w: '4' };
    const d = diffObs(a, b);
    expect(d).toEqual({ set: { y: '5', w: '4' }, del: ['z'] });
    expect(applyDelta(a, d)).toEqual(b);
    expect(diffObs(a, a)).toEqual({});
  });
});

describe('errno from the shell message', () => {
  it.each([
    ['sh: write error: Invalid argument', 'EINVAL'],
    ['sh: write error: Device or resource busy', 'EBUSY'],
    ["_: line 0: can't create /sys/devices/system/memory/memory75/state: nonexistent directory", 'ENOENT'],
    ['sh: write error: Unknown error 524', 'ENOTSUPP'],
    ['something else', null],
  ])('%s → %s', (msg, errno) => expect(errnoFromMessage(msg)).toBe(errno));
});

describe('generated sequences', () => {
  it('are the same for the same seed, at most 12 operations, in the device-memory window', () => {
    for (let seed = 0; seed < 40; seed++) {
      const a = generateScenario({ era: '6.8', seed });
      expect(generateScenario({ era: '6.8', seed })).toEqual(a);
      expect(a.ops.length).toBeGreaterThan(0);
      expect(a.ops.length).toBeLessThanOrEqual(12);
      for (const op of a.ops) if ('start' in op) expect(op.start).toBeGreaterThanOrEqual(4 * 2 ** 30);
    }
    expect(generateScenario({ era: '6.8', seed: 1 })).not.toEqual(generateScenario({ era: '6.8', seed: 2 }));
  });

  it('give a DIMM added after an eject a slot no earlier DIMM of the sequence used (a refused eject keeps its slot in QEMU)', () => {
    let readds = 0;
    for (let seed = 0; seed < 200; seed++) {
      const used = new Set<string>();
      for (const op of generateScenario({ era: '6.8', seed }).ops) {
        if (op.op !== 'acpi_dimm_add') continue;
        if (used.size > 0 && used.size < DIMM_SLOTS) expect(used.has(op.device), `seed ${seed}: ${op.device} again`).toBe(false);
        if (used.size > 0) readds++;
        used.add(op.device);
      }
    }
    expect(readds).toBeGreaterThan(0);
  });

  it('for Sub Block Mode: virtio-mem devices with 2 MiB blocks, requested sizes in 2 MiB steps, the same for the same seed', () => {
    for (let seed = 0; seed < 40; seed++) {
      const a = generateSbmScenario({ era: '6.8', seed });
      expect(generateSbmScenario({ era: '6.8', seed })).toEqual(a);
      expect(a.ops[0]).toMatchObject({ op: 'virtio_mem_add', blockSize: 2 * 2 ** 20 });
      for (const op of a.ops) if (op.op === 'virtio_mem_add' || op.op === 'virtio_mem_resize') expect(op.requested % (2 * 2 ** 20)).toBe(0);
    }
  });
});
