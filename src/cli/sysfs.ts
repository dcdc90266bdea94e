/** `memhp sysfs export <scenario|log> <dir> [--at N]`: the world as <dir>/sys/devices/system/memory/… for `lsmem --sysroot <dir>`. */
import type { Command } from 'commander';
import { sysfsView } from '../engine/sysfs/view.ts';
import { exportSysfs } from '../sysfs/index.ts';
import { InputError } from './errors.ts';
import { printJson, printLines } from './output.ts';
import { worldStateAt } from './show.ts';

interface ExportOptions {
  at?: string;
  json?: boolean;
}

export function registerSysfs(program: Command): void {
  const sysfs = program.command('sysfs').description('the world as a sysfs tree');
  sysfs
    .command('export')
    .description('write <dir>/sys/devices/system/{memory,node} so that `lsmem --sysroot <dir>` reads the simulated world')
    .argument('<file>', 'scenario file or memhp log')
    .argument('<dir>', 'directory to write sys/ into (an earlier memhp export there is replaced)')
    .option('--at <N>', 'the world after event N (default: the end)')
    .option('--json', 'print what was written as JSON')
    .action((file: string, dir: string, opts: ExportOptions) => {
      const { seq, world } = worldStateAt(file, opts.at);
      let result;
      try {
        // only the part of the view sysfs shows, written as it is rendered
        result = exportSysfs(sysfsView(world), dir);
      } catch (err) {
        // The exporter refuses to replace what it did not write: the user pointed it at the wrong place.
        if (err instanceof Error && err.message.startsWith('sysfs export:')) throw new InputError(`${dir}: ${err.message}`);
        // A <dir> that is a file, or one that cannot be written: name it, not the syscall.
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new InputError(`${dir}: is a file, not a directory (sysfs export writes <dir>/sys)`);
        if (code === 'ENOTDIR') throw new InputError(`${dir}: part of this path is a file, not a directory`);
        if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new InputError(`${dir}: cannot write there (${code})`);
        throw err;
      }
      if (opts.json) printJson({ at: seq, dir, ...result });
      else printLines([`wrote ${result.sysDir} (world at event ${seq}: ${result.dirs} directories, ${result.files} files, ${result.symlinks} links)`, `read it with: lsmem --sysroot ${dir}`]);
    });
}
