/**
 * The practical ceiling for replay: a hand-written mutable loop applying the
 * same decoded events to plain objects. No sharing, no freezing, no history —
 * it can only ever answer "the world at the end".
 */
import type { MemhpEvent } from '../src/engine/events.ts';

interface Entity {
  state: string;
  [k: string]: unknown;
}

export function baselineReplay(events: readonly MemhpEvent[]): { blocks: Map<number, Entity>; sections: Map<number, Entity>; counters: Map<string, number> } {
  const blocks = new Map<number, Entity>();
  const sections = new Map<number, Entity>();
  const counters = new Map<string, number>();
  const heads = new Map<number, number>();
  for (const e of events) {
    switch (e.type) {
      case 'transition': {
        if (e.machine === 'hotplug') break;
        const table = e.machine === 'memory_block' ? blocks : sections;
        const id = +e.actor.slice(e.machine === 'memory_block' ? 6 : 7);
        if (e.to === 'removed') table.delete(id);
        else {
          let o = table.get(id);
          if (!o) table.set(id, (o = { state: e.to }));
          Object.assign(o, e.context);
          o.state = e.to;
        }
        break;
      }
      case 'account': {
        const k = `${e.node}:${e.zone}`;
        counters.set(k, (counters.get(k) ?? 0) + (e.presentPages ?? 0) + (e.managedPages ?? 0) + (e.memmapPages ?? 0));
        break;
      }
      case 'vmemmap':
        if (e.action === 'free') heads.delete(e.headPfn);
        else heads.set(e.headPfn, e.refcount);
        break;
      default:
        break;
    }
  }
  return { blocks, sections, counters };
}
