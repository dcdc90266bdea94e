import { MEMORY_BLOCK_EMPTY, memoryBlockMachine } from './memory-block.ts';
import { SECTION_EMPTY, sectionMachine } from './section.ts';
import { hotplugMachine } from './hotplug.ts';
import type { MachineKind } from '../src/engine/events.ts';

export { memoryBlockMachine, sectionMachine, hotplugMachine };
export type { MemoryBlockContext, MemoryBlockEvent } from './memory-block.ts';
export type { SectionContext, SectionEvent } from './section.ts';
export type { HotplugContext, HotplugEvent } from './hotplug.ts';

export const MACHINES = {
  memory_block: memoryBlockMachine,
  section: sectionMachine,
  hotplug: hotplugMachine,
} as const satisfies Record<MachineKind, unknown>;

/** The context each machine starts from before its ADD/BOOT assigns the rest. */
export const EMPTY_CONTEXT: Record<MachineKind, Record<string, unknown>> = {
  memory_block: { ...MEMORY_BLOCK_EMPTY },
  section: { ...SECTION_EMPTY },
  hotplug: { params: {}, oopses: 0 },
};
