/**
 * Runs the real util-linux lsmem. A missing lsmem fails the test (CI
 * installs util-linux); it is never skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { LsmemRow } from '../../src/sysfs/index.ts';

export const LSMEM = '/usr/bin/lsmem';

export function lsmem(args: string[]): string {
  if (!existsSync(LSMEM)) throw new Error(`${LSMEM} is missing: install util-linux (apt-get install -y util-linux)`);
  // C locale: lsmem translates "online"/"on->off" and the summary labels.
  return execFileSync(LSMEM, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
}

export function lsmemJson(args: string[]): LsmemRow[] {
  const out = JSON.parse(lsmem(args)) as { memory?: LsmemRow[] };
  if (!Array.isArray(out.memory)) throw new Error(`lsmem ${args.join(' ')}: no "memory" array in ${JSON.stringify(out)}`);
  return out.memory;
}
