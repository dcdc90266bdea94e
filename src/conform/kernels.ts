/**
 * Where a guest kernel comes from: `6.1` and `6.12` name the Debian cloud
 * kernels bin/fetch-kernels.sh unpacks into the cache
 * (~/.cache/memhp/kernels or $MEMHP_KERNEL_CACHE); anything else is a path to
 * a bzImage, with modules from --modules (or none).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../package-root.ts';

export interface GuestKernel {
  /** What the user named (6.1, 6.12, or the bzImage path). */
  name: string;
  bzImage: string;
  modulesDir: string | null;
  configFile: string | null;
}

export const NAMED_KERNELS = ['6.1', '6.12'] as const;

export function kernelCache(): string {
  return process.env.MEMHP_KERNEL_CACHE ?? join(homedir(), '.cache', 'memhp', 'kernels');
}

export class KernelNotFound extends Error {}

/** The script that downloads Debian's cloud kernels; it ships in the package. */
export const FETCH_KERNELS_SCRIPT = packagePath('bin', 'fetch-kernels.sh');

/**
 * Fetch a named kernel into the cache on first use, so `memhp conform --kernel 6.12`
 * needs nothing but QEMU and busybox-static installed. The script's own output goes
 * to stderr; a failure (no Debian sources, no network) leaves the kernel missing and
 * resolveKernel() says what to run by hand.
 */
export function fetchNamedKernel(name: string, log: (line: string) => void): void {
  if (!(NAMED_KERNELS as readonly string[]).includes(name) || existsSync(join(kernelCache(), name, 'bzImage'))) return;
  log(`fetching Debian's ${name} kernel into ${kernelCache()} (once) …`);
  spawnSync('sh', [FETCH_KERNELS_SCRIPT, kernelCache()], { stdio: ['ignore', 2, 2] });
}

export function resolveKernel(name: string, modules?: string): GuestKernel {
  if ((NAMED_KERNELS as readonly string[]).includes(name)) {
    const dir = join(kernelCache(), name);
    if (!existsSync(join(dir, 'bzImage'))) {
      throw new KernelNotFound(`kernel ${name} is not in ${dir}: fetching it failed; run "sh ${FETCH_KERNELS_SCRIPT}" to see why (it downloads the Debian package with apt-get and unpacks it there)`);
    }
    return {
      name,
      bzImage: realpathSync(join(dir, 'bzImage')),
      modulesDir: modules ?? (existsSync(join(dir, 'modules')) ? realpathSync(join(dir, 'modules')) : null),
      configFile: existsSync(join(dir, 'config')) ? realpathSync(join(dir, 'config')) : null,
    };
  }
  if (!existsSync(name)) throw new KernelNotFound(`--kernel: ${name} is neither ${NAMED_KERNELS.join(' nor ')} nor an existing bzImage file`);
  const bz = realpathSync(name);
  let configFile: string | null = null;
  if (modules && existsSync(join(modules, 'build', '.config'))) configFile = join(modules, 'build', '.config');
  else {
    const dir = bz.replace(/\/[^/]*$/, '');
    const cfg = readdirSync(dir).find((f) => f.startsWith('config-') || f === '.config');
    if (cfg) configFile = join(dir, cfg);
  }
  return { name, bzImage: bz, modulesDir: modules ? realpathSync(modules) : null, configFile };
}
