/** Paths and predicates: parsing, errors that name the column, and the fast evaluator agreeing with the full view. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { toView } from '../../src/engine/to-view.ts';
import { evaluate, evaluateInView, parsePath, parsePredicate, Timeline } from '../../src/timeline/index.ts';
import { logOf, scenarioArb, SPEC_V2, STORY, storyLog } from './helpers/logs.ts';

/** Every leaf and entity path of a view, in the path grammar, plus some that name nothing. */
function pathsOf(view: ReturnType<typeof toView>): string[] {
  const out = ['tainted', 'faults.length', 'faults[0].block', 'blocks.length', 'zones.length', 'params.online_policy', 'injection.MEM_GOING_ONLINE', 'seq', 'pageSize', 'blocks[9999].state', 'zones[7].Normal', 'nodes[5]', 'vmemmap[1].refcount', 'nope', 'blocks["64"].state'];
  for (const b of view.blocks) out.push(`blocks[${b.id}]`, ...Object.keys(b).map((k) => `blocks[${b.id}].${k}`));
  for (const s of view.sections) out.push(`sections[${s.nr}]`, `sections[${s.nr}].memmap.kind`, `sections[${s.nr}].memmapLost`, `sections[${s.nr}].state`);
  for (const z of view.zones) out.push(`zones[${z.node}]`, `zones[${z.node}].${z.zone}`, `zones[${z.node}].${z.zone}.managedPages`, `zones[${z.node}].${z.zone}.startPfn`);
  for (const n of view.nodes) out.push(`nodes[${n.id}]`, `nodes[${n.id}].freeKernelPages`, `nodes[${n.id}].online`);
  for (const v of view.vmemmap) out.push(`vmemmap[${v.headPfn}]`, `vmemmap[0x${v.headPfn.toString(16)}].sections.length`, `vmemmap[${v.headPfn}].sections[0]`, `vmemmap[${v.headPfn}].orphaned`);
  return out;
}

describe('paths', () => {
  test('name entities by kernel identity, not by position', () => {
    const tl = Timeline.fromEvents(SPEC_V2, storyLog());
    tl.seek(tl.length); // block 64 is gone: blocks[65] must still be memory65
    const view = tl.view();
    expect(evaluateInView(view, parsePath('blocks[65].id'))).toBe(65);
    expect(evaluate(tl.world, parsePath('blocks[65].state'))).toBe('online');
    expect(evaluate(tl.world, parsePath('blocks[64]'))).toBeUndefined();
    expect(evaluate(tl.world, parsePath('zones[0].Movable.managedPages'))).toBe(32768);
    expect(evaluate(tl.world, parsePath('sections[65].memmapLost'))).toBe(true);
    expect(evaluate(tl.world, parsePath('vmemmap[0x200000].refcount'))).toBe(7);
    expect(evaluate(tl.world, parsePath('faults[0].access'))).toBe('touch');
  });

  test('the fast evaluator gives exactly what the full WorldView gives, on random worlds', () => {
    fc.assert(
      fc.property(scenarioArb, fc.double({ min: 0, max: 1, noNaN: true }), ({ spec, ops }, x) => {
        const events = logOf(ops, spec);
        const tl = Timeline.fromEvents(spec, events);
        const world = tl.worldAt(Math.round(x * events.length));
        const view = toView(world);
        for (const text of pathsOf(view)) {
          const p = parsePath(text);
          expect([text, evaluate(world, p)]).toEqual([text, evaluateInView(view, p)]);
        }
      }),
      { numRuns: 40 },
    );
  });

  test('malformed paths are refused with the column', () => {
    expect(() => parsePath('blocks[66')).toThrow('expected ] at column 10 of "blocks[66"');
    expect(() => parsePath('blocks[x].state')).toThrow('expected an integer or a quoted key inside [ ] at column 8');
    expect(() => parsePath('blocks..state')).toThrow('expected a name at column 8');
    expect(() => parsePath('9blocks')).toThrow('expected a name at column 1');
  });
});

describe('predicates', () => {
  const tl = Timeline.fromEvents(SPEC_V2, storyLog());
  const at = (n: number) => tl.worldAt(n);
  const holds = (src: string, n: number) => parsePredicate(src).test(at(n));

  test('the documented examples mean what they say', () => {
    expect(holds('blocks[65].state == "online"', STORY.memory65Online)).toBe(true);
    expect(holds('blocks[65].state == "online"', STORY.memory65Online - 1)).toBe(false);
    expect(holds('tainted', STORY.tainted)).toBe(true);
    expect(holds('tainted', STORY.fault)).toBe(false);
    expect(holds('zones[0].Movable.managedPages > 0', STORY.memory64Online + 2)).toBe(true);
    expect(holds('zones[0].Movable.managedPages > 0', STORY.memory64Online)).toBe(false);
    expect(holds('faults.length > 0', STORY.fault)).toBe(true);
    expect(holds('faults', STORY.fault)).toBe(true);
    expect(holds('faults', STORY.touchOp)).toBe(false);
  });

  test('operators, literals, missing values and precedence', () => {
    const n = STORY.orphaned;
    expect(holds('blocks[64] == null && blocks[65] != null', n)).toBe(true);
    expect(holds('blocks[99].state != "online"', n)).toBe(true);
    expect(holds('!(vmemmap[0x200000].refcount >= 8) || false', n)).toBe(true);
    expect(holds('vmemmap[2097152].refcount == 7 && vmemmap[2097152].orphaned == true', n)).toBe(true);
    expect(holds('blocks[65].startPfn == 0x208000', n)).toBe(true);
    expect(holds("blocks[65].zone == 'Movable'", n)).toBe(true);
    expect(holds('null < 1', n)).toBe(false);
    expect(holds('-1 < 0 && 1.5 > 1', n)).toBe(true);
    expect(holds('true || false && false', n)).toBe(true);
    expect(holds('vmemmap[0x200000].sections == vmemmap[0x200000].sections', n)).toBe(true);
  });

  test('invalid predicates are refused with the column and a caret', () => {
    expect(() => parsePredicate('blocks[65].state = "online"')).toThrow('"=" is not an operator (use "==") at column 18');
    expect(() => parsePredicate('blocks[65].state == ')).toThrow('expected a value');
    expect(() => parsePredicate('(tainted')).toThrow('expected ) at column 9');
    expect(() => parsePredicate('tainted &&& x')).toThrow('unexpected "&" at column 11');
    expect(() => parsePredicate('blocks[65.state')).toThrow('expected ] at column 10');
    expect(() => parsePredicate('state == "online')).toThrow('unterminated string at column 10');
    expect(() => parsePredicate('   ')).toThrow('the predicate is empty');
    try {
      parsePredicate('tainted ==');
    } catch (e) {
      expect((e as Error).message).toBe('invalid predicate: expected a value (a path, number, string, true, false or null) but the predicate ended at column 11\n  tainted ==\n            ^');
    }
    expect.assertions(8);
  });
});
