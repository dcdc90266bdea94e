/**
 * Types through the gate (docs/README.md, principle 2): the events, contexts
 * and states an operation sends to a machine are the machine's own types, so
 * a misspelled event or context field does not compile, and the gate still
 * refuses at run time what a machine does not declare (a log is only as
 * typed as its schema). The `@ts-expect-error` lines below are checked by
 * `npm run typecheck`; the last test compiles such lines itself, so that
 * `npm test` sees each of them fail too.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { MachineEvent, MachineState, MemoryBlockContext, SectionContext } from '../../machines/index.ts';
import { IllegalTransition } from '../../src/engine/gate.ts';
import { Tx } from '../../src/engine/tx.ts';
import type { BlockState, SectionState } from '../../src/engine/world.ts';
import { boot, GiB } from './helpers.ts';

/** A transaction on a booted 4 GiB machine (memory0 and section0 online). */
function txOnBootedMachine(gate: 'live' | 'table'): Tx {
  const s = boot({ boot: [{ size: 4 * GiB }] }, { actors: gate });
  return new Tx(s.world, s.gate, { op: 'signal' });
}

describe('transitions are typed by their machine', () => {
  for (const gate of ['live', 'table'] as const) {
    it(`an event the machine does not declare is refused at run time too (${gate} gate)`, () => {
      const tx = txOnBootedMachine(gate);
      // @ts-expect-error ONLIEN is no memory_block event
      expect(() => tx.transition('memory_block', 0, { type: 'ONLIEN' })).toThrow(IllegalTransition);
      // @ts-expect-error OFFLINE_BEGIN is a memory_block event, not a section's
      expect(() => tx.transition('section', 0, { type: 'OFFLINE_BEGIN' })).toThrow(IllegalTransition);
      // a declared event still goes through and is recorded with its context
      tx.transition('memory_block', 0, { type: 'PIN', set: { pinned: true } });
      expect(tx.events.at(-1)).toMatchObject({ type: 'transition', actor: 'memory0', event: { type: 'PIN' }, from: 'online', to: 'online', context: { pinned: true } });
    });
  }

  it('the states and events of a machine are its own', () => {
    expectTypeOf<MachineEvent<'memory_block'>['type']>().toEqualTypeOf<'ADD' | 'ONLINE' | 'OFFLINE_BEGIN' | 'OFFLINE_CANCEL' | 'OFFLINE_DONE' | 'PIN' | 'UNPIN' | 'SET_ONLINE_TYPE' | 'FAKE_OFFLINE' | 'REMOVE'>();
    expectTypeOf<MachineState<'section'>>().toEqualTypeOf<'absent' | 'present' | 'online' | 'removed'>();
    const tx = txOnBootedMachine('table');
    tx.transition('memory_block', 0, { type: 'OFFLINE_BEGIN' });
    expect(tx.draft.block(0)?.state).toBe('going-offline');
  });

  it("a block's and a section's world record is their machine's context plus the state they exist in", () => {
    expectTypeOf<Omit<BlockState, 'state'>>().toEqualTypeOf<Readonly<MemoryBlockContext>>();
    expectTypeOf<BlockState['state']>().toEqualTypeOf<'offline' | 'going-offline' | 'online'>();
    expectTypeOf<SectionState['state']>().toEqualTypeOf<'present' | 'online'>();
    expectTypeOf<SectionState>().toExtend<Readonly<SectionContext>>();
    const tx = txOnBootedMachine('table');
    const b: BlockState | undefined = tx.draft.block(0);
    expect(b).toMatchObject({ id: 0, state: 'online', early: true });
  });

  it('tsc rejects a misspelled event or context field, a missing context and an id for the hotplug system, each on its line', () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const file = `${here}__transition-typos.ts`;
    const lines = [
      `import type { Tx } from '../../src/engine/tx.ts';`,
      `export function f(tx: Tx) {`,
      `  tx.transition('memory_block', 65, { type: 'ONLIEN' });`,
      `  tx.transition('memory_block', 65, { type: 'PIN', set: { pined: true } });`,
      `  tx.transition('memory_block', 65, { type: 'ONLINE', set: { zone: 'Highmem' } });`,
      `  tx.transition('section', 520, { type: 'ADD' });`,
      `  tx.transition('hotplug', 0, { type: 'TAINT', set: { taint: 512 } });`,
      `  tx.transition('section', 520, { type: 'ONLINE' });`,
      `}`,
    ];
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    host.readFile = (name) => (name === file ? lines.join('\n') : read(name));
    const exists = host.fileExists.bind(host);
    host.fileExists = (name) => name === file || exists(name);
    const program = ts.createProgram([file], options, host);
    const source = program.getSourceFile(file)!;
    const errors = ts.getPreEmitDiagnostics(program, source).map((d) => ({
      line: source.getLineAndCharacterOfPosition(d.start!).line,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));
    // one error on each wrong line, none on the right one (line 7)
    expect(errors.map((e) => e.line).sort()).toEqual([2, 3, 4, 5, 6]);
    const on = (line: number) => errors.find((e) => e.line === line)!.message;
    expect(on(2)).toMatch(/"ONLIEN"/);
    expect(on(3)).toMatch(/pined/);
    expect(on(4)).toMatch(/"Highmem"/);
    expect(on(5)).toMatch(/set/);
    expect(on(6)).toMatch(/'0'|number/);
  });
});
