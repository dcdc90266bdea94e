/**
 * The page's command line follows the declaration of every operation
 * (src/kernel/ops.ts): each operation is a command, and what it makes is
 * what the server accepts.
 */
import { describe, expect, it } from 'vitest';
import { OP_NAMES, opDeclaration, type Field } from '../../src/kernel/ops.ts';
import { COMMAND_HELP, parseCommand } from '../../src/inspector/web/command.ts';
import { parseRequest } from '../../src/inspector/server/validate.ts';

/** A word a user might type for a field of this kind. */
const SAMPLE: Record<Field['kind'], (f: Field) => string> = {
  size: () => '128M',
  number: () => '1',
  errno: () => '-16',
  name: () => 'virtio0',
  choice: (f) => f.choices![0]!,
  word: () => 'online_movable',
  bytes: () => 'online movable',
  path: () => '/sys/devices/system/memory/memory64/state',
  scalar: () => '301',
  'bool-or-word': () => 'yes',
  bool: () => '1',
  flags: (f) => f.choices![0]!.replace(/^MHP_MEMMAP_/, ''),
};

const accepted = (op: unknown) => parseRequest(JSON.stringify({ id: 1, method: 'apply', params: { op, atSeq: 0 } }));

describe('the live command line', () => {
  it('has a command for every operation a user may write, and the server accepts what it makes', () => {
    // `online` is the short form `online <block> [kernel|movable]` (memoryN/state); the memoryN/online file is `write`
    for (const name of OP_NAMES.filter((n) => n !== 'online')) {
      const line = [name, ...Object.values(opDeclaration(name).fields).map((f) => SAMPLE[f.kind](f))].join(' ');
      const op = parseCommand(line);
      expect(op.op, line).toBe(name);
      expect(accepted(op), line).toMatchObject({ ok: true });
      expect(COMMAND_HELP.some((h) => h.startsWith(`${name} `) || h === name), name).toBe(true);
    }
  });

  it('reads each word by its field: sizes, flags by short name, the rest of a write line plus a newline', () => {
    expect(parseCommand('add 1 16G 128M ON_MEMORY')).toEqual({ op: 'add_memory', node: 1, start: 16 * 1024 ** 3, size: 128 * 1024 ** 2, flags: ['MHP_MEMMAP_ON_MEMORY'] });
    expect(parseCommand('virtio_mem_add virtio0 0 16G 1G 512M 2M')).toEqual({
      op: 'virtio_mem_add', device: 'virtio0', node: 0, start: 16 * 1024 ** 3, size: 1024 ** 3, requested: 512 * 1024 ** 2, blockSize: 2 * 1024 ** 2,
    });
    expect(parseCommand('write /sys/devices/system/memory/memory64/state online_movable')).toEqual({ op: 'write', path: 'devices/system/memory/memory64/state', value: 'online_movable\n' });
    expect(parseCommand('online 66 movable')).toEqual({ op: 'state', block: 66, value: 'online_movable' });
  });

  it('names the field of a bad word, with the reason a scenario would get', () => {
    expect(() => parseCommand('online x')).toThrow('block: expected an integer, got "x"');
    expect(() => parseCommand('probe 12Q')).toThrow('addr: "12Q" is not a size');
    expect(() => parseCommand('set memmap_on_memory on')).toThrow(/fixed at boot/);
    expect(() => parseCommand('dax_kmem_remove')).toThrow(/^device is missing: dax_kmem_remove <device>/);
    expect(() => parseCommand('signal now')).toThrow('signal: too many words');
    // a line is read whole: a word left over is refused, never dropped (offline 65 bogus words is not offline 65)
    expect(() => parseCommand('offline 65 bogus words here')).toThrow('offline: too many words ("bogus" "words" "here" left over): offline <block>');
    expect(() => parseCommand('online 65 movable now')).toThrow('online: too many words ("now" left over)');
    expect(() => parseCommand('offline')).toThrow('offline: no block given: offline <block>');
    expect(() => parseCommand('remove 8G 128M 1G')).toThrow('remove_memory: too many words ("1G" left over)');
    expect(() => parseCommand('set v2_remove_guard tremove 8G 128Mrue')).toThrow('set: too many words ("8G" "128Mrue" left over)');
    expect(() => parseCommand('   ')).toThrow(/^type a command; try: add /);
    expect(() => parseCommand('format_disk')).toThrow(/^unknown command "format_disk"; try: add /);
  });
});
