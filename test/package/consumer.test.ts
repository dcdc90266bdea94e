/**
 * memhp used from someone else's project, as a package: `npm pack` makes the
 * tarball that `npm publish` would, a fresh project outside this repository
 * installs it with its own vitest, fast-check and TypeScript (from the npm
 * registry; the local npm cache makes it quick), and there
 *
 *   - a vitest test imports `memhp`, `memhp/testing`, `memhp/vitest` and
 *     `memhp/scenario` and asserts the reviewer's hazard (v2-2019: 1 GiB
 *     MHP_MEMMAP_DEVICE add at 8G, removing its first 128 MiB block succeeds,
 *     touching block 65 faults with EFAULT) — and passes;
 *   - tsc type-checks that test against the .d.ts files the package ships;
 *   - `npx memhp run` runs a scenario the package ships, and `memhp inspect`
 *     serves the inspector page the package ships (built at pack time: no Vite there).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../cli/helpers.ts';

const execFileP = promisify(execFile);
const work = tempDir('memhp-consumer-'); // in os.tmpdir(): outside the repository
const project = join(work, 'project');

/** Runs a command; its output, or an error that carries it. */
async function sh(cmd: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileP(cmd, args, { cwd, maxBuffer: 64 * 2 ** 20, env: { ...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false' } });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string; code?: number };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${err.code}:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** The version of a package installed here, so the consumer's install hits the same npm cache entries. */
const versionOf = (name: string) => (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

const HAZARD_TEST = `
import { describe, expect, it } from 'vitest';
import 'memhp/vitest';
import { HotplugSystem, toView, type WorldView } from 'memhp';
import { buildSystem, given, ops, systemSpec } from 'memhp/testing';
import { loadScenarioFile } from 'memhp/scenario';

// x86_64, 128 MiB blocks, two 4 GiB boot nodes: hot-added memory at 8 GiB is memory64
const v2 = systemSpec({ kernel: 'v2-2019', machine: { memoryBlockSize: '128M' }, boot: [{ size: '4G', used: '1G' }, { size: '4G' }] });

describe('the v2-2019 MHP_MEMMAP_DEVICE hazard, from an installed memhp', () => {
  it('removing the first 128 MiB of a 1 GiB DEVICE add succeeds; touching block 65 then faults', () => {
    const sys: HotplugSystem = buildSystem(v2);
    expect(sys.apply(ops.add('8G', '1G', ['MHP_MEMMAP_DEVICE']))).toHaveErrno(null);
    expect(sys.apply(ops.online(65, 'online_movable'))).toHaveErrno(null);
    expect(sys.apply(ops.remove('8G', '128M'))).toHaveErrno(null);
    expect(sys).not.toHaveBlock(64);
    expect(sys).toHaveBlock(65, 'online');
    const touch = sys.apply(ops.touch(65));
    expect(touch).toHaveErrno('EFAULT');
    expect(touch.ret).toBe(-14);
    expect(touch).toHaveEvent({ type: 'fault' });
    expect(sys).not.toSatisfyInvariants();
    const view: WorldView = toView(sys.world);
    expect(view.tainted).toBe(true);
  });

  it('given / when / then: the removal orphans the other blocks\\' memmap', () => {
    given(v2, ops.add('8G', '1G', ['MHP_MEMMAP_DEVICE']))
      .when(ops.remove('8G', '128M'))
      .thenErrno(null)
      .thenBlock(64, null)
      .thenViolates('memmap-in-present-memory');
  });

  it('the guard sketched in review refuses the removal with EINVAL', () => {
    given(systemSpec({ ...v2, params: { ...v2.params, v2_remove_guard: true } }), ops.add('8G', '1G', ['MHP_MEMMAP_DEVICE']))
      .when(ops.remove('8G', '128M'))
      .thenErrno('EINVAL')
      .thenInvariantsHold();
  });

  it('the shipped scenario, loaded through memhp/scenario, ends in the same fault', () => {
    const scenario = loadScenarioFile('node_modules/memhp/scenarios/seed-reviewer-partial-remove.json');
    const sys = new HotplugSystem(scenario);
    const results = scenario.ops.map((op) => sys.apply(op));
    expect(results.at(-1)).toHaveErrno('EFAULT');
  });
});
`;

describe('memhp installed from its tarball into a fresh project', { timeout: 600_000 }, () => {
  let tarball = '';
  let packedFiles: string[] = [];

  beforeAll(async () => {
    // npm pack runs `prepare` (the build) as npm publish would; dist/ is already current (test/global-setup.ts)
    mkdirSync(project, { recursive: true });
    const packed = JSON.parse((await sh('npm', ['pack', '--json', '--pack-destination', work], REPO)).stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, packed[0]!.filename);
    packedFiles = packed[0]!.files.map((f) => f.path);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'memhp-consumer', private: true, type: 'module', scripts: { test: 'vitest run' } }, null, 2));
    const devDeps = ['vitest', 'fast-check', 'typescript', '@types/node'].map((n) => `${n}@${versionOf(n)}`);
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...devDeps], project);
  });

  it('the tarball holds the compiled code, its types, the inspector page and the scenarios, and no sources', () => {
    for (const f of ['bin/memhp.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/check/index.d.ts', 'dist/src/check/vitest.d.ts', 'dist/src/scenario/index.d.ts', 'dist/machines/index.js', 'dist/inspector/index.html', 'scenarios/seed-reviewer-partial-remove.json', 'package.json', 'README.md'])
      expect(packedFiles, f).toContain(f);
    expect(packedFiles.filter((f) => /^(src|test|scripts|node_modules)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts') || f.includes('tsbuildinfo'))).toEqual([]);
    // installing a tarball does not run `prepare` (it would need the devDependencies): the shipped build is used as is
    expect(existsSync(join(project, 'node_modules', 'memhp', 'dist', 'src', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
    // what it needs at run time only: no build tools, no test tools (vitest and fast-check are optional peers)
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'memhp', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const dev of ['tsx', 'vite', 'typescript', 'vitest', 'fast-check', 'playwright-core']) expect(Object.keys(installed.dependencies), dev).not.toContain(dev);
  });

  it('a vitest test there imports memhp/testing and memhp/vitest and asserts the hazard', async () => {
    writeFileSync(join(project, 'hazard.test.ts'), HAZARD_TEST);
    await sh('npx', ['vitest', 'run', '--reporter=json', '--outputFile=vitest.json'], project);
    const report = JSON.parse(readFileSync(join(project, 'vitest.json'), 'utf8')) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
    expect(report).toMatchObject({ numPassedTests: 4, numFailedTests: 0, numTotalTests: 4 });
  });

  it('tsc type-checks that test against the shipped .d.ts files', async () => {
    writeFileSync(join(project, 'hazard.test.ts'), HAZARD_TEST);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'] }, include: ['hazard.test.ts'] }),
    );
    await sh('npx', ['tsc', '-p', '.'], project); // skipLibCheck off: memhp's .d.ts files are checked too
    // and it would complain: a matcher that does not exist is an error
    writeFileSync(join(project, 'wrong.test.ts'), `import { expect } from 'vitest';\nimport 'memhp/vitest';\nexpect(1).toHaveErrno('EINVAL');\nexpect(1).toHaveNoSuchMatcher();\n`);
    writeFileSync(join(project, 'tsconfig.wrong.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { skipLibCheck: true }, include: ['wrong.test.ts'] }));
    await expect(sh('npx', ['tsc', '-p', 'tsconfig.wrong.json'], project)).rejects.toThrow(/toHaveNoSuchMatcher/);
  });

  it('npx memhp runs a shipped scenario there', async () => {
    const version = await sh('npx', ['--no-install', 'memhp', '--version'], project);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
    const r = await sh('npx', ['--no-install', 'memhp', 'run', 'node_modules/memhp/scenarios/seed-reviewer-partial-remove.json', '--json'], project);
    const out = JSON.parse(r.stdout) as { ops: { op: string; errno: string | null }[]; world: { tainted: boolean } };
    expect(out.ops.map((o) => o.errno)).toEqual([null, null, null, null, null, 'EFAULT']);
    expect(out.world.tainted).toBe(true);
  });

  it('memhp inspect serves the shipped inspector page there', async () => {
    const bin = join(project, 'node_modules', '.bin', 'memhp');
    const child = spawn(bin, ['inspect', 'node_modules/memhp/scenarios/seed-reviewer-guard.json', '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const url = await new Promise<string>((resolve, reject) => {
        const poll = setInterval(() => {
          const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
          else if (child.exitCode !== null) reject(new Error(`memhp inspect exited ${child.exitCode}: ${err}`));
          else return;
          clearInterval(poll);
        }, 100);
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      const script = /<script[^>]+src="\.?\/?([^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeTruthy();
      expect((await fetch(new URL(script!, url))).status).toBe(200);
      expect(await (await fetch(new URL('/api/info', url))).json()).toMatchObject({ name: expect.any(String) });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    }
  });
});
