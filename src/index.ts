/**
 * memhp's library API (the package's main entry, `import … from 'memhp'`):
 * build a simulated hotplug system, apply operations, read the world, replay
 * and verify logs, travel a timeline, check invariants. The other entries:
 * `memhp/testing` (src/check: Given/When/Then, arbitraries, explore(),
 * counterexample logs), `memhp/vitest` (the matchers, registered on import)
 * and `memhp/scenario` (load and validate scenarios).
 */
export * from './kernel/types.ts';
export { OPS, OP_NAMES, type Op, type OpName, type Scenario } from './kernel/ops.ts';
export { ERRNO, errnoName, KernelError } from './kernel/errno.ts';
export { blockSizeOf, geometryOf, probeX86BlockSize, nr_vmemmap_pages, GeometryError, type Geometry } from './kernel/geometry.ts';
export { PROFILES, ERA_ORDER } from './kernel/profiles.ts';
export { FEATURES, FEATURE_IDS, ERA_RELEASE, hasFeature, erasWith, missingFeature, paramProblem, flagProblem, opProblem, effectiveParams, type Feature, type FeatureId } from './kernel/features.ts';
export { CONFIG_OPTIONS, kernelConfig, defaultConfig, optionRule, configProblem, type ConfigOption, type KernelConfig } from './kernel/config.ts';
export { decideMemmapLayout, memoryBlockMemmapOnMemoryPages, forceWastedPages } from './kernel/memmap-on-memory.ts';
export type * from './engine/events.ts';
export type * from './engine/view.ts';
export { HotplugSystem, type OpResult, type SystemOptions } from './engine/system.ts';
export { decide } from './engine/decide.ts';
export { evolve, evolveAll } from './engine/evolve.ts';
export { replay, verifyReplay, type VerifyResult, type Divergence } from './engine/replay.ts';
export { toView } from './engine/to-view.ts';
export { emptyWorld, geometry, taintOf, taintLetters, TAINT_DIE, TAINT_WARN, type World } from './engine/world.ts';
export { LiveGate, TableGate } from './engine/gate.ts';
export { MACHINES, memoryBlockMachine, sectionMachine, hotplugMachine } from '../machines/index.ts';
export { systemSpec, buildSystem, type MachineInput, type SystemSource } from './check/testing.ts';
export { INVARIANTS, checkInvariants, firstViolation, invariantByName } from './check/invariants/index.ts';
export { checkScenario, checkLogEvents, checkFile, type CheckReport, type StepViolation } from './check/run-check.ts';
export type { Invariant, Violation, CheckInput, CheckContext } from './check/types.ts';
export * from './timeline/index.ts';
export { createLog, openLogForAppend, readLog, writeLogFile, LogFormatError, LogLockedError, type LogWriter } from './log/index.ts';
export { parseScenario, loadScenarioFile, ScenarioError, parseSize, formatSize } from './scenario/index.ts';
export { exportSysfs, readSysfs } from './sysfs/index.ts';
