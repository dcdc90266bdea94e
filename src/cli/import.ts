/**
 * `memhp import <dir|tarball|/> [-o scenario.json] [--arch A] [--kernel E] [--json] [--strict]`:
 * a real machine's sysfs as a scenario (src/import; docs/import.md). The scenario goes to -o, or
 * to stdout with the report on stderr, so `memhp import / > mine.json` works.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ARCH_NAMES, ERAS, type ArchName, type Era } from '../kernel/types.ts';
import { InputError, StrictError } from './errors.ts';
import { printJson } from './output.ts';

interface ImportFlags {
  output?: string;
  arch?: string;
  kernel?: string;
  json?: boolean;
  strict?: boolean;
}

const quote = (s: string | null) => (s === null ? 'nothing' : JSON.stringify(s.replace(/\n$/, '')));

export function registerImport(program: Command): void {
  program
    .command('import')
    .description("read a machine's sysfs (a running / , a dump folder, or a .tar.bz2 in util-linux's lsmem test layout) and write a scenario whose world shows the same files")
    .argument('<source>', '/ for this machine, a directory holding sys/devices/system/memory, or a tarball with one top folder holding it')
    .option('-o, --output <scenario.json>', 'write the scenario here (default: stdout, with the report on stderr)')
    .option('--arch <arch>', `the architecture, when the guess is wrong (${ARCH_NAMES.join(', ')})`)
    .option('--kernel <era>', `the kernel era, when the guess is wrong (${ERAS.join(', ')})`)
    .option('--json', 'print the scenario, the guesses, the notes and the comparison as one JSON object')
    .option('--strict', 'exit 1 when memhp would show any file differently from the machine')
    .action(async (source: string, flags: ImportFlags) => {
      if (flags.arch !== undefined && !(ARCH_NAMES as readonly string[]).includes(flags.arch)) throw new InputError(`--arch: ${JSON.stringify(flags.arch)} is not an architecture (expected one of ${ARCH_NAMES.join(', ')})`);
      if (flags.kernel !== undefined && !(ERAS as readonly string[]).includes(flags.kernel)) throw new InputError(`--kernel: ${JSON.stringify(flags.kernel)} is not a kernel era (expected one of ${ERAS.join(', ')})`);
      const { importSysfs } = await import('../import/index.ts');
      const r = await importSysfs(source, { ...(flags.arch ? { arch: flags.arch as ArchName } : {}), ...(flags.kernel ? { kernel: flags.kernel as Era } : {}) });
      if (flags.output) writeFileSync(flags.output, r.json);
      if (flags.json) {
        printJson({ source: r.source, ...(flags.output ? { output: flags.output } : {}), scenario: JSON.parse(r.json), guessed: r.guessed, notes: r.notes, verification: r.verification });
      } else {
        const v = r.verification;
        const lines = [
          `memhp import: ${r.source}: ${r.scenario.description ?? ''}`,
          `guessed: arch ${r.guessed.arch.value}: ${r.guessed.arch.why}`,
          `guessed: kernel ${r.guessed.kernel.value}: ${r.guessed.kernel.why}`,
          ...(r.guessed.movableNode ? [`guessed: movable_node: ${r.guessed.movableNode.why}`] : []),
          ...r.notes.map((n) => `note: ${n}`),
          `compared ${v.compared} files and links with memhp's: ${v.differences.length ? `${v.differences.length} differ` : 'all the same'}`,
          ...v.differences.slice(0, 20).map((d) => `  ${d.path}: the machine shows ${quote(d.dump)}, memhp ${quote(d.memhp)}`),
          ...(v.differences.length > 20 ? [`  … ${v.differences.length - 20} more (--json lists them all)`] : []),
        ];
        if (v.memhpOnly.length) lines.push(`memhp also shows (its era has them, the machine did not): ${v.memhpOnly.slice(0, 5).join(', ')}${v.memhpOnly.length > 5 ? `, … (${v.memhpOnly.length})` : ''}`);
        const skipped = Object.entries(v.notModelled);
        if (skipped.length) lines.push(`not modelled, left out: ${skipped.map(([n, c]) => (c > 1 ? `${n} (${c})` : n)).join(', ')}`);
        if (flags.output) lines.push(`wrote ${flags.output}`);
        // the report goes where the scenario does not
        (flags.output ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`);
        if (!flags.output) process.stdout.write(r.json);
      }
      if (flags.strict && r.verification.differences.length) throw new StrictError(`--strict: memhp shows ${r.verification.differences.length} file${r.verification.differences.length > 1 ? 's' : ''} differently from ${r.source}`);
    });
}
