/**
 * The lifecycle of one sparsemem section (struct mem_section).
 * present = SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP (sparse_add_section),
 * online  = SECTION_IS_ONLINE (online_mem_sections), removed = section_deactivate
 * cleared the map.
 */
import { assign, setup } from 'xstate';
import type { MemmapPlacement } from '../src/kernel/memmap-on-memory.ts';

export interface SectionContext {
  nr: number;
  nid: number;
  block: number;
  early: boolean;
  memmap: MemmapPlacement | null;
}

type Patch = Partial<SectionContext>;
export type SectionEvent =
  | { type: 'ADD'; set: Patch }
  | { type: 'ONLINE'; set?: Patch }
  | { type: 'OFFLINE'; set?: Patch }
  | { type: 'REMOVE'; set?: Patch };

export const SECTION_EMPTY: SectionContext = { nr: -1, nid: 0, block: -1, early: false, memmap: null };

export const sectionMachine = setup({
  types: {
    context: {} as SectionContext,
    events: {} as SectionEvent,
    input: {} as Partial<SectionContext> | undefined,
  },
  actions: {
    apply: assign(({ event }) => event.set ?? {}),
  },
}).createMachine({
  id: 'section',
  context: ({ input }) => ({ ...SECTION_EMPTY, ...input }),
  initial: 'absent',
  states: {
    absent: { on: { ADD: { target: 'present', actions: 'apply' } } },
    present: {
      on: {
        ONLINE: { target: 'online', actions: 'apply' },
        REMOVE: { target: 'removed', actions: 'apply' },
      },
    },
    online: { on: { OFFLINE: { target: 'present', actions: 'apply' } } },
    removed: { type: 'final' },
  },
});
