/**
 * Each invariant holds on real worlds and breaks on a deliberately broken
 * one, with a message that names the place.
 */
import { describe, expect, it } from 'vitest';
import {
  accounting,
  blockLayout,
  blockSections,
  checkInvariants,
  INVARIANTS,
  memmapAlive,
  noLeak,
  replayReproduces,
  systemSpec,
  vmemmapHeads,
  type Invariant,
} from '../../src/check/index.ts';
import type { World } from '../../src/engine/world.ts';
import type { MemhpEvent } from '../../src/index.ts';
import { BLOCK, deviceWorld, edited, FIRST, HOT, ops, run, withEvent, X86 } from './helpers.ts';

const messages = (inv: Invariant, world: World, events?: readonly MemhpEvent[]) => checkInvariants({ world, events }, [inv]).map((v) => v.message);

describe('the invariant set', { timeout: 60_000 }, () => {
  it('is named and documented', () => {
    const names = INVARIANTS.map((i) => i.name);
    expect(new Set(names).size).toBe(names.length);
    for (const i of INVARIANTS) expect(i.description.length).toBeGreaterThan(40);
    expect(names).toEqual([
      'memmap-in-present-memory',
      'block-sections-agree',
      'accounting-matches-blocks',
      'vmemmap-heads-consistent',
      'blocks-do-not-overlap',
      'memory-groups-consistent',
      'nothing-leaks',
      'replay-reproduces-world',
    ]);
  });

  it('holds after every step of real hotplug sequences in every era', () => {
    // blocks that are offlined again go online movable: node 0's boot memory is all DMA32, so a
    // Normal block would hold the kernel's unmovable allocations (docs/kernel-model.md §8.4)
    const sequences: [ReturnType<typeof X86>, ReturnType<typeof ops.add>[]][] = [
      [X86({ kernel: 'v2-2019' }), [ops.add(HOT, 2 * BLOCK, ['MHP_MEMMAP_MEMBLOCK']), ops.online(FIRST, 'online_movable'), ops.offline(FIRST), ops.remove(HOT, BLOCK), ops.remove(HOT + BLOCK, BLOCK)]],
      [X86({ kernel: '5.13', params: { memmap_on_memory: 'on' } }), [ops.add(HOT, BLOCK, ['MHP_MEMMAP_ON_MEMORY']), ops.online(FIRST, 'online_movable'), ops.offline(FIRST), ops.remove(HOT, BLOCK)]],
      [X86({ kernel: '6.8', params: { memmap_on_memory: 'on' } }), [ops.add(HOT, 3 * BLOCK, ['MHP_MEMMAP_ON_MEMORY']), ops.online(FIRST + 1, 'online_movable'), ops.offlineAndRemove(HOT, 3 * BLOCK)]],
      [X86({ kernel: '6.6' }), [ops.add(HOT, 2 * BLOCK), ops.online(FIRST, 'online_movable'), ops.online(FIRST + 1, 'online_kernel'), ops.offline(FIRST)]],
    ];
    for (const [spec, seq] of sequences) {
      const sys = run(spec);
      for (const op of seq) {
        expect(sys.apply(op).errno, JSON.stringify(op)).toBeNull();
        expect(checkInvariants({ world: sys.world, events: sys.events })).toEqual([]);
      }
    }
  });
});

describe('memmap-in-present-memory', () => {
  it('holds while the DEVICE range is whole', () => {
    expect(messages(memmapAlive, deviceWorld().world)).toEqual([]);
  });

  it('breaks when v2 removes the first block of a DEVICE range (the reviewer\'s hazard)', () => {
    const sys = deviceWorld();
    for (const i of [0]) expect(sys.apply(ops.offline(FIRST + i)).errno).toBeNull();
    expect(sys.apply(ops.remove(HOT, BLOCK)).errno).toBeNull();
    const m = messages(memmapAlive, sys.world);
    expect(m).toHaveLength(3);
    expect(m[0]).toMatch(/section 33 \(memory33\) has its memmap in the vmemmap at pfn 0x100000, inside memory32 \[mem 0x100000000-0x107ffffff\], which has been removed/);
  });

  it('breaks when the block holding a memmap disappears from the tables', () => {
    const w = edited(deviceWorld().world, (d) => d.blocks.set(FIRST, undefined));
    expect(messages(memmapAlive, w).length).toBeGreaterThan(0);
  });
});

describe('block-sections-agree', () => {
  it('holds on online and offline blocks', () => {
    expect(messages(blockSections, deviceWorld().world)).toEqual([]);
  });

  it('breaks when an online block has a section that is not online', () => {
    const w = edited(deviceWorld().world, (d) => d.sections.set(33, { ...d.sections.get(33)!, state: 'present' }));
    expect(messages(blockSections, w)).toEqual(['memory33 is online but its section 33 is present, not online']);
  });

  it('breaks when a removed block leaves a section behind', () => {
    const sys = run(X86({ kernel: '6.8' }), ops.add(HOT, BLOCK));
    const section = sys.world.sections;
    const w = edited(sys.world, (d) => d.blocks.set(FIRST, undefined));
    expect(section).toBe(w.sections);
    expect(messages(blockSections, w)).toEqual(['section 32 is present but its block memory32 has been removed']);
  });
});

describe('accounting-matches-blocks', () => {
  it('holds with vmemmap pages present but not managed (DEVICE, MEMBLOCK, memmap_on_memory)', () => {
    expect(messages(accounting, deviceWorld().world)).toEqual([]);
    const mb = run(X86({ kernel: 'v2-2019' }), ops.add(HOT, 2 * BLOCK, ['MHP_MEMMAP_MEMBLOCK']), ops.online(FIRST), ops.online(FIRST + 1));
    expect(messages(accounting, mb.world)).toEqual([]);
  });

  it('breaks when a zone counts a page no block implies', () => {
    const w = withEvent(deviceWorld().world, { type: 'account', node: 0, zone: 'Movable', managedPages: 512, reason: 'bug: vmemmap handed to the buddy' });
    expect(messages(accounting, w)).toContain(
      'node 0 zone Movable: managed_pages is 129536, but its online blocks minus vmemmap and boot memmap pages make 129024',
    );
  });

  it('breaks when a node is charged for memmap no section uses', () => {
    const sys = run(X86({ kernel: '6.8' }), ops.add(HOT, BLOCK), ops.remove(HOT, BLOCK));
    const w = withEvent(sys.world, { type: 'account', node: 0, zone: null, memmapPages: 512, reason: 'bug: memmap not freed' });
    expect(messages(accounting, w)).toEqual(['node 0 provides 16896 memmap pages, but its boot memmap and the sections placed on it need 16384']);
  });
});

describe('vmemmap-heads-consistent', () => {
  it('holds for DEVICE and MEMBLOCK heads, and after a whole-range removal', () => {
    expect(messages(vmemmapHeads, deviceWorld().world)).toEqual([]);
    const sys = run(X86({ kernel: 'v2-2019' }), ops.add(HOT, 2 * BLOCK, ['MHP_MEMMAP_DEVICE']), ops.remove(HOT, 2 * BLOCK));
    expect(messages(vmemmapHeads, sys.world)).toEqual([]);
  });

  it('holds when several sections share a vmemmap page (ppc64, 64 KiB pages, 16 MiB sections)', () => {
    const sys = run(systemSpec({ kernel: 'v2-2019', arch: 'ppc64-radix', boot: [{ size: '1G' }] }), ops.add('1G', '512M', ['MHP_MEMMAP_DEVICE']));
    expect(sys.view().vmemmap.map((v) => [v.nrPages, v.refcount])).toEqual([[8, 32]]);
    expect(messages(vmemmapHeads, sys.world)).toEqual([]);
  });

  it('breaks when the refcount drops while sections still use the head', () => {
    const w = withEvent(deviceWorld().world, { type: 'vmemmap', action: 'put', headPfn: HOT / 4096, nrPages: 2048, refcount: 3, sections: [], node: 0 });
    expect(messages(vmemmapHeads, w)).toEqual(['vmemmap head at pfn 0x100000: _refcount is 3, but 4 section(s) still use it (32, 33, 34, 35)']);
  });

  it('breaks when a head is freed while sections still point at it', () => {
    const w = withEvent(deviceWorld().world, { type: 'vmemmap', action: 'free', headPfn: HOT / 4096, nrPages: 2048, refcount: 0, sections: [], node: 0 });
    expect(messages(vmemmapHeads, w)[0]).toBe("section 32's memmap points at a vmemmap head at pfn 0x100000, but no head is there (freed too early)");
  });
});

describe('blocks-do-not-overlap', () => {
  it('holds for boot and hot-added blocks', () => {
    expect(messages(blockLayout, deviceWorld().world)).toEqual([]);
  });

  it('breaks when a block is stored under an id that is not its phys_index', () => {
    const w = edited(deviceWorld().world, (d) => d.blocks.set(40, { ...d.blocks.get(FIRST)!, id: FIRST }));
    expect(messages(blockLayout, w)).toEqual([
      'the block stored as memory40 says it is memory32: its id is not its phys_index',
      'memory32 [mem 0x100000000-0x107ffffff] and memory32 [mem 0x100000000-0x107ffffff] overlap',
    ]);
  });
});

describe('nothing-leaks', () => {
  it('holds after adding, onlining, offlining and removing everything, in every memmap mode', () => {
    for (const [kernel, flags] of [['v2-2019', ['MHP_MEMMAP_DEVICE']], ['v2-2019', []], ['6.8', ['MHP_MEMMAP_ON_MEMORY']]] as const) {
      const sys = run(
        X86({ kernel, params: { memmap_on_memory: 'on' } }),
        ops.add(HOT, 2 * BLOCK, [...flags]),
        ops.online(FIRST, 'online_movable'),
        ops.online(FIRST + 1, 'online_movable'),
        ops.offline(FIRST),
        ops.offline(FIRST + 1),
        ops.remove(HOT, 2 * BLOCK),
      );
      expect(messages(noLeak, sys.world), kernel).toEqual([]);
    }
  });

  it('breaks when a node keeps memmap pages after everything was removed', () => {
    const sys = run(X86({ kernel: '6.8' }), ops.add(HOT, BLOCK), ops.online(FIRST, 'online_movable'), ops.offline(FIRST), ops.remove(HOT, BLOCK));
    const w = withEvent(sys.world, { type: 'account', node: 0, zone: null, memmapPages: 512, reason: 'bug: leaked memmap' });
    expect(messages(noLeak, w)).toEqual(['node 0 provides 16896 memmap pages after all hot-added memory was removed; it started with 16384']);
  });

  it('breaks when a zone keeps pages after everything was removed', () => {
    const sys = run(X86({ kernel: '6.8' }), ops.add(HOT, BLOCK), ops.remove(HOT, BLOCK));
    const w = withEvent(sys.world, { type: 'account', node: 0, zone: 'Movable', presentPages: 1, reason: 'bug' });
    expect(messages(noLeak, w)).toEqual(['node 0 zone Movable: presentPages is 1 after all hot-added memory was removed; it started at 0']);
  });
});

describe('replay-reproduces-world', () => {
  it('holds for the log of a live system', () => {
    const sys = deviceWorld();
    expect(messages(replayReproduces, sys.world, sys.events)).toEqual([]);
  });

  it('breaks when a recorded event says something else than what happened', () => {
    const sys = deviceWorld();
    const events = sys.events.map((e) => (e.type === 'account' && e.zone === 'Movable' ? { ...e, managedPages: (e.managedPages ?? 0) + 1 } : e));
    expect(messages(replayReproduces, sys.world, events)).toEqual(['replaying the log gives a different world than the live one (differs in: zones, nodes)']);
  });
});
