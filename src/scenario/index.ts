/** Scenario files: sizes, parsing with validation and defaults, and writing back. */
export { parseSize, formatSize, trySize, SizeError } from '../input/size.ts';
export type { SizeResult } from '../input/size.ts';
export { parseScenario, validateScenario, loadScenarioFile } from './parse.ts';
export { ScenarioError, formatPath } from './errors.ts';
export type { ScenarioProblem } from './errors.ts';
export { scenarioToJson, scenarioToObject } from './serialise.ts';
export { OP_NAMES } from '../kernel/ops.ts';
export {
  DEFAULT_KERNEL,
  DEFAULT_ARCH,
  DEFAULT_HYPERVISOR,
  DEFAULT_SPARSEMEM,
  DEFAULT_MAX_FREE_ORDER,
  LARGEST_MAX_PAGE_ORDER,
  DEFAULT_BOOT_NODE,
  DEFAULT_PARAMS,
  DEFAULT_ADD_NODE,
} from './defaults.ts';
