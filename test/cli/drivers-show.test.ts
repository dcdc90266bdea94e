/**
 * `memhp show` on a driver scenario: the System RAM part of /proc/iomem (driver resources
 * named and nested), /sys/firmware/memmap without the driver-managed ranges, the memory
 * groups and the devices (docs/drivers.md).
 */
import { describe, expect, it } from 'vitest';
import { memhp, memhpJson, scenario } from './helpers.ts';

describe('memhp show with drivers', { timeout: 120_000 }, () => {
  it('virtio-mem after the grow: the device resource with its merged driver-managed child, no firmware memmap entry, the dynamic group and the device', async () => {
    const run = await memhpJson(['run', scenario('virtio-mem-grow-shrink.json')]);
    const at = run.ops[1].lastSeq;
    const r = await memhp(['show', scenario('virtio-mem-grow-shrink.json'), '--at', String(at)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/iomem \(System RAM in \/proc\/iomem\)\n00000000-3ffffffff : System RAM\n1000000000-2fffffffff : virtio0\n {2}1000000000-1fffffffff : System RAM \(virtio_mem\) {2}\(driver-managed\)/);
    expect(r.stdout).toMatch(/\/sys\/firmware\/memmap[^\n]*\n0: 0x0-0x3ffffffff System RAM\n\n/);
    expect(r.stdout).toMatch(/0 +dynamic +0 +unit 128M +4G +60G +memory512-1023 +virtio0/);
    expect(r.stdout).toMatch(/virtio0: virtio_mem, node 0, \[mem 0x1000000000-0x2fffffffff\], group 0, requested 64G, plugged 64G/);
  });

  it('two DIMMs: plain System RAM with firmware memmap entries, one static group each', async () => {
    const run = await memhpJson(['run', scenario('two-dimms-static-groups.json')]);
    const r = await memhpJson(['show', scenario('two-dimms-static-groups.json'), '--at', String(run.ops[1].lastSeq)]);
    expect(r.world.firmwareMemmap.map((f: any) => f.start.toString(16))).toEqual(['0', '200000000', '400000000']);
    expect(r.world.groups.map((g: any) => [g.id, g.dynamic, g.owner, g.blocks.length])).toEqual([
      [0, false, 'PNP0C80:00', 64],
      [1, false, 'PNP0C80:01', 64],
    ]);
    expect(r.world.blocks.find((b: any) => b.id === 64).group).toBe(0);
  });
});
