/**
 * Every shipped scenario runs through `memhp run --json` with exit 0, and
 * does what its description says.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memhp, memhpJson, SCENARIOS, scenario } from './helpers.ts';

interface OpRec { op: string; ret: number; errno: string | null; index: number; seq: number; args: Record<string, unknown>; message?: string }
interface RunJson { ops: OpRec[]; world: any }

const G = 1024 ** 3;
const M = 1024 ** 2;

const zone = (w: any, node: number, name: string) => w.zones.find((z: any) => z.node === node && z.zone === name);
const block = (w: any, id: number) => w.blocks.find((b: any) => b.id === id);
const section = (w: any, nr: number) => w.sections.find((s: any) => s.nr === nr);
const rets = (r: RunJson) => r.ops.map((o) => o.ret);

/** What each shipped scenario must show; a new scenario without an entry fails the coverage test below. */
const OUTCOMES: Record<string, (r: RunJson) => void> = {
  'seed-reviewer-partial-remove.json': (r) => {
    // The remove of the block holding every block's memmap succeeds...
    expect(r.ops[4]).toMatchObject({ op: 'remove_memory', ret: 0, errno: null, args: { start: 8 * G, size: 128 * M } });
    // ...and touching block 65 afterwards faults and taints the kernel.
    expect(r.ops[5]).toMatchObject({ op: 'touch', ret: -14, errno: 'EFAULT' });
    expect(r.world.faults).toHaveLength(1);
    expect(r.world.faults[0]).toMatchObject({ kind: 'memmap-in-removed-memory', section: 65, block: 65 });
    expect(r.world.tainted).toBe(true);
    expect(section(r.world, 65).memmapLost).toBe(true);
    expect(r.world.vmemmap).toEqual([expect.objectContaining({ headPfn: (8 * G) / 4096, orphaned: true, refcount: 7 })]);
  },
  // the same story written in YAML must tell the same outcome
  'seed-reviewer-partial-remove.yaml': (r) => OUTCOMES['seed-reviewer-partial-remove.json']!(r),
  'seed-reviewer-guard.json': (r) => {
    expect(r.ops[4]).toMatchObject({ op: 'remove_memory', ret: -22, errno: 'EINVAL' });
    expect(r.ops[4]!.message).toMatch(/Refuse to remove/);
    expect(r.ops[5]).toMatchObject({ op: 'touch', ret: 0 });
    expect(r.world.faults).toEqual([]);
    expect(r.world.tainted).toBe(false);
    expect(block(r.world, 64).state).toBe('offline'); // nothing was removed
  },
  'seed-reviewer-6.8.json': (r) => {
    expect(rets(r)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(r.world.faults).toEqual([]);
    expect(r.world.tainted).toBe(false);
    expect(block(r.world, 64)).toBeUndefined();
    expect(block(r.world, 65).state).toBe('online');
    // per-block altmap: block 65 carries its own memmap
    expect(section(r.world, 65).memmap).toMatchObject({ kind: 'altmap', headPfn: (8 * G + 128 * M) / 4096 });
  },
  'seed-device-1g.json': (r) => {
    expect(rets(r).every((x) => x === 0)).toBe(true);
    expect(r.ops.at(-1)).toMatchObject({ op: 'remove_memory', args: { start: 8 * G, size: 1 * G } });
    expect(r.world.blocks.filter((b: any) => b.id >= 64)).toEqual([]);
    expect(r.world.vmemmap).toEqual([]);
    expect(r.world.faults).toEqual([]);
  },
  'seed-memblock-1g.json': (r) => {
    expect(r.ops).toHaveLength(25);
    expect(rets(r).every((x) => x === 0)).toBe(true);
    expect(r.world.blocks.filter((b: any) => b.id >= 64)).toEqual([]);
    expect(r.world.faults).toEqual([]);
    expect(r.world.tainted).toBe(false);
  },
  'balloon-near-oom.json': (r) => {
    expect(r.ops[0]).toMatchObject({ op: 'add_memory', ret: -12, errno: 'ENOMEM' });
    expect(r.ops[1]).toMatchObject({ op: 'add_memory', ret: 0 });
    expect(r.ops[2]).toMatchObject({ op: 'state', ret: 0 });
    expect(block(r.world, 32)).toBeUndefined(); // the failed add left nothing behind
    expect(block(r.world, 64)).toMatchObject({ state: 'online', zone: 'Movable', vmemmapPages: 512 });
  },
  'classic-ignores-flags.json': (r) => {
    expect(rets(r)).toEqual([0, 0]);
    // the flag is ignored: regular memmap on the node, no altmap
    expect(section(r.world, 32).memmap).toMatchObject({ kind: 'node', node: 0 });
    expect(r.world.vmemmap).toEqual([]);
    expect(block(r.world, 32).vmemmapPages).toBe(0);
  },
  'device-8g-memmap-fills-first-block.json': (r) => {
    expect(rets(r)).toEqual([0, 0]);
    const movable = zone(r.world, 0, 'Movable');
    expect(movable).toMatchObject({ presentPages: 32768, managedPages: 0 });
    expect(block(r.world, 128).vmemmapPages).toBe(32768);
  },
  'movable-node-remote-memmap.json': (r) => {
    expect(rets(r)).toEqual([0, 0, 0]);
    expect(block(r.world, 32)).toMatchObject({ node: 1, zone: 'Movable', state: 'online' });
    expect(section(r.world, 32).memmap).toMatchObject({ kind: 'node', node: 0 }); // remote
    expect(zone(r.world, 1, 'Movable')).toMatchObject({ presentPages: 65536, managedPages: 65536 });
  },
  'ppc64-radix-force.json': (r) => {
    expect(rets(r)).toEqual([0, 0]);
    expect(block(r.world, 16)).toMatchObject({ state: 'online', vmemmapPages: 32 });
  },
  'selftest-round.json': (r) => {
    const failed = r.ops.filter((o) => o.ret !== 0);
    expect(failed.map((o) => [o.index, o.errno])).toEqual([[12, 'ENOMEM'], [17, 'ENOMEM']]);
    expect(r.ops[14]).toMatchObject({ op: 'state', ret: 0, args: { block: 32, value: 'online' } });
    expect(block(r.world, 34).state).toBe('online'); // the vetoed offline left it online
    expect(r.world.blocks.filter((b: any) => b.id >= 32 && b.id <= 39).every((b: any) => b.state === 'online')).toBe(true);
  },
  'selftest-machine.json': (r) => {
    // before ~5.7 removable was is_mem_section_removable(): the pinned boot blocks read 0, so the
    // selftest (test/fuse/selftest.test.ts) takes only the hot-added blocks, all offline
    expect(rets(r).every((x) => x === 0)).toBe(true);
    expect(r.world.blocks.filter((b: any) => b.id < 4).every((b: any) => b.state === 'online' && b.pinned)).toBe(true);
    expect(r.world.blocks.filter((b: any) => b.id >= 32).map((b: any) => [b.id, b.state])).toEqual([32, 33, 34, 35, 36, 37, 38, 39].map((id) => [id, 'offline']));
  },
  // drivers (docs/drivers.md); the per-op details are in test/core/drivers.test.ts
  'virtio-mem-grow-shrink.json': (r) => {
    expect(rets(r)).toEqual([0, 0, 0]);
    // after the grow (the world at the resize's last event is checked in drivers.test.ts): the device is back at 0,
    // its dynamic group (memory_group_register_dynamic(nid, memory block pages)) is empty and stays registered
    expect(r.world.devices).toEqual([expect.objectContaining({ name: 'virtio0', driver: 'virtio_mem', requested: 0, plugged: 0, group: 0 })]);
    expect(r.world.groups).toEqual([expect.objectContaining({ id: 0, dynamic: true, pages: 32768, presentKernelPages: 0, presentMovablePages: 0, blocks: [] })]);
    expect(r.world.blocks.filter((b: any) => b.id >= 512)).toEqual([]);
    expect(zone(r.world, 0, 'Movable').presentPages).toBe(0);
    expect(r.world.iomem.filter((x: any) => x.start >= 64 * G)).toEqual([expect.objectContaining({ name: 'virtio0', level: 0 })]);
  },
  'two-dimms-static-groups.json': (r) => {
    // the Normal DIMM holds the kernel's unmovable allocations: its eject is -EBUSY and it stays (docs/kernel-model.md §8.4)
    expect(rets(r)).toEqual([0, 0, -16, 0]);
    expect(r.world.groups).toEqual([expect.objectContaining({ id: 1, owner: 'PNP0C80:01' })]);
    expect(r.world.devices).toEqual([expect.objectContaining({ name: 'PNP0C80:01' })]);
    expect(r.world.blocks.filter((b: any) => b.id >= 64 && b.id < 128)).toEqual([]);
    // its first block took them; the eject offlined the other 63 and put them back (MMOP_ONLINE:
    // auto-movable keeps a static group with kernel pages in the kernel zone)
    expect(r.world.blocks.filter((b: any) => b.id >= 128).every((b: any) => b.state === 'online' && b.zone === 'Normal')).toBe(true);
    expect(r.world.blocks.filter((b: any) => b.kernelAllocations).map((b: any) => b.id)).toEqual([128]);
    expect(r.world.firmwareMemmap).toEqual([{ start: 0, end: 4 * G - 1, type: 'System RAM' }, { start: 16 * G, end: 24 * G - 1, type: 'System RAM' }]);
  },
  // what a real 6.12 guest did with it (test/fixtures/conform/example-6.12.json): the same
  'conform-dimm-movable.json': (r) => {
    expect(rets(r)).toEqual([0, 0, 0, 0, -22, 0]);
    expect(r.world.blocks.filter((b: any) => b.id >= 32)).toEqual([]);
    expect(r.world.devices).toEqual([]);
    expect(r.world.iomem.filter((x: any) => x.start >= 4 * G)).toEqual([]);
  },
  'cxl-dax-kmem-256g.json': (r) => {
    expect(r.ops).toHaveLength(130);
    expect(rets(r).every((x) => x === 0)).toBe(true);
    // dev_dax_kmem_remove(): remove_memory() of the whole range, release of dax0.0, memory_group_unregister()
    expect(r.world.blocks.filter((b: any) => b.id >= 128)).toEqual([]);
    expect(r.world.groups).toEqual([]);
    expect(r.world.devices).toEqual([]);
    expect(r.world.iomem.filter((x: any) => x.start >= 256 * G)).toEqual([]);
    expect(r.world.vmemmap).toEqual([]);
  },
  // onlining agents (docs/drivers.md "Onlining agents"): udev's rule wins the race into ZONE_NORMAL
  'race-udev-daxctl.json': (r) => {
    // udev, udev, daxctl (warns of the race), udev ×2 (no match), offline ×3, offline memory32 -EBUSY, unbind (memory stays)
    expect(rets(r)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, -16, 0]);
    expect(r.world.devices).toEqual([expect.objectContaining({ name: 'dax0.0', stuck: true })]);
    expect(r.world.blocks.filter((b: any) => b.kernelAllocations).map((b: any) => b.id)).toEqual([32]);
    expect(r.world.agentWork).toEqual([]);
  },
  'race-udev-virtio-mem.json': (r) => {
    expect(rets(r)).toEqual([0, -11]);
    expect(r.world.devices).toEqual([expect.objectContaining({ name: 'virtio0', plugged: 4 * 2 ** 20, requested: 0, subBlocks: { 32: '11' + '0'.repeat(62) } })]);
    expect(r.world.blocks.filter((b: any) => b.id >= 32).map((b: any) => [b.id, b.zone])).toEqual([[32, 'Normal']]);
  },
};

describe('shipped scenarios through memhp run --json', { timeout: 120_000 }, () => {
  it('every shipped scenario has its outcome asserted here', () => {
    expect(readdirSync(SCENARIOS).filter((f) => /\.(json|ya?ml)$/.test(f)).sort()).toEqual(Object.keys(OUTCOMES).sort());
  });

  for (const [file, check] of Object.entries(OUTCOMES)) {
    it(`${file}: exit 0 and the described outcome`, async () => {
      const r = await memhpJson<RunJson>(['run', scenario(file)]);
      expect(r.world.version).toBe(1);
      expect(r.ops.every((o) => typeof o.op === 'string' && typeof o.ret === 'number' && 'errno' in o)).toBe(true);
      check(r);
    });
  }

  it('ppc64 force: onlining the block gives present +4096, managed +4064 (run shows the delta)', async () => {
    const r = await memhp(['run', scenario('ppc64-radix-force.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[1\] state block=16 value=online → 0/);
    expect(r.stdout).toMatch(/node 0 Normal: present \+4096 \(\+256M\), managed \+4064 \(\+254M\) pages/);
    expect(r.stdout).toMatch(/warning: Memory hotplug will waste 28 pages in each memory block/);
  });
});
