/**
 * `memhp import`: a real machine's sysfs (a running /sys, a dump folder or tarball) to a
 * scenario whose world shows the same files (docs/import.md). Read (read.ts), guess what sysfs
 * does not say (guess.ts), write the scenario (build.ts), validate it as any scenario is
 * (src/scenario) — a machine memhp cannot be is refused there with the scenario's own message —
 * and render its sysfs to compare with the machine's, file by file (verify.ts).
 */
import { InputError } from '../input/errors.ts';
import type { Scenario } from '../kernel/ops.ts';
import type { ArchName, Era } from '../kernel/types.ts';
import { ScenarioError, scenarioToJson, validateScenario } from '../scenario/index.ts';
import { buildScenario } from './build.ts';
import { guessArch, guessEra, type Guessed } from './guess.ts';
import { readDump } from './read.ts';
import { openDump, type DumpSource } from './source.ts';
import { verify, type Verification } from './verify.ts';

export { openDump, type DumpSource } from './source.ts';
export { renderScenario, type Verification, type Difference } from './verify.ts';

export interface ImportOptions {
  arch?: ArchName;
  kernel?: Era;
}

export interface ImportResult {
  source: string;
  scenario: Scenario;
  /** the scenario file's text */
  json: string;
  guessed: { arch: Guessed<ArchName>; kernel: Guessed<Era>; movableNode?: Guessed<boolean> };
  notes: string[];
  verification: Verification;
}

function validated(src: DumpSource, doc: Record<string, unknown>): Scenario {
  try {
    return validateScenario(doc, src.label);
  } catch (err) {
    if (err instanceof ScenarioError) throw new InputError(`${src.label}: this machine cannot be a memhp world; the scenario it would make says:\n${err.message}`);
    throw err;
  }
}

/** Offline blocks whose valid_zones list Movable first where memhp's world says otherwise: what movable_node does. */
const movableFirstMisses = (v: Verification) => v.differences.filter((d) => d.path.endsWith('/valid_zones') && d.dump?.startsWith('Movable') && !d.memhp?.startsWith('Movable')).length;

export async function importSysfs(arg: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const src = await openDump(arg);
  const facts = readDump(src);
  const arch: Guessed<ArchName> = opts.arch ? { value: opts.arch, why: 'given with --arch' } : guessArch(facts, src.live && !src.simulated);
  const kernel: Guessed<Era> = opts.kernel ? { value: opts.kernel, why: 'given with --kernel' } : guessEra(facts, src.live && !src.simulated);
  let built = buildScenario(src, facts, { arch: arch.value, kernel: kernel.value, movableNode: false });
  let scenario = validated(src, built.doc);
  let verification = verify(src, scenario);
  let movableNode: Guessed<boolean> | undefined;
  // sysfs does not show the movable_node boot parameter; offline blocks that default to Movable do
  const misses = movableFirstMisses(verification);
  if (misses > 0) {
    const alt = buildScenario(src, facts, { arch: arch.value, kernel: kernel.value, movableNode: true });
    const altScenario = validated(src, alt.doc);
    const altVerification = verify(src, altScenario);
    if (altVerification.differences.length < verification.differences.length) {
      [built, scenario, verification] = [alt, altScenario, altVerification];
      movableNode = { value: true, why: `${misses} offline block${misses > 1 ? 's list' : ' lists'} Movable first in valid_zones, which without movable_node would default to a kernel zone` };
    }
  }
  return {
    source: src.label,
    scenario,
    json: scenarioToJson(scenario),
    guessed: { arch, kernel, ...(movableNode ? { movableNode } : {}) },
    notes: built.notes,
    verification,
  };
}
