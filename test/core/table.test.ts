/**
 * The persistent table under the world: drafts copy what they touch, edits
 * of draft-owned entries write in place, and nothing reachable from an
 * earlier table ever changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyTable, TableDraft, tableGet, tableToArray, type Table } from '../../src/engine/table.ts';
import { entries } from '../../src/check/walk.ts';
import { changedKeys } from '../../src/timeline/diff.ts';

type Entry = { id: number; v: number };
const snapshot = (t: Table<Entry>) => JSON.stringify(tableToArray(t));

const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), id: fc.integer({ min: 0, max: 2000 }), v: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 2000 }) }),
  fc.record({ kind: fc.constant('edit' as const), id: fc.integer({ min: 0, max: 2000 }), v: fc.integer() }),
  fc.record({ kind: fc.constant('finish' as const) }),
);

describe('Table and TableDraft', () => {
  it('behave like a map, and earlier tables never change', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const model = new Map<number, number>();
        let table = emptyTable<Entry>();
        let draft = new TableDraft(table);
        const history: [Table<Entry>, string][] = [[table, snapshot(table)]];
        for (const o of ops) {
          if (o.kind === 'set') {
            draft.set(o.id, { id: o.id, v: o.v });
            model.set(o.id, o.v);
          } else if (o.kind === 'delete') {
            draft.set(o.id, undefined);
            model.delete(o.id);
          } else if (o.kind === 'edit') {
            draft.edit(o.id, () => ({ id: o.id, v: 0 })).v = o.v;
            model.set(o.id, o.v);
          } else {
            table = draft.finish();
            history.push([table, snapshot(table)]);
            draft = new TableDraft(table);
          }
          for (const [id, v] of model) expect(draft.get(id)?.v).toBe(v);
          // find() sees the draft's writes, in key order, as values() does
          const odd = [...model].sort((a, b) => a[0] - b[0]).find(([, v]) => v % 2 !== 0);
          expect(draft.find((e) => e.v % 2 !== 0)?.id).toBe(odd?.[0]);
          expect(draft.find((e) => e.v % 2 !== 0)).toBe([...draft.values()].find((e) => e.v % 2 !== 0));
        }
        table = draft.finish();
        expect(tableToArray(table).map((e) => [e.id, e.v])).toEqual([...model].sort((a, b) => a[0] - b[0]));
        expect(table.size).toBe(model.size);
        for (const [t, snap] of history) expect(snapshot(t)).toBe(snap);
      }),
    );
  });

  it('gives every reader the right keys, however short a chunk is (a chunk is only as long as its highest slot needs)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1300 }), fc.boolean()), { maxLength: 60 }), (writes) => {
        const before = new Map<number, Entry>();
        const d0 = new TableDraft(emptyTable<Entry>());
        for (const [id] of writes.slice(0, writes.length >> 1)) {
          const e = { id, v: 0 };
          d0.set(id, e);
          before.set(id, e);
        }
        const a = d0.finish();
        const after = new Map(before);
        const d1 = new TableDraft(a);
        for (const [id, del] of writes.slice(writes.length >> 1)) {
          if (del) {
            d1.set(id, undefined);
            after.delete(id);
          } else {
            const e = { id, v: 1 };
            d1.set(id, e);
            after.set(id, e);
          }
        }
        const b = d1.finish();
        const sorted = (m: Map<number, Entry>) => [...m.keys()].sort((x, y) => x - y);
        expect(entries(a).map(([k]) => k)).toEqual(sorted(before));
        expect(entries(b).map(([k, v]) => [k, v.id])).toEqual(sorted(after).map((k) => [k, k]));
        const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k)).sort((x, y) => x - y);
        expect(changedKeys(a, b)).toEqual(changed);
      }),
    );
  });

  it('shares untouched chunks and entries with the table it came from', () => {
    const d = new TableDraft(emptyTable<Entry>());
    for (let id = 0; id < 1024; id++) d.set(id, { id, v: id });
    const a = d.finish();
    const d2 = new TableDraft(a);
    d2.edit(5).v = -5;
    const b = d2.finish();
    expect(tableGet(a, 5)?.v).toBe(5);
    expect(tableGet(b, 5)?.v).toBe(-5);
    expect(b.chunks[1]).toBe(a.chunks[1]);
    expect(tableGet(b, 700)).toBe(tableGet(a, 700));
  });
});
