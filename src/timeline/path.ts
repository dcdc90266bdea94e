/**
 * Paths into the world as the WorldView JSON shows it (src/engine/view.ts).
 *
 * Grammar:
 *   path     := name accessor*
 *   accessor := '.' name | '[' integer ']' | '[' string ']'
 *   name     := [A-Za-z_][A-Za-z0-9_]*
 *   integer  := decimal digits | 0x hex digits
 *   string   := "..." or '...'
 *
 * Keyed collections at the root are looked up by kernel identity, not by
 * array position, so a path keeps meaning the same thing when blocks come
 * and go:
 *   blocks[N]    the memory block with id N (memoryN)
 *   sections[N]  the section with section_nr N
 *   nodes[N]     node N
 *   zones[N]     node N's zones, an object keyed by zone name:
 *                zones[0].Movable.managedPages
 *   vmemmap[P]   the vmemmap head at pfn P
 * Everywhere else `[i]` is an array position or an object key and
 * `.length` is an array's length. A path that names nothing evaluates to
 * undefined (printed as "none"), never to an error.
 */
import type { WorldView } from '../engine/view.ts';

export type PathStep = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'key'; key: string };

export interface ParsedPath {
  readonly text: string;
  readonly steps: readonly PathStep[];
}

export class PathError extends Error {
  constructor(
    readonly source: string,
    readonly column: number,
    what: string,
  ) {
    super(`${what} at column ${column + 1} of ${JSON.stringify(source)}`);
  }
}

export const KEYED_ROOTS = ['blocks', 'sections', 'nodes', 'zones', 'vmemmap'] as const;
export type KeyedRoot = (typeof KEYED_ROOTS)[number];
export const isKeyedRoot = (name: string): name is KeyedRoot => (KEYED_ROOTS as readonly string[]).includes(name);

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Reads a quoted string starting at src[pos] (the quote); returns the value and the index after it. */
export function readQuoted(src: string, pos: number): { value: string; end: number } {
  const quote = src[pos]!;
  let out = '';
  let i = pos + 1;
  while (i < src.length && src[i] !== quote) {
    if (src[i] === '\\' && i + 1 < src.length) {
      const c = src[i + 1]!;
      out += c === 'n' ? '\n' : c === 't' ? '\t' : c;
      i += 2;
    } else out += src[i++];
  }
  if (i >= src.length) throw new PathError(src, pos, 'unterminated string');
  return { value: out, end: i + 1 };
}

/** Reads an integer (decimal or 0x hex) at src[pos]; returns the value and the index after it. */
export function readInteger(src: string, pos: number): { value: number; end: number } | null {
  const m = /^(0[xX][0-9a-fA-F]+|[0-9]+)/.exec(src.slice(pos));
  if (!m) return null;
  return { value: Number(m[1]), end: pos + m[1]!.length };
}

/**
 * Parses a path that starts at src[pos]; stops at the first character that
 * cannot continue it (so a predicate parser can embed paths).
 */
export function parsePathAt(src: string, pos: number): { path: ParsedPath; end: number } {
  const start = pos;
  const steps: PathStep[] = [];
  const name = (): string => {
    if (pos >= src.length || !NAME_START.test(src[pos]!)) throw new PathError(src, pos, 'expected a name');
    const s = pos;
    while (pos < src.length && NAME_CHAR.test(src[pos]!)) pos++;
    return src.slice(s, pos);
  };
  steps.push({ kind: 'name', name: name() });
  for (;;) {
    if (src[pos] === '.') {
      pos++;
      steps.push({ kind: 'name', name: name() });
    } else if (src[pos] === '[') {
      pos++;
      while (src[pos] === ' ') pos++;
      if (src[pos] === '"' || src[pos] === "'") {
        const q = readQuoted(src, pos);
        steps.push({ kind: 'key', key: q.value });
        pos = q.end;
      } else {
        const n = readInteger(src, pos);
        if (!n) throw new PathError(src, pos, 'expected an integer or a quoted key inside [ ]');
        steps.push({ kind: 'index', index: n.value });
        pos = n.end;
      }
      while (src[pos] === ' ') pos++;
      if (src[pos] !== ']') throw new PathError(src, pos, 'expected ]');
      pos++;
    } else break;
  }
  return { path: { text: src.slice(start, pos), steps }, end: pos };
}

/** Parses a whole string as one path. */
export function parsePath(text: string): ParsedPath {
  const src = text.trim();
  const { path, end } = parsePathAt(src, 0);
  if (end !== src.length) throw new PathError(src, end, `unexpected ${JSON.stringify(src[end])}`);
  return path;
}

/** Canonical text of a path (what diff() prints, so its paths can be watched). */
export function formatPath(steps: readonly PathStep[]): string {
  let out = '';
  for (const s of steps) {
    if (s.kind === 'name') out += out === '' ? s.name : `.${s.name}`;
    else if (s.kind === 'index') out += `[${s.index}]`;
    else out += `[${JSON.stringify(s.key)}]`;
  }
  return out;
}

/** One generic step: array position, `.length`, or object key. */
export function stepInto(value: unknown, step: PathStep): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (step.kind === 'index') return value[step.index];
    if (step.kind === 'name' && step.name === 'length') return value.length;
    if (step.kind === 'key' && /^[0-9]+$/.test(step.key)) return value[Number(step.key)];
    return undefined;
  }
  if (typeof value === 'string') return step.kind === 'name' && step.name === 'length' ? value.length : undefined;
  if (typeof value !== 'object') return undefined;
  const key = step.kind === 'name' ? step.name : step.kind === 'key' ? step.key : String(step.index);
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

const keyOf = (step: PathStep): number | undefined =>
  step.kind === 'index' ? step.index : step.kind === 'key' && /^[0-9]+$/.test(step.key) ? Number(step.key) : undefined;

/** The entity a keyed root names in a full view (the reference semantics). */
export function keyedInView(view: WorldView, root: KeyedRoot, step: PathStep): unknown {
  const k = keyOf(step);
  if (k === undefined) return stepInto(view[root], step); // e.g. blocks.length
  switch (root) {
    case 'blocks':
      return view.blocks.find((b) => b.id === k);
    case 'sections':
      return view.sections.find((s) => s.nr === k);
    case 'nodes':
      return view.nodes.find((n) => n.id === k);
    case 'vmemmap':
      return view.vmemmap.find((v) => v.headPfn === k);
    case 'zones': {
      const mine = view.zones.filter((z) => z.node === k);
      return mine.length === 0 ? undefined : Object.fromEntries(mine.map((z) => [z.zone, z]));
    }
  }
}

/** Evaluates a path over a full WorldView. */
export function evaluateInView(view: WorldView, path: ParsedPath): unknown {
  const [first, ...rest] = path.steps;
  const root = (first as { name: string }).name;
  let value: unknown;
  let i = 0;
  if (isKeyedRoot(root) && rest.length > 0) {
    value = keyedInView(view, root, rest[0]!);
    i = 1;
  } else value = stepInto(view, first!);
  for (; i < rest.length; i++) value = stepInto(value, rest[i]!);
  return value;
}
