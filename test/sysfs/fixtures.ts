import { defaultConfig } from '../../src/kernel/config.ts';
/**
 * Hand-built WorldViews for the sysfs tests (x86_64, 4 KiB pages, 128 MiB
 * sections and blocks), until the engine can produce them.
 */
import type { BlockView, NodeView, WorldView } from '../../src/engine/view.ts';
import type { Era, KernelConfig, Params, ZoneName } from '../../src/kernel/types.ts';
import { DEFAULT_PARAMS as SCENARIO_DEFAULT_PARAMS } from '../../src/scenario/defaults.ts';

export const PAGE_SIZE = 4096;
export const BLOCK_SIZE = 128 * 1024 * 1024;
const PAGES_PER_BLOCK = BLOCK_SIZE / PAGE_SIZE;

export const DEFAULT_PARAMS: Params = { ...SCENARIO_DEFAULT_PARAMS };

export function block(id: number, node: number, state: BlockView['state'], zone: ZoneName | null, validZones: string, extra: Partial<BlockView> = {}): BlockView {
  return {
    id,
    state,
    zone: state === 'offline' ? null : zone,
    node,
    startPfn: id * PAGES_PER_BLOCK,
    nrPages: PAGES_PER_BLOCK,
    vmemmapPages: 0,
    validZones,
    early: false,
    onlineType: 'offline',
    pinned: false,
    kernelAllocations: false,
    group: null,
    ...extra,
  };
}

function node(id: number, online: boolean): NodeView {
  return { id, online, memmapPages: 0, presentPages: 0, managedPages: 0, freeKernelPages: 0 };
}

export function view(blocks: BlockView[], opts: { kernel?: Era; params?: Partial<Params>; nodes?: NodeView[]; config?: Partial<KernelConfig> } = {}): WorldView {
  return {
    version: 1,
    seq: 7,
    arch: 'x86_64',
    kernel: opts.kernel ?? '6.8',
    pageSize: PAGE_SIZE,
    sectionSizeBytes: BLOCK_SIZE,
    blockSizeBytes: BLOCK_SIZE,
    params: { ...DEFAULT_PARAMS, ...opts.params },
    // the distribution defaults of x86_64 in that era (the probe file is opt-in there)
    config: { ...defaultConfig('x86_64', opts.kernel ?? '6.8'), ...opts.config },
    blocks,
    sections: [],
    zones: [],
    nodes: opts.nodes ?? [node(0, true), node(1, true)],
    vmemmap: [],
    faults: [],
    tainted: false,
    taint: 0,
    taintFlags: '',
    injection: { MEM_GOING_ONLINE: 0, MEM_GOING_OFFLINE: 0 },
    signalPending: false,
  };
}

export { node };

/**
 * Two nodes. Node 0: block 0 spans DMA and DMA32 (valid_zones "none"),
 * 1-2 DMA32, 3 going offline, 4 DMA32 with a pinned page. Node 1: 5-6
 * Normal; a gap (7-15); a hot-added range 16-19 offline, 20 onlined
 * movable, 21 offline.
 */
export function mixedBlocks(): BlockView[] {
  const early = { early: true };
  return [
    block(0, 0, 'online', null, 'none', early),
    block(1, 0, 'online', 'DMA32', 'DMA32', early),
    block(2, 0, 'online', 'DMA32', 'DMA32', early),
    block(3, 0, 'going-offline', 'DMA32', 'DMA32', early),
    block(4, 0, 'online', 'DMA32', 'DMA32', { ...early, pinned: true }),
    block(5, 1, 'online', 'Normal', 'Normal', early),
    block(6, 1, 'online', 'Normal', 'Normal', early),
    block(16, 1, 'offline', null, 'Normal Movable'),
    block(17, 1, 'offline', null, 'Normal Movable'),
    block(18, 1, 'offline', null, 'Normal Movable'),
    block(19, 1, 'offline', null, 'Normal Movable'),
    block(20, 1, 'online', 'Movable', 'Movable'),
    block(21, 1, 'offline', null, 'Normal Movable'),
  ];
}
