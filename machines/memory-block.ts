/**
 * The lifecycle of one memory block (struct memory_block, drivers/base/memory.c).
 * States mirror mem->state as sysfs prints it; `absent` is before add_memory
 * created the device, `removed` after remove_memory deleted it.
 *
 * Every event carries `set`: the context fields the transition assigns. The
 * kernel rules that compute them live in src/engine/ops; this machine is the
 * single place that says which transitions are legal.
 */
import { assign, setup } from 'xstate';
import type { OnlineType, ZoneName } from '../src/kernel/types.ts';

export interface MemoryBlockContext {
  id: number;
  nid: number;
  zone: ZoneName | null;
  online_type: OnlineType;
  early: boolean;
  pinned: boolean;
  /** pages of this block holding vmemmap (altmap pages carved from this block) */
  nr_vmemmap_pages: number;
  /** pages of boot allocations (unmovable kernel memory) in this block */
  used_pages: number;
  /** mem->group: memory group id (5.15+); null or left out (blocks added without a group record none) for none */
  group?: number | null;
  /** the kernel's unmovable allocations landed here when it came online (docs/kernel-model.md §8.4); absent: none */
  kernel_allocations?: boolean;
  /** pages the owning driver keeps fake-offline (PageOffline: virtio-mem Sub Block Mode's unplugged sub-blocks, docs/drivers.md): present once online, never managed; absent: none */
  fake_offline_pages?: number;
}

type Patch = Partial<MemoryBlockContext>;
export type MemoryBlockEvent =
  | { type: 'ADD'; set: Patch }
  | { type: 'ONLINE'; set: Patch }
  | { type: 'OFFLINE_BEGIN'; set?: Patch }
  | { type: 'OFFLINE_CANCEL'; set?: Patch }
  | { type: 'OFFLINE_DONE'; set: Patch }
  | { type: 'PIN'; set: Patch }
  | { type: 'UNPIN'; set: Patch }
  /** state_store() stores mem->online_type before device_online(), which does nothing to an online block: the type stays for the next device_online() */
  | { type: 'SET_ONLINE_TYPE'; set: Patch }
  /** a driver plugged or unplugged part of the block (virtio-mem Sub Block Mode): fake_offline_pages changes, the state does not */
  | { type: 'FAKE_OFFLINE'; set: Patch }
  | { type: 'REMOVE'; set?: Patch };

export const MEMORY_BLOCK_EMPTY: MemoryBlockContext = {
  id: -1,
  nid: 0,
  zone: null,
  online_type: 'offline',
  early: false,
  pinned: false,
  nr_vmemmap_pages: 0,
  used_pages: 0,
  group: null,
};

export const memoryBlockMachine = setup({
  types: {
    context: {} as MemoryBlockContext,
    events: {} as MemoryBlockEvent,
    input: {} as Partial<MemoryBlockContext> | undefined,
  },
  actions: {
    apply: assign(({ event }) => event.set ?? {}),
  },
}).createMachine({
  id: 'memory_block',
  context: ({ input }) => ({ ...MEMORY_BLOCK_EMPTY, ...input }),
  initial: 'absent',
  states: {
    absent: { on: { ADD: { target: 'offline', actions: 'apply' } } },
    offline: {
      on: {
        ONLINE: { target: 'online', actions: 'apply' },
        REMOVE: { target: 'removed', actions: 'apply' },
        PIN: { actions: 'apply' },
        UNPIN: { actions: 'apply' },
        SET_ONLINE_TYPE: { actions: 'apply' },
        FAKE_OFFLINE: { actions: 'apply' },
      },
    },
    online: {
      on: {
        OFFLINE_BEGIN: { target: 'going-offline', actions: 'apply' },
        PIN: { actions: 'apply' },
        UNPIN: { actions: 'apply' },
        SET_ONLINE_TYPE: { actions: 'apply' },
        FAKE_OFFLINE: { actions: 'apply' },
      },
    },
    // visible in sysfs while offline_pages() isolates and migrates
    'going-offline': {
      on: {
        OFFLINE_DONE: { target: 'offline', actions: 'apply' },
        OFFLINE_CANCEL: { target: 'online', actions: 'apply' },
      },
    },
    removed: { type: 'final' },
  },
});
