import type { ContextFrom, EventFrom, StateValueFrom } from 'xstate';
import { MEMORY_BLOCK_EMPTY, memoryBlockMachine } from './memory-block.ts';
import { SECTION_EMPTY, sectionMachine } from './section.ts';
import { HOTPLUG_EMPTY, hotplugMachine } from './hotplug.ts';

export { memoryBlockMachine, sectionMachine, hotplugMachine };
export type { MemoryBlockContext, MemoryBlockEvent } from './memory-block.ts';
export type { SectionContext, SectionEvent } from './section.ts';
export type { HotplugContext, HotplugEvent } from './hotplug.ts';

export const MACHINES = {
  memory_block: memoryBlockMachine,
  section: sectionMachine,
  hotplug: hotplugMachine,
} as const;

/** A machine's name: what a transition event's `machine` field holds. */
export type MachineKind = keyof typeof MACHINES;
// Spelled out per machine (a mapped type would stay unresolved in code generic in the
// machine, which then could not see an event's `type`); a machine missing here fails to compile.
interface Events {
  memory_block: EventFrom<typeof memoryBlockMachine>;
  section: EventFrom<typeof sectionMachine>;
  hotplug: EventFrom<typeof hotplugMachine>;
}
interface Contexts {
  memory_block: ContextFrom<typeof memoryBlockMachine>;
  section: ContextFrom<typeof sectionMachine>;
  hotplug: ContextFrom<typeof hotplugMachine>;
}
interface States {
  memory_block: StateValueFrom<typeof memoryBlockMachine>;
  section: StateValueFrom<typeof sectionMachine>;
  hotplug: StateValueFrom<typeof hotplugMachine>;
}
/** The events a machine accepts: anything else does not compile where it is sent. */
export type MachineEvent<K extends MachineKind> = Events[K];
export type MachineContext<K extends MachineKind> = Contexts[K];
/** A machine's states, `absent` (before its ADD or BOOT) and the final `removed` included. */
export type MachineState<K extends MachineKind> = States[K];

/** The context each machine starts from before its ADD/BOOT assigns the rest. */
export const EMPTY_CONTEXT: { readonly [K in MachineKind]: Readonly<MachineContext<K>> } = {
  memory_block: MEMORY_BLOCK_EMPTY,
  section: SECTION_EMPTY,
  hotplug: HOTPLUG_EMPTY,
};
