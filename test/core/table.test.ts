/**
 * The persistent table under the world: drafts copy what they touch, edits
 * of draft-owned entries write in place, and nothing reachable from an
 * earlier table ever changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyTable, TableDraft, tableGet, tableToArray, type Table } from '../../src/engine/table.ts';

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
        }
        table = draft.finish();
        expect(tableToArray(table).map((e) => [e.id, e.v])).toEqual([...model].sort((a, b) => a[0] - b[0]));
        expect(table.size).toBe(model.size);
        for (const [t, snap] of history) expect(snapshot(t)).toBe(snap);
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
