/**
 * memhp's library API (the package's main entry, `import … from 'memhp'`):
 * build a simulated hotplug system, apply operations, read the world, replay
 * and verify logs, travel a timeline, check invariants. The other entries:
 * `memhp/testing` (src/check: Given/When/Then, arbitraries, explore(),
 * counterexample logs), `memhp/vitest` (the matchers, registered on import)
 * and `memhp/scenario` (load and validate scenarios).
 *
 * Every name is listed here on purpose: what is not listed is internal and may
 * change. One name per thing (test/package/api.test.ts keeps it so).
 */

// the vocabulary: architectures, eras, zones, flags, parameters, the system and its operations
export {
  ARCH_NAMES,
  ERAS,
  ZONE_NAMES,
  ONLINE_TYPES,
  MHP_FLAGS,
  RUNTIME_PARAMS,
  CONFIG_OPTIONS,
  type ArchName,
  type Era,
  type ZoneName,
  type OnlineType,
  type MhpFlag,
  type MemmapOnMemoryParam,
  type OnlinePolicy,
  type Sparsemem,
  type Params,
  type RuntimeParam,
  type MachineSpec,
  type BootNode,
  type SystemSpec,
  type ConfigOption,
  type KernelConfig,
} from './kernel/types.ts';
export type { Op, OpName, Scenario } from './kernel/ops.ts';

// kernel facts: errnos, geometry, profiles, what each era and build has
export { ERRNO, errnoName, KernelError } from './kernel/errno.ts';
export { blockSizeOf, geometryOf, probeX86BlockSize, nr_vmemmap_pages, GeometryError, type Geometry } from './kernel/geometry.ts';
export { PROFILES } from './kernel/profiles.ts';
export { FEATURES, FEATURE_IDS, ERA_RELEASE, hasFeature, erasWith, missingFeature, paramProblem, flagProblem, opProblem, effectiveParams, type Feature, type FeatureId } from './kernel/features.ts';
export { kernelConfig, defaultConfig, optionRule, configProblem } from './kernel/config.ts';
export { decideMemmapLayout, memoryBlockMemmapOnMemoryPages, forceWastedPages, type MemmapPlacement } from './kernel/memmap-on-memory.ts';

// the engine: the live system, decide and evolve, replay, the world and its JSON view
export type {
  OpEvent,
  TransitionEvent,
  AccountEvent,
  VmemmapEvent,
  NodeEvent,
  ResourceEvent,
  GroupEvent,
  DeviceEvent,
  DriverName,
  DeviceRecord,
  FaultEvent,
  KnobEvent,
  WarningEvent,
  MemhpEvent,
  EventType,
  UnsequencedEvent,
} from './engine/events.ts';
export {
  WORLD_VIEW_VERSION,
  type BlockView,
  type SectionView,
  type ZoneView,
  type NodeView,
  type VmemmapView,
  type FaultView,
  type MemoryGroupView,
  type IomemView,
  type FirmwareMemmapView,
  type WorldView,
} from './engine/view.ts';
export { HotplugSystem, type OpResult, type SystemOptions } from './engine/system.ts';
export { decide } from './engine/decide.ts';
export { evolve, evolveAll } from './engine/evolve.ts';
export { replay, verifyReplay, type VerifyResult, type Divergence } from './engine/replay.ts';
export { toView } from './engine/to-view.ts';
export { emptyWorld, geometry, taintOf, taintLetters, TAINT_DIE, TAINT_WARN, type World } from './engine/world.ts';
export { LiveGate, TableGate } from './engine/gate.ts';
export { MACHINES, memoryBlockMachine, sectionMachine, hotplugMachine, type MachineKind } from '../machines/index.ts';

// invariants and checking
export { systemSpec, buildSystem, type MachineInput, type SystemSource } from './check/testing.ts';
export { INVARIANTS, checkInvariants, firstViolation, invariantByName } from './check/invariants/index.ts';
export { checkScenario, checkLogEvents, checkFile, type CheckReport, type StepViolation } from './check/run-check.ts';
export type { Invariant, Violation, CheckInput, CheckContext } from './check/types.ts';

// the timeline: a cursor over a log, breakpoints and watchpoints, diff, fork, bisect
export {
  Timeline,
  DEFAULT_CHECKPOINT_INTERVAL,
  breakOnEvent,
  breakWhen,
  breakOnInvariant,
  watch,
  eventMatches,
  describeBreakpoint,
  parsePath,
  formatPath,
  evaluateInView,
  PathError,
  evaluate,
  viewOf,
  parsePredicate,
  PredicateError,
  truthy,
  diffViews,
  forkAt,
  bisect,
  describeEvent,
  formatValue,
  type TimelineOptions,
  type StopResult,
  type Write,
  type Breakpoint,
  type EventMatch,
  type Hit,
  type InvariantCheck,
  type ParsedPath,
  type PathStep,
  type Predicate,
  type WorldChange,
  type Fork,
  type ForkOptions,
  type BisectResult,
} from './timeline/index.ts';

// the log, scenarios, sysfs
export { createLog, openLogForAppend, readLog, writeLogFile, LogFormatError, LogLockedError, type LogWriter } from './log/index.ts';
export { parseScenario, loadScenarioFile, ScenarioError, parseSize, formatSize } from './scenario/index.ts';
export { exportSysfs, readSysfs } from './sysfs/index.ts';
