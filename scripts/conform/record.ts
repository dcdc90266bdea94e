/**
 * Records real-kernel transcripts of generated sequences (src/conform/generate.ts):
 *
 *   tsx scripts/conform/record.ts --kernel 6.12 --from 0 --count 300 --out <dir> [--accel tcg]
 *
 * One JSON file per sequence (<dir>/<kernel>/seed-<n>.json); seeds already recorded are
 * skipped, so a run can be stopped and resumed. Sequences are grouped by machine shape so
 * the guest boots once per shape and is reset between sequences. Prints one line per
 * sequence and, at the end, conformSequencesPerMin for the run.
 */
import { existsSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSbmScenario, generateScenario } from '../../src/conform/generate.ts';
import { resolveKernel } from '../../src/conform/kernels.ts';
import { eraOfRelease, machineShape, shapeKey } from '../../src/conform/mapping.ts';
import { GuestRunner } from '../../src/conform/runner.ts';
import type { Era } from '../../src/kernel/types.ts';

const { values } = parseArgs({
  options: {
    kernel: { type: 'string', default: '6.12' },
    modules: { type: 'string' },
    from: { type: 'string', default: '0' },
    count: { type: 'string', default: '10' },
    out: { type: 'string', default: 'conform-transcripts' },
    accel: { type: 'string', default: 'tcg' },
    'no-virtio': { type: 'boolean', default: false },
    /** virtio-mem Sub Block Mode sequences (generateSbmScenario), recorded as sbm-seed-<n> */
    sbm: { type: 'boolean', default: false },
    /** only these seeds (comma-separated), e.g. the sequences a generator change altered */
    seeds: { type: 'string' },
  },
});

const ERA_OF: Record<string, Era> = { '6.1': '5.15', '6.12': '6.8' };
const kernel = resolveKernel(values.kernel!, values.modules);
const era = ERA_OF[values.kernel!] ?? '6.8';
const dir = join(values.out!, values.kernel!.replace(/[^\w.-]/g, '_'));
mkdirSync(dir, { recursive: true });
const from = Number(values.from);
const count = Number(values.count);

// group seeds by machine shape: one boot per shape
const prefix = values.sbm ? 'sbm-seed' : 'seed';
const seeds = values.seeds ? values.seeds.split(',').map(Number) : Array.from({ length: count }, (_, i) => from + i);
const todo = seeds
  .filter((seed) => !existsSync(join(dir, `${prefix}-${seed}.json`)))
  .map((seed) => {
    const scenario = values.sbm ? generateSbmScenario({ era, seed }) : generateScenario({ era, seed, virtioMem: !values['no-virtio'] });
    const shape = machineShape(scenario);
    return { seed, scenario, key: 'reason' in shape ? '' : shapeKey(shape) };
  })
  .sort((a, b) => a.key.localeCompare(b.key) || a.seed - b.seed);

const runner = new GuestRunner(kernel, { accel: values.accel === 'kvm' ? 'kvm' : 'tcg', onBoot: (c) => console.log(`boot: ${c}`) });
const t0 = Date.now();
let done = 0;
let steps = 0;
try {
  for (const { seed, scenario } of todo) {
    const s0 = Date.now();
    let t;
    try {
      t = await runner.record(scenario, `${values.kernel}/${prefix}-${seed}`, seed);
    } catch (err) {
      console.log(`seed ${seed}: ERROR ${(err as Error).message}`);
      await runner.close();
      continue;
    }
    if (eraOfRelease(runner.kernelRelease) !== era) console.log(`note: kernel ${runner.kernelRelease} follows era ${eraOfRelease(runner.kernelRelease)}, sequences were generated for ${era}`);
    const tmp = join(dir, `.${prefix}-${seed}.json.tmp`);
    writeFileSync(tmp, `${JSON.stringify(t)}\n`);
    renameSync(tmp, join(dir, `${prefix}-${seed}.json`));
    done++;
    steps += t.steps.length;
    const outcomes = t.steps.map((s) => s.outcome.status[0]).join('');
    console.log(`seed ${seed}: ${t.steps.length} steps [${outcomes}]${t.fresh ? ' fresh' : ''}${t.aborted ? ` ABORTED ${t.aborted}` : ''} ${((Date.now() - s0) / 1000).toFixed(1)}s`);
  }
} finally {
  await runner.close(true);
}
const min = (Date.now() - t0) / 60000;
console.log(`recorded ${done} sequences (${steps} steps) in ${min.toFixed(1)} min, ${runner.boots} boots, ${runner.restores} snapshot restores: conformSequencesPerMin ${(done / min).toFixed(2)}`);
