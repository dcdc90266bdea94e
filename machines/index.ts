import { memoryBlockMachine } from './memory-block.ts';
import { sectionMachine } from './section.ts';
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
