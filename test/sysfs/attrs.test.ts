/**
 * The sysfs attribute table (src/engine/sysfs): a write — the `write`
 * operation, and a write through the mount with the new world handed to its
 * server — finds its file from the world's tables and never builds the world
 * view; and the table answers "what is at this path" exactly as the rendered
 * tree does.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { toView } from '../../src/engine/to-view.ts';
import { HotplugSystem } from '../../src/engine/system.ts';
import { worldPresence } from '../../src/engine/sysfs/write.ts';
import { sysfsNodeAt } from '../../src/engine/sysfs/paths.ts';
import { openLive } from '../../src/fuse/live.ts';
import { sysfsView } from '../../src/engine/sysfs/view.ts';
import { parseScenario } from '../../src/scenario/index.ts';
import { sysfsEntries } from '../../src/sysfs/tree.ts';
import type { Op } from '../../src/kernel/ops.ts';
import { add, boot, GiB, MiB, ok } from '../core/helpers.ts';

// Count the world views built: toView is wrapped, everything else is the real module.
vi.mock('../../src/engine/to-view.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/engine/to-view.ts')>();
  return { ...real, toView: vi.fn(real.toView) };
});
const views = vi.mocked(toView);

const tmp = mkdtempSync(join(tmpdir(), 'memhp-attrs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const start = 8 * GiB;
const first = start / (128 * MiB);
const w = (path: string, value: string): Op => ({ op: 'write', path, value });

describe('a write finds its attribute without a world view', () => {
  it('the write op: stores, and every kind of refusal, build no view', () => {
    const s = boot({ kernel: '6.8', machine: { config: { ARCH_MEMORY_PROBE: true } }, params: { auto_online_blocks: 'offline' } });
    ok(s, add(start, GiB));
    views.mockClear();
    const results = [
      s.apply(w(`devices/system/memory/memory${first}/state`, 'online_movable\n')),
      s.apply(w(`devices/system/memory/memory${first + 1}/online`, '1\n')),
      s.apply(w('devices/system/memory/auto_online_blocks', 'online\n')),
      s.apply(w('module/memory_hotplug/parameters/auto_movable_ratio', '40\n')),
      s.apply(w('kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error', '-12\n')),
      s.apply(w('devices/system/memory/probe', `0x${(16 * GiB).toString(16)}\n`)),
      s.apply(w(`devices/system/memory/memory${first}/valid_zones`, 'Normal\n')),
      s.apply(w(`devices/system/memory/memory${first}`, 'x\n')),
      s.apply(w(`devices/system/node/node0/memory${first}`, 'x\n')),
      s.apply(w('devices/system/memory/memory999999/state', 'online\n')),
    ];
    expect(results.map((r) => r.errno)).toEqual([null, null, null, null, null, null, 'EACCES', 'EISDIR', 'EINVAL', 'ENOENT']);
    expect(views).not.toHaveBeenCalled();
  });

  it('through the mount: the write and the world handed to the FUSE server build no view', () => {
    const spec = parseScenario(JSON.stringify({ name: 'attrs', kernel: '6.8', arch: 'x86_64', boot: [{ node: 0, size: '4G' }], params: { auto_online_blocks: 'offline' }, ops: [] }), 'attrs.json');
    const sys = new HotplugSystem(spec, { retainEvents: true });
    ok(sys, add(start, GiB));
    const live = openLive({ kind: 'scenario', path: 'attrs.json', spec, events: sys.events }, join(tmp, 'mount.jsonl'));
    sys.stop();
    try {
      views.mockClear();
      expect(live.write(`devices/system/memory/memory${first}/state`, 'online\n').ret).toBe(0);
      const handed = sysfsView(live.world());
      expect(views).not.toHaveBeenCalled();
      // …and what the server gets is the world view's sysfs part, unchanged
      const full = toView(live.world());
      expect(views).toHaveBeenCalledTimes(1); // the counter does count
      const { sections: _s, zones: _z, vmemmap: _v, faults: _f, devices: _d, iomem: _i, ...part } = full;
      expect(handed).toEqual(part);
    } finally {
      live.close();
    }
  });
});

describe('the table and the rendered tree agree on every path', () => {
  const dir = join(__dirname, '..', '..', 'scenarios');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(file, () => {
      const sc = parseScenario(readFileSync(join(dir, file), 'utf8'), file);
      const { ops, ...spec } = sc;
      const sys = new HotplugSystem(spec);
      for (const op of ops) sys.apply(op);
      const world = sys.world;
      sys.stop();
      const presence = worldPresence(world);
      const differ: string[] = [];
      for (const e of sysfsEntries(toView(world))) {
        const n = sysfsNodeAt(presence, e.path);
        if (n?.kind !== e.kind || (n.kind === 'file' && e.kind === 'file' && n.attr.mode !== e.mode)) differ.push(`${e.path}: table ${n?.kind}, tree ${e.kind}`);
      }
      expect(differ).toEqual([]);
      // and nothing beside them: a missing block, node, entry or attribute is not there
      for (const p of ['sys/devices/system/memory/memory999999', 'sys/devices/system/node/node63', 'sys/firmware/memmap/99', 'sys/devices/system/memory/nosuch', 'sys/devices/system/memory/memory0/nosuch']) {
        expect(sysfsNodeAt(presence, p)).toBeUndefined();
      }
    });
  }
});
