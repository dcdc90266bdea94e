/**
 * The live command line: one short line -> one Op. Every operation of the
 * declaration (src/kernel/ops.ts) is a command: its name, then its fields in
 * declared order, each word read by the field's kind
 * (`virtio_mem_add virtio0 0 16G 1G 512M`); fields that may be left out can be
 * left off the end. A few short forms read the way a kernel person types them
 * (`add`, `online 66 movable`, `offline 66`, `remove`). The server checks the Op
 * again; this parser exists to give the user a quick, precise message.
 */
import { boolish } from '../../input/values.ts';
import { opDeclaration, OP_NAMES, type Field, type Op, type OpName } from '../../kernel/ops.ts';

type Fields = Record<string, Field>;

/** A word from `choices`, or its short form (DEVICE for MHP_MEMMAP_DEVICE). */
const choiceOf = (choices: readonly string[], word: string) => choices.find((c) => c === word || c.endsWith(`_${word.toUpperCase()}`));

/** The common prefix of a list's words, left off in the help (MHP_MEMMAP_). */
function commonPrefix(words: readonly string[]): string {
  let p = words[0] ?? '';
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, p.lastIndexOf('_', p.length - 2) + 1);
  return p;
}

function usageOf(name: string, fields: Fields): string {
  const parts = [name];
  for (const [key, f] of Object.entries(fields)) {
    const what = f.kind === 'flags' ? `${f.choices!.map((c) => c.slice(commonPrefix(f.choices!).length)).join('|')}…`
      : f.kind === 'choice' ? f.choices!.join('|')
      : f.kind === 'bytes' ? `${key}… (as echo: a newline is added)`
      : f.kind === 'path' ? `${key} below /sys`
      : key;
    parts.push(f.need === 'required' ? `<${what}>` : `[${what}]`);
  }
  return parts.join(' ');
}

/** Short forms: a command word that is not an operation's name, or reads an operation's fields its own way. */
const SHORT: Record<string, { help: string; parse?: (words: string[]) => Op; op?: OpName }> = {
  add: { help: 'add <node> <start> <size> [DEVICE|MEMBLOCK|ON_MEMORY…]', op: 'add_memory' },
  online: {
    help: 'online <block> [kernel|movable]',
    parse: (words) => {
      exactly('online <block> [kernel|movable]', words, 1, 2);
      const [block, kind] = words;
      const value = kind === undefined ? 'online' : kind === 'kernel' ? 'online_kernel' : kind === 'movable' ? 'online_movable' : null;
      if (value === null) throw new Error(`online: kind must be kernel or movable, got ${JSON.stringify(kind)}`);
      return { op: 'state', block: wordOf('block', opDeclaration('state').fields.block!, [block], 0) as number, value };
    },
  },
  offline: {
    help: 'offline <block>',
    parse: (words) => {
      exactly('offline <block>', words, 1, 1);
      return { op: 'state', block: wordOf('block', opDeclaration('state').fields.block!, words, 0) as number, value: 'offline' };
    },
  },
  remove: { help: 'remove <start> <size>', op: 'remove_memory' },
  offline_and_remove: { help: 'offline_and_remove <start> <size>', op: 'offline_and_remove_memory' },
};

/**
 * A short form takes between `min` and `max` words: anything else is refused
 * with the usage, never half read (`offline 65 bogus words` is not `offline 65`).
 */
function exactly(usage: string, words: readonly string[], min: number, max: number): void {
  const cmd = usage.split(' ')[0];
  if (words.length < min) throw new Error(`${cmd}: ${words.length === 0 ? 'no block given' : 'a word is missing'}: ${usage}`);
  if (words.length > max) throw new Error(`${cmd}: too many words (${words.slice(max).map((w) => JSON.stringify(w)).join(' ')} left over): ${usage}`);
}

export const COMMAND_HELP: readonly string[] = [
  ...Object.values(SHORT).map((s) => s.help),
  ...OP_NAMES.filter((name) => !(name in SHORT)).map((name) => usageOf(name, opDeclaration(name).fields)),
];

/** The value of field `key` from words[i] (and, for bytes and flags, the words after it). */
function wordOf(key: string, f: Field, words: readonly (string | undefined)[], i: number): unknown {
  const word = words[i];
  const checked = (input: unknown) => {
    const r = f.parse(input);
    if (!r.ok) throw new Error(`${key}: ${r.reason}`);
    return r.value;
  };
  switch (f.kind) {
    case 'number':
    case 'errno':
      if (word === undefined || !/^-?\d+$/.test(word)) throw new Error(`${key}: expected an integer, got ${JSON.stringify(word ?? '')}`);
      return checked(Number(word));
    case 'bytes':
      return checked(`${words.slice(i).join(' ')}\n`);
    case 'flags':
      return checked(words.slice(i).map((w) => {
        const flag = choiceOf(f.choices!, w!);
        if (!flag) throw new Error(`unknown flag ${JSON.stringify(w)} (${f.choices!.map((c) => c.slice(commonPrefix(f.choices!).length)).join(', ')})`);
        return flag;
      }));
    case 'path':
      return checked(word?.replace(/^\/?(sys\/)?/, ''));
    case 'scalar':
      return checked(word === 'true' ? true : word === 'false' ? false : word !== undefined && /^-?\d+$/.test(word) ? Number(word) : word);
    case 'bool': {
      const r = boolish(word);
      return checked(r.ok ? r.value : word);
    }
    default:
      return checked(word);
  }
}

/** The fields of `name` from the words after the command word. */
function fieldsOf(name: OpName, usage: string, words: string[]): Op {
  const out: Record<string, unknown> = { op: name };
  const fields = Object.entries(opDeclaration(name).fields);
  let i = 0;
  for (const [key, f] of fields) {
    const rest = f.kind === 'bytes' || f.kind === 'flags';
    if (i >= words.length) {
      if (f.need === 'required') throw new Error(`${key} is missing: ${usage}`);
      if (f.need === 'default') out[key] = Array.isArray(f.fallback) ? [...f.fallback] : f.fallback;
      continue;
    }
    out[key] = wordOf(key, f, words, i);
    i = rest ? words.length : i + 1;
  }
  if (i < words.length) throw new Error(`${name}: too many words (${words.slice(i).map((w) => JSON.stringify(w)).join(' ')} left over): ${usage}`);
  return out as Op;
}

/** The whole line as one Op, or an error naming what is wrong: a word left over is an error, never dropped. */
export function parseCommand(line: string): Op {
  if (line.trim() === '') throw new Error(`type a command; try: ${COMMAND_HELP.slice(0, 5).join(' · ')}`);
  const [cmd = '', ...words] = line.trim().split(/\s+/);
  const short = SHORT[cmd];
  if (short?.parse) return short.parse(words);
  const name = short?.op ?? (OP_NAMES as readonly string[]).find((n) => n === cmd) as OpName | undefined;
  if (!name) throw new Error(`unknown command ${JSON.stringify(cmd)}; try: ${COMMAND_HELP.join(' · ')}`);
  return fieldsOf(name, short?.help ?? usageOf(name, opDeclaration(name).fields), words);
}
