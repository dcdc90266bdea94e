/**
 * The hotplug system as a whole: its runtime parameters and whether the
 * simulated kernel is tainted — by an oops (BUG, a fault: TAINT_DIE) or a
 * WARN (TAINT_WARN). A taint never goes away.
 */
import { assign, setup } from 'xstate';
import type { Params } from '../src/kernel/types.ts';

export interface HotplugContext {
  params: Params;
  oopses: number;
  /** /proc/sys/kernel/tainted: TAINT_DIE (1 << 7) after an oops, TAINT_WARN (1 << 9) after a WARN. */
  taint: number;
  /** WARN_ON_ONCE() sites that have fired: they print once per boot. */
  warnedOnce: readonly string[];
}

export type HotplugEvent =
  | { type: 'BOOT'; set: Partial<HotplugContext> }
  | { type: 'SET_PARAM'; set: Partial<HotplugContext> }
  | { type: 'OOPS'; set: Partial<HotplugContext> }
  | { type: 'TAINT'; set: Partial<HotplugContext> };

/** The context before BOOT assigns the parameters. */
export const HOTPLUG_EMPTY: HotplugContext = { params: {} as Params, oopses: 0, taint: 0, warnedOnce: [] };

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
  context: ({ input }) => ({ ...HOTPLUG_EMPTY, ...input }),
  initial: 'absent',
  states: {
    absent: { on: { BOOT: { target: 'running', actions: 'apply' } } },
    running: {
      on: {
        SET_PARAM: { actions: 'apply' },
        OOPS: { target: 'tainted', actions: 'apply' },
        TAINT: { target: 'tainted', actions: 'apply' },
      },
    },
    tainted: {
      on: {
        SET_PARAM: { actions: 'apply' },
        OOPS: { actions: 'apply' },
        TAINT: { actions: 'apply' },
      },
    },
  },
});
