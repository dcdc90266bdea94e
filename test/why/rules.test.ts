/**
 * Each reason `memhp why` shows is checked against the kernel rule it names
 * (docs/kernel-model.md §5.6, §4.4, §5): the recorded values must give the
 * recorded decision by that rule, and varying the input the reason names
 * must change the decision the engine makes.
 */
import { describe, expect, it } from 'vitest';
import { GiB, boot, add, ok, state } from '../core/helpers.ts';
import type { HotplugSystem } from '../../src/index.ts';
import type { ReasonStep } from '../../src/kernel/reason.ts';
import type { TransitionEvent } from '../../src/engine/events.ts';
import type { SpecInput } from '../core/spec.ts';

const PAGES_PER_BLOCK = 32768;

/** The reason recorded on the last ONLINE of memoryN. */
function reasonOf(s: HotplugSystem, id: number): { zone: unknown; why: ReasonStep[] } {
  const t = [...s.events].reverse().find((e): e is TransitionEvent => e.type === 'transition' && e.actor === `memory${id}` && e.event.type === 'ONLINE');
  if (!t?.why) throw new Error(`memory${id} has no recorded ONLINE reason`);
  return { zone: t.context.zone, why: t.why };
}
const step = (why: ReasonStep[], rule: ReasonStep['rule']) => why.find((s) => s.rule === rule)?.values;
const steps = (why: ReasonStep[], rule: ReasonStep['rule']) => why.filter((s) => s.rule === rule).map((s) => s.values);

/** "0x1000-0x100000" → does it meet [pfn, pfn + nr)? (zone_intersects(), by span) */
function meets(span: unknown, pfn: number, nr: number): boolean {
  if (span === null) return false;
  const [a, b] = String(span).split('-').map((x) => Number.parseInt(x, 16));
  return pfn < b! && pfn + nr > a!;
}

/** A machine with one 4 GiB boot node without kernel allocations; block 64 (8G) is the first hot-pluggable one. */
function machine(input: SpecInput = {}): HotplugSystem {
  return boot({ boot: [{ size: 4 * GiB }], ...input });
}

describe('online_type (§4.4): the type written decides before any policy', () => {
  it('online_movable and online_kernel of the same block in the same world give different zones, each recorded with where it came from', () => {
    for (const [value, zone] of [['online_movable', 'Movable'], ['online_kernel', 'Normal']] as const) {
      const s = machine();
      ok(s, add(8 * GiB, GiB), state(64, value));
      const r = reasonOf(s, 64);
      expect(r.zone).toBe(zone);
      expect(step(r.why, 'online_type')).toMatchObject({ onlineType: value, from: 'state' });
      expect(step(r.why, 'zone_for_pfn_range')).toMatchObject({ onlineType: value });
    }
  });

  it('auto_online_blocks is named as the source when the add onlines the block, with its value', () => {
    const s = machine({ params: { auto_online_blocks: 'online_movable' } });
    ok(s, add(8 * GiB, GiB));
    const r = reasonOf(s, 64);
    expect(step(r.why, 'online_type')).toMatchObject({ from: 'auto_online_blocks', auto_online_blocks: 'online_movable', onlineType: 'online_movable' });
    expect(r.zone).toBe('Movable');
  });
});

describe('contig_zones (§5.6 default_zone_for_pfn): the zone that already spans the block, then movable_node', () => {
  it('a block inside the Movable span follows it; inside the Normal span it follows Normal', () => {
    for (const [first, expected] of [['online_movable', 'Movable'], ['online_kernel', 'Normal']] as const) {
      const s = machine();
      // 64 and 66 online in one zone: 65 lies inside that zone's span
      ok(s, add(8 * GiB, GiB), state(64, first), state(66, first), state(65, 'online'));
      const r = reasonOf(s, 65);
      const v = step(r.why, 'contig_zones')!;
      expect(r.zone).toBe(expected);
      expect(v.zone).toBe(expected);
      // the recorded booleans are what the recorded spans give for this block
      expect(v.inMovable).toBe(meets(v.movableSpan, 65 * PAGES_PER_BLOCK, PAGES_PER_BLOCK));
      expect(v.inKernelZone).toBe(meets(v.kernelSpan, 65 * PAGES_PER_BLOCK, PAGES_PER_BLOCK));
      expect(v.inMovable !== v.inKernelZone).toBe(true);
    }
  });

  it('when no zone spans the block alone, movable_node decides: varying it changes the zone', () => {
    const zones = [false, true].map((movable_node) => {
      const s = machine({ params: { movable_node } });
      ok(s, add(8 * GiB, GiB), state(64, 'online'));
      const r = reasonOf(s, 64);
      const v = step(r.why, 'contig_zones')!;
      expect(v).toMatchObject({ inKernelZone: false, inMovable: false, movable_node });
      return r.zone;
    });
    expect(zones).toEqual(['Normal', 'Movable']);
  });
});

describe('default_kernel_zone (§5.6 default_kernel_zone_for_pfn): DMA/DMA32 when its span meets the range, else Normal', () => {
  it('a block re-added inside the DMA32 span goes to DMA32; one beyond it to Normal; the recorded span says which', () => {
    const s = machine();
    // memory20 lies inside DMA32 ([16M, 4G)): take it out and back; the span shrinks only at its edges
    ok(s, state(20, 'offline'), { op: 'remove_memory', start: 20 * 128 * 1024 * 1024, size: 128 * 1024 * 1024 });
    ok(s, add(20 * 128 * 1024 * 1024, 128 * 1024 * 1024), state(20, 'online_kernel'), add(8 * GiB, GiB), state(64, 'online_kernel'));
    const inside = reasonOf(s, 20);
    const beyond = reasonOf(s, 64);
    expect(inside.zone).toBe('DMA32');
    expect(beyond.zone).toBe('Normal');
    const vi = step(inside.why, 'default_kernel_zone')!;
    const vb = step(beyond.why, 'default_kernel_zone')!;
    expect(meets(vi.DMA32, 20 * PAGES_PER_BLOCK, PAGES_PER_BLOCK)).toBe(true);
    expect(meets(vb.DMA32, 64 * PAGES_PER_BLOCK, PAGES_PER_BLOCK)).toBe(false);
    expect([vi.zone, vb.zone]).toEqual(['DMA32', 'Normal']);
  });
});

describe('auto-movable (§5.6 auto_movable_zone_for_pfn, auto_movable_can_online_movable)', () => {
  const autoMovable = (ratio: number) => machine({ params: { online_policy: 'auto-movable', auto_movable_ratio: ratio } });

  it('the recorded comparison is movable + need ≤ ratio × kernel_early / 100, and its verdict is the zone', () => {
    const s = autoMovable(301);
    ok(s, add(8 * GiB, GiB), state(64, 'online'), state(65, 'online'));
    const r = reasonOf(s, 65);
    const group = step(r.why, 'auto_movable_group')!;
    expect(group).toMatchObject({ group: null, maxPages: PAGES_PER_BLOCK, onlinePages: 0, need: PAGES_PER_BLOCK });
    for (const v of steps(r.why, 'can_online_movable')) {
      expect(v.limit).toBe(Math.floor((Number(v.ratio) * Number(v.kernelEarly)) / 100));
      expect(v.ok).toBe(Number(v.movable) + Number(v.need) <= Number(v.limit));
      expect(v.movable).toBe(PAGES_PER_BLOCK); // memory64, already movable
    }
    expect(r.zone).toBe('Movable');
  });

  it('varying the ratio across the recorded threshold moves the block between Movable and a kernel zone', () => {
    // the second block needs movable 32768 + 32768 ≤ ratio% × kernel_early (4 GiB = 1048576 pages)
    const zoneWith = (ratio: number) => {
      const s = autoMovable(301);
      ok(s, add(8 * GiB, GiB), state(64, 'online'), { op: 'set', param: 'auto_movable_ratio', value: ratio }, state(65, 'online'));
      const r = reasonOf(s, 65);
      const v = step(r.why, 'can_online_movable')!;
      expect(v.ratio).toBe(ratio);
      return { zone: r.zone, ok: v.ok, kernelEarly: v.kernelEarly };
    };
    const low = zoneWith(6);
    const high = zoneWith(7);
    expect(low.kernelEarly).toBe(1048576);
    // 6% × 1048576 = 62914 < 65536 ≤ 73400 = 7% × 1048576
    expect(low).toMatchObject({ zone: 'Normal', ok: false });
    expect(high).toMatchObject({ zone: 'Movable', ok: true });
  });

  it('ratio 0 means a kernel zone, whatever fits', () => {
    const s = autoMovable(0);
    ok(s, add(8 * GiB, GiB), state(64, 'online'));
    const r = reasonOf(s, 64);
    expect(r.zone).toBe('Normal');
    expect(step(r.why, 'auto_movable_group')).toMatchObject({ ratio: 0 });
    expect(steps(r.why, 'can_online_movable')).toEqual([]);
  });

  it('with auto_movable_numa_aware the node is compared too; without it, only system-wide', () => {
    for (const aware of [false, true]) {
      const s = machine({ params: { online_policy: 'auto-movable', auto_movable_numa_aware: aware } });
      ok(s, add(8 * GiB, GiB), state(64, 'online'));
      expect(steps(reasonOf(s, 64).why, 'can_online_movable').map((v) => v.nid)).toEqual(aware ? [null, 0] : [null]);
    }
  });
});

describe('boot_zone (§5): boot blocks are online where their addresses fall', () => {
  it('memory0 spans DMA and DMA32 and has no single zone; memory1 is DMA32', () => {
    const s = machine();
    expect(reasonOf(s, 0)).toMatchObject({ zone: null, why: [{ rule: 'boot_zone', values: { zones: 'DMA+DMA32' } }] });
    expect(reasonOf(s, 1)).toMatchObject({ zone: 'DMA32', why: [{ rule: 'boot_zone', values: { zones: 'DMA32' } }] });
  });
});
