/**
 * The machine a scenario describes must be one its arch can have (kernel/limits.ts): checked
 * once every field parses, before anything is laid out, and reported at the JSON paths of the
 * fields at fault — the block size, a boot node's size, a block number past the address space.
 */
import { blockSizeOf } from '../kernel/geometry.ts';
import { blockSizeProblems, bootProblems, describeAddressSpace, maxBlocks } from '../kernel/limits.ts';
import { PROFILES } from '../kernel/profiles.ts';
import type { Scenario } from '../kernel/ops.ts';
import { problemAt, type LocatedProblem } from './errors.ts';

export function machineLimitProblems(scenario: Scenario): LocatedProblem[] {
  const profile = PROFILES[scenario.arch];
  const sectionSize = 2 ** profile.sectionSizeBits(scenario.kernel);
  const blockSize = blockSizeOf(scenario);
  const sizeProblems = blockSizeProblems(profile, sectionSize, blockSize);
  if (sizeProblems.length > 0) return sizeProblems.map((p) => problemAt(p.path, p.message));
  const problems = bootProblems(scenario, profile, blockSize).map((p) => problemAt(p.path, p.message));
  const blocks = maxBlocks(profile, blockSize);
  scenario.ops.forEach((op, i) => {
    if ('block' in op && op.block >= blocks) {
      problems.push(
        problemAt(['ops', i, 'block'], `memory block ${op.block} cannot exist: ${describeAddressSpace(profile)}, blocks 0 to ${blocks - 1} of ${blockSize / 2 ** 20}M`),
      );
    }
  });
  return problems;
}
