/**
 * Small builders shared by the core tests: a system description with the
 * kernel's defaults, a running system, and readers for the parts of the
 * world view the tests look at.
 */
import { afterEach } from 'vitest';
import { HotplugSystem, type Op, type WorldView, type SystemOptions, type MhpFlag } from '../../src/index.ts';

export { GiB, KiB, MiB, makeSpec, type SpecInput } from './spec.ts';
import { makeSpec, type SpecInput } from './spec.ts';

const running: HotplugSystem[] = [];
afterEach(() => {
  for (const s of running.splice(0)) s.stop();
});

/** A booted system; its live actors are stopped after the test. */
export function boot(input: SpecInput = {}, options: SystemOptions = {}): HotplugSystem {
  const s = new HotplugSystem(makeSpec(input), options);
  running.push(s);
  return s;
}

/** Applies ops in order; throws with the op and its message if one fails. */
export function ok(s: HotplugSystem, ...ops: Op[]): void {
  for (const op of ops) {
    const r = s.apply(op);
    if (r.ret !== 0) throw new Error(`${JSON.stringify(op)} failed: ${r.errno} ${r.message ?? ''}`);
  }
}

export const add = (start: number, size: number, flags: MhpFlag[] = [], node = 0): Op => ({
  op: 'add_memory',
  node,
  start,
  size,
  flags,
});
export const state = (block: number, value: 'online' | 'online_kernel' | 'online_movable' | 'offline'): Op => ({ op: 'state', block, value });
export const remove = (start: number, size: number): Op => ({ op: 'remove_memory', start, size });

export const blockOf = (v: WorldView, id: number) => v.blocks.find((b) => b.id === id);
export const sectionOf = (v: WorldView, nr: number) => v.sections.find((s) => s.nr === nr);
export const zoneOf = (v: WorldView, node: number, zone: string) => v.zones.find((z) => z.node === node && z.zone === zone);
export const nodeOf = (v: WorldView, id: number) => v.nodes.find((n) => n.id === id);

/** The parts of the view a failed operation must leave as they were. */
export function memoryParts(v: WorldView) {
  return { blocks: v.blocks, sections: v.sections, zones: v.zones, nodes: v.nodes, vmemmap: v.vmemmap };
}
