/**
 * src/check: invariants, the model checker, and the testing API — the
 * package's `memhp/testing` entry. (vitest.ts installs the matchers: it is
 * `memhp/vitest`, kept apart because it imports vitest.)
 */
export type { Invariant, Violation, CheckInput, CheckContext } from './types.ts';
export {
  INVARIANTS,
  checkInvariants,
  firstViolation,
  invariantByName,
  bootedWorld,
  memmapAlive,
  blockSections,
  accounting,
  vmemmapHeads,
  blockLayout,
  noLeak,
  replayReproduces,
} from './invariants/index.ts';
export { canonicalKey } from './canonical.ts';
export { expectedZoneCounters, expectedNodeMemmapPages, vmemmapPagesInBlock, bootLayout } from './expected.ts';
export { smallMachine, operationsOf, subRanges, EXTRA_OPS, DRIVER_OPS, AUTO_ONLINE_VALUES, INJECT_ERROR, type SmallMachine, type SmallMachineOptions, type OperationChoice, type ExtraOp } from './machine.ts';
export { explore, exploreAsync, type ExploreOptions, type ExploreResult, type ExploreProgress, type Counterexample } from './explore.ts';
export { eventsOf, writeCounterexampleLog, describeOps } from './counterexample.ts';
export { checkScenario, checkLogEvents, checkFile, isLogFile, type CheckReport, type StepViolation } from './run-check.ts';
export {
  systemSpec,
  buildSystem,
  applyAll,
  ops,
  given,
  Given,
  Outcome,
  matchesPartial,
  firstViolationOf,
  type MachineInput,
  type SystemSource,
  type EventPattern,
} from './testing.ts';
export { memhpMatchers, type MemhpMatchers } from './matchers.ts';
export { operationArbitraries, type OperationArbitraries } from './arbitraries.ts';
// swarm walks, coverage and shell-script counterexamples (docs/explore.md)
export { swarm, walkSeed, type SwarmOptions, type SwarmResult, type SwarmCounterexample } from './swarm.ts';
export { shrinkOps, replayOps, type Shrunk } from './shrink.ts';
export { Coverage, type CoverageReport, type CoverageSection, type CoverageItem } from './coverage/collect.ts';
export { CoveredSpace } from './coverage/space.ts';
export { exploreWithCoverage } from './coverage/explore.ts';
export { KERNEL_PATHS, type KernelPath } from './coverage/kernel-paths.ts';
export { exportShell, writeShellExport, type ShellExportOptions } from './export-sh.ts';
