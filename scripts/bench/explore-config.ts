/** Issue 19's configuration for every explore figure: --kernel 6.8 --blocks 4 --ops all --depth 8. */
import type { ExploreOptions } from '../../src/check/explore.ts';
import { EXTRA_OPS } from '../../src/check/machine.ts';

export const EXPLORE_CONFIG: ExploreOptions = { kernel: '6.8', blocks: 4, depth: 8, extraOps: [...EXTRA_OPS], maxStates: 50_000_000 };
