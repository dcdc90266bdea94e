/**
 * copyRecord, the engine's shallow copy of a record (table entries, event
 * contexts): what `{ ...o }` gives, keys in order, and a parsed log's
 * `__proto__` key stays an own key of the copy, never its prototype.
 */
import { describe, expect, it } from 'vitest';
import { copyRecord } from '../../src/engine/copy.ts';
import { evolveAll } from '../../src/engine/evolve.ts';
import { emptyWorld } from '../../src/engine/world.ts';
import { specFor } from './arbitraries.ts';

describe('copyRecord', () => {
  it('copies own keys in order into a new plain object, as spread does', () => {
    const o = { id: 3, nid: 0, zone: null, online_type: 'offline', memmap: { kind: 'boot', node: 0 } };
    const c = copyRecord(o);
    expect(c).not.toBe(o);
    expect(Object.keys(c)).toEqual(Object.keys(o));
    expect(c).toEqual({ ...o });
    expect(c.memmap).toBe(o.memmap);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
  });

  it('keeps a parsed "__proto__" key an own key: the copy inherits nothing from it', () => {
    const o = JSON.parse('{"nr": 1, "__proto__": {"state": "online"}}') as Record<string, unknown>;
    const c = copyRecord(o);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(Object.hasOwn(c, '__proto__')).toBe(true);
    expect((c as { state?: unknown }).state).toBeUndefined();
  });

  it('a logged transition whose context holds "__proto__" makes an entry with that own key and its own state', () => {
    const w = emptyWorld(specFor('6.8', false));
    const context = JSON.parse('{"id": 0, "nid": 0, "__proto__": {"pinned": true}}') as Record<string, unknown>;
    const next = evolveAll(w, [{ type: 'transition', seq: 1, machine: 'memory_block', actor: 'memory0', event: { type: 'ADD' }, from: 'absent', to: 'offline', context } as never]);
    const b = next.blocks.chunks[0]![0] as unknown as Record<string, unknown>;
    expect(b.state).toBe('offline');
    expect(Object.getPrototypeOf(b)).toBe(Object.prototype);
    expect(b.pinned).toBeUndefined();
  });
});
