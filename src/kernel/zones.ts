/**
 * Boot memory's zones by address (DMA, DMA32 from the arch's limits, then
 * Normal), and the arithmetic of a node's free kernel memory.
 */
import type { Geometry } from './geometry.ts';
import type { KernelReader } from './reader.ts';
import type { ZoneName } from './types.ts';

/** The zone of each part of [startPfn, endPfn): [zone, firstPfn, nrPages][] */
export function bootZoneSplit(g: Geometry, startPfn: number, endPfn: number): [ZoneName, number, number][] {
  const out: [ZoneName, number, number][] = [];
  let p = startPfn;
  for (const { zone, end } of g.profile.lowZones) {
    const zEnd = Math.floor(end / g.pageSize);
    if (p < zEnd && p < endPfn) {
      const e = Math.min(zEnd, endPfn);
      out.push([zone, p, e - p]);
      p = e;
    }
  }
  if (p < endPfn) out.push(['Normal', p, endPfn - p]);
  return out;
}

export const KERNEL_ZONES = ['DMA', 'DMA32', 'Normal'] as const;

/**
 * Pages of a node's kernel zones free for kernel allocations (vmemmap, pgdat…):
 * managed pages minus boot allocations (`used`) and the regular memmaps of
 * later adds (the boot memmap is already outside managed). 0 on a node that
 * is offline or does not exist.
 */
export function freeKernelPages(r: Pick<KernelReader, 'node' | 'zone'>, node: number): number {
  const n = r.node(node);
  if (!n || !n.online) return 0;
  let managed = 0;
  for (const z of KERNEL_ZONES) managed += r.zone(node, z)?.managedPages ?? 0;
  return managed - n.usedPages - (n.memmapPages - n.bootMemmapPages);
}
