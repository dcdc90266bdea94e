/**
 * The model checker with the drivers as operation kinds (`--ops acpi_dimm,virtio_mem,dax_kmem`):
 * the invariants hold in every state the drivers reach, and the search finds states the plain
 * operations cannot reach (memory groups, driver-managed resources).
 */
import { describe, expect, it } from 'vitest';
import { DRIVER_OPS, explore, operationsOf, smallMachine } from '../../src/check/index.ts';

describe('explore with the drivers', { timeout: 180_000 }, () => {
  it('lists each driver\'s operations after the default set', () => {
    const m = smallMachine({ kernel: '6.8', blocks: 2 });
    const base = operationsOf(m);
    const ops = operationsOf(m, { extraOps: [...DRIVER_OPS] });
    expect(ops.slice(0, base.length)).toEqual(base);
    expect(ops.slice(base.length).map((o) => o.op)).toEqual([
      ...Array(3).fill('acpi_dimm_add'),
      ...Array(3).fill('acpi_dimm_eject'),
      'virtio_mem_add',
      ...Array(3).fill('virtio_mem_resize'),
      'dax_kmem_add',
      'dax_kmem_remove',
    ]);
    // 6.8 with memmap_on_memory on (the small machine's default from 5.13): the dax device asks for it
    expect(ops.find((o) => o.op === 'dax_kmem_add')).toMatchObject({ memmap_on_memory: true });
  });

  for (const kernel of ['6.8', '5.13'] as const)
    it(`${kernel}: every invariant holds in every state the drivers reach (depth 3, 2 blocks)`, () => {
      const plain = explore({ kernel, blocks: 2, depth: 3 });
      const r = explore({ kernel, blocks: 2, depth: 3, extraOps: [...DRIVER_OPS], ...(kernel === '6.8' ? { params: { online_policy: 'auto-movable' as const } } : {}) });
      expect(r.counterexample).toBeNull();
      expect(r.complete).toBe(true);
      expect(r.statesExplored).toBeGreaterThan(plain.statesExplored);
    });
});
