/**
 * The iomem resource tree and /sys/firmware/memmap across add and remove
 * (docs/kernel-model.md §8.2): release_mem_region_adjustable() releases only
 * inside one resource, firmware_map_remove() only an exact entry; the
 * outcome is recorded in the resource event (docs/log-format.md §3.2).
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/index.ts';
import { add, boot, GiB, MiB, ok, remove } from './helpers.ts';

describe('remove_memory() and the resources it releases', () => {
  it('removing 256M over two 128M adds leaves both System RAM resources and firmware entries; a later add over them fails EEXIST', () => {
    const s = boot();
    ok(s, add(10 * GiB, 128 * MiB), add(10 * GiB + 128 * MiB, 128 * MiB));
    const r = s.apply(remove(10 * GiB, 256 * MiB));
    expect(r.ret).toBe(0);
    const v = s.view();
    expect(v.blocks.some((b) => b.id >= 80 && b.id < 82)).toBe(false);
    expect(v.iomem!.filter((x) => x.start >= 10 * GiB)).toEqual([
      { start: 10 * GiB, end: 10 * GiB + 128 * MiB - 1, name: 'System RAM', level: 0, driverManaged: false },
      { start: 10 * GiB + 128 * MiB, end: 10 * GiB + 256 * MiB - 1, name: 'System RAM', level: 0, driverManaged: false },
    ]);
    expect(v.firmwareMemmap!.filter((f) => f.start >= 10 * GiB)).toHaveLength(2);
    const again = s.apply(add(10 * GiB, 128 * MiB));
    expect(again.errno).toBe('EEXIST');
    expect(again.message).toMatch(/Unable to reserve System RAM region/);
  });

  it('removing a part of one resource trims it; the firmware entry (not an exact match) stays', () => {
    const s = boot();
    ok(s, add(8 * GiB, GiB), remove(8 * GiB, 128 * MiB));
    const v = s.view();
    expect(v.iomem!.filter((x) => x.start >= 8 * GiB)).toEqual([{ start: 8 * GiB + 128 * MiB, end: 9 * GiB - 1, name: 'System RAM', level: 0, driverManaged: false }]);
    expect(v.firmwareMemmap!.filter((f) => f.start >= 8 * GiB)).toEqual([{ start: 8 * GiB, end: 9 * GiB - 1, type: 'System RAM' }]);
    // the trimmed-off range is free again
    ok(s, add(8 * GiB, 128 * MiB));
  });

  it('the resource event records what it did: evolve only applies it', () => {
    const s = boot();
    ok(s, add(8 * GiB, GiB));
    const r = s.apply(remove(8 * GiB + 256 * MiB, 128 * MiB));
    const e = r.events.find((x) => x.type === 'resource');
    expect(e).toMatchObject({
      action: 'release',
      remove: [{ start: 8 * GiB, size: GiB, name: 'System RAM' }],
      insert: [
        { start: 8 * GiB, size: 256 * MiB },
        { start: 8 * GiB + 384 * MiB, size: 640 * MiB },
      ],
    });
    expect(e).not.toHaveProperty('firmwareMap');
  });
});

describe('merge_system_ram_resource()', () => {
  it('merges only siblings: two adjacent virtio-mem devices keep one System RAM (virtio_mem) child each', () => {
    const s = boot({}, { actors: 'table' });
    const virtio = (device: string, start: number): Op => ({ op: 'virtio_mem_add', device, node: 0, start, size: 256 * MiB, requested: 256 * MiB });
    ok(s, virtio('virtio1', 10 * GiB), virtio('virtio0', 10 * GiB + 256 * MiB));
    const children = s.view().iomem!.filter((x) => x.level === 1);
    expect(children.map((x) => [x.start, x.end, x.name])).toEqual([
      [10 * GiB, 10 * GiB + 256 * MiB - 1, 'System RAM (virtio_mem)'],
      [10 * GiB + 256 * MiB, 10 * GiB + 512 * MiB - 1, 'System RAM (virtio_mem)'],
    ]);
  });
});
