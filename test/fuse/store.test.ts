/**
 * The kernel's parsing at run time (src/kernel/parse.ts, src/engine/ops/store.ts):
 * raw `write` ops and the typed ops' string values get the store function's errno,
 * are recorded in the log, and leave the world as it was.
 */
import { describe, expect, it } from 'vitest';
import { kstrtobool, kstrtoll, kstrtoull, kstrtouint, onlineTypeFromStr, sysfsStreq } from '../../src/kernel/parse.ts';
import { replay, toView, type Op } from '../../src/index.ts';
import { add, boot, GiB, MiB, ok } from '../core/helpers.ts';

describe('lib/string.c and lib/kstrtox.c', () => {
  it('sysfs_streq ignores one trailing newline and is case-sensitive', () => {
    expect(sysfsStreq('online', 'online\n')).toBe(true);
    expect(sysfsStreq('online\n', 'online')).toBe(true);
    expect(sysfsStreq('online', 'online\n\n')).toBe(false);
    expect(sysfsStreq('online', 'Online')).toBe(false);
    expect(onlineTypeFromStr('online_movable\n')).toEqual({ ok: true, value: 'online_movable' });
    expect(onlineTypeFromStr('onlinee').ok).toBe(false);
    expect(onlineTypeFromStr(' online').ok).toBe(false);
  });

  it('kstrtobool looks at the first character (the second for on/off)', () => {
    for (const t of ['1', 'y', 'Y', 'yes', 'on', 'ON', 'y\n', 'yellow']) expect(kstrtobool(t)).toEqual({ ok: true, value: true });
    for (const f of ['0', 'n', 'N', 'no', 'off', 'oFf\n']) expect(kstrtobool(f)).toEqual({ ok: true, value: false });
    for (const bad of ['', '2', 'true', 'false', 'o', 'ox', ' 1']) expect(kstrtobool(bad).ok).toBe(false);
  });

  it('kstrtoull: base 0 takes 0x and octal, one trailing newline, nothing else', () => {
    expect(kstrtoull('0x240000000\n', 0)).toEqual({ ok: true, value: 0x240000000n });
    expect(kstrtoull('010', 0)).toEqual({ ok: true, value: 8n });
    expect(kstrtoull('+12', 10)).toEqual({ ok: true, value: 12n });
    expect(kstrtoull('0x', 0).ok).toBe(false);
    expect(kstrtoull('12 ', 10).ok).toBe(false);
    expect(kstrtoull('12\n\n', 10).ok).toBe(false);
    expect(kstrtoull('-1', 10).ok).toBe(false);
    expect(kstrtoull('0x1ffffffffffffffff', 0)).toMatchObject({ ok: false, errno: 'ERANGE' });
    expect(kstrtouint('4294967296', 0)).toMatchObject({ ok: false, errno: 'ERANGE' });
    expect(kstrtoll('-12\n', 0)).toEqual({ ok: true, value: -12n });
  });
});

describe('raw sysfs writes through the engine', () => {
  const start = 8 * GiB;
  const first = start / (128 * MiB);

  function system() {
    // x86 has the probe file only with CONFIG_ARCH_MEMORY_PROBE (a distribution leaves it off)
    const s = boot({ kernel: '6.8', machine: { config: { ARCH_MEMORY_PROBE: true } }, params: { auto_online_blocks: 'offline' } });
    ok(s, add(start, GiB));
    return s;
  }

  it('state: the written string with its newline onlines; a redundant or garbage one is -EINVAL and changes nothing but the stored online type', () => {
    const s = system();
    const w = (path: string, value: string): Op => ({ op: 'write', path, value });
    expect(s.apply(w(`devices/system/memory/memory${first}/state`, 'online_movable\n')).ret).toBe(0);
    expect(toView(s.world).blocks.find((b) => b.id === first)).toMatchObject({ state: 'online', zone: 'Movable' });
    const before = JSON.stringify(s.view());
    for (const v of ['online\n', 'onlinee\n', 'Online\n', '']) {
      const r = s.apply(w(`devices/system/memory/memory${first}/state`, v));
      expect(r.errno, JSON.stringify(v)).toBe('EINVAL');
    }
    // the failed ops are in the log; the world's blocks and zones are as before, but for the
    // online type the redundant "online" left behind: state_store() stores mem->online_type
    // before device_online() finds the block online (drivers/base/memory.c; docs/kernel-model.md §4.4)
    const after = s.view();
    const expected = JSON.parse(before);
    expected.blocks.find((b: { id: number }) => b.id === first).onlineType = 'online';
    expect(JSON.stringify({ ...after, seq: 0 })).toBe(JSON.stringify({ ...expected, seq: 0 }));
    const ops = s.events.filter((e) => e.type === 'op');
    expect(ops.slice(-4).map((e) => e.type === 'op' && e.errno)).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL']);
    expect(JSON.stringify(toView(replay(s.spec, s.events)))).toBe(JSON.stringify(after));
  });

  it('the typed state op takes the kernel\'s verdict too: "Online" is -EINVAL at run time', () => {
    const s = system();
    expect(s.apply({ op: 'state', block: first, value: 'Online' }).errno).toBe('EINVAL');
    expect(s.apply({ op: 'state', block: first, value: 'online\n' }).ret).toBe(0);
    expect(s.apply({ op: 'online', block: first, value: 'yes' }).ret).toBe(0); // kstrtobool: redundant online is success
    expect(s.apply({ op: 'online', block: first, value: '2' }).errno).toBe('EINVAL');
    expect(s.apply({ op: 'set', param: 'online_policy', value: 'auto_movable' }).errno).toBe('EINVAL');
    expect(s.apply({ op: 'set', param: 'auto_movable_ratio', value: '0x20\n' }).ret).toBe(0);
    expect(s.view().params.auto_movable_ratio).toBe(32);
    expect(s.apply({ op: 'set', param: 'auto_online_blocks', value: 'online_movable\n' }).ret).toBe(0);
  });

  it('files: missing is -ENOENT, read-only -EACCES, a directory -EISDIR; probe parses hex; debugfs error clamps', () => {
    const s = system();
    const w = (path: string, value: string) => s.apply({ op: 'write', path, value });
    expect(w('devices/system/memory/memory9999/state', 'online').errno).toBe('ENOENT');
    expect(w(`devices/system/memory/memory${first}/phys_index`, '0').errno).toBe('EACCES');
    expect(w('module/memory_hotplug/parameters/memmap_on_memory', 'Y').errno).toBe('EACCES');
    expect(w(`devices/system/memory/memory${first}`, 'x').errno).toBe('EISDIR');
    expect(w('devices/system/memory/probe', '0x240000000x').errno).toBe('EINVAL');
    expect(w('devices/system/memory/probe', '0x400000000\n').ret).toBe(0);
    expect(s.view().blocks.some((b) => b.id === 0x400000000 / (128 * MiB))).toBe(true);
    expect(w('kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error', '-99999').ret).toBe(0);
    expect(s.view().injection.MEM_GOING_ONLINE).toBe(-4095);
    expect(w('kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error', '-16\n').ret).toBe(0);
    expect(w(`devices/system/memory/memory${first}/state`, 'online').errno).toBe('EBUSY');
    expect(w('module/memory_hotplug/parameters/auto_movable_numa_aware', 'off\n').ret).toBe(0);
    expect(s.view().params.auto_movable_numa_aware).toBe(false);
  });

  it('v2-2019 has no module parameters: writing one is -ENOENT', () => {
    const s = boot({ kernel: 'v2-2019' });
    expect(s.apply({ op: 'write', path: 'module/memory_hotplug/parameters/online_policy', value: 'auto-movable' }).errno).toBe('ENOENT');
    expect(s.apply({ op: 'write', path: 'devices/system/memory/auto_online_blocks', value: 'online_movable' }).errno).toBe('EINVAL');
    expect(s.apply({ op: 'write', path: 'devices/system/memory/vmemmap_hotplug', value: 'disable\n' }).ret).toBe(0);
  });
});
