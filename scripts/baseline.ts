/**
 * The practical ceiling for replay: a hand-written mutable loop applying the
 * same decoded events to plain objects. No sharing, no freezing, no history —
 * it can only ever answer "the world at the end".
 */
import type { MemhpEvent } from '../src/engine/events.ts';
import { ZONE_INDEX } from '../src/engine/world.ts';

interface Entity {
  state: string;
  [k: string]: unknown;
}

export function baselineReplay(events: readonly MemhpEvent[]): { blocks: (Entity | undefined)[]; sections: (Entity | undefined)[]; counters: Float64Array } {
  // arrays indexed by id and a flat counter array: as fast as plain JavaScript gets
  const blocks: (Entity | undefined)[] = [];
  const sections: (Entity | undefined)[] = [];
  const counters = new Float64Array(64 * 4 * 3);
  const heads = new Map<number, number>();
  for (const e of events) {
    switch (e.type) {
      case 'transition': {
        if (e.machine === 'hotplug') break;
        const table = e.machine === 'memory_block' ? blocks : sections;
        const id = +e.actor.slice(e.machine === 'memory_block' ? 6 : 7);
        if (e.to === 'removed') table[id] = undefined;
        else {
          let o = table[id];
          if (!o) table[id] = o = { state: e.to };
          const ctx = e.context;
          for (const k in ctx) o[k] = ctx[k];
          o.state = e.to;
        }
        break;
      }
      case 'account': {
        const k = (e.node * 4 + (e.zone === null ? 0 : ZONE_INDEX[e.zone])) * 3;
        counters[k] += e.presentPages ?? 0;
        counters[k + 1] += e.managedPages ?? 0;
        counters[k + 2] += e.memmapPages ?? 0;
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
