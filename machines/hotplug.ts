/**
 * The hotplug system as a whole: its runtime parameters and whether the
 * simulated kernel has oopsed (tainted). A taint never goes away.
 */
import { assign, setup } from 'xstate';
import type { Params } from '../src/kernel/types.ts';

export interface HotplugContext {
  params: Params;
  oopses: number;
}

export type HotplugEvent =
  | { type: 'BOOT'; set: Partial<HotplugContext> }
  | { type: 'SET_PARAM'; set: Partial<HotplugContext> }
  | { type: 'OOPS'; set: Partial<HotplugContext> };

export const hotplugMachine = setup({
  types: {
    context: {} as HotplugContext,
    events: {} as HotplugEvent,
    input: {} as Partial<HotplugContext> | undefined,
  },
  actions: {
    apply: assign(({ event }) => event.set ?? {}),
  },
}).createMachine({
  id: 'hotplug',
  context: ({ input }) => ({ params: {} as Params, oopses: 0, ...input }),
  initial: 'absent',
  states: {
    absent: { on: { BOOT: { target: 'running', actions: 'apply' } } },
    running: {
      on: {
        SET_PARAM: { actions: 'apply' },
        OOPS: { target: 'tainted', actions: 'apply' },
      },
    },
    tainted: {
      on: {
        SET_PARAM: { actions: 'apply' },
        OOPS: { actions: 'apply' },
      },
    },
  },
});
