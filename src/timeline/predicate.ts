/**
 * A small predicate language over the WorldView, parsed by hand (never
 * eval'd), for `bisect --until`, conditional breakpoints and the stepper.
 *
 *   expr    := or
 *   or      := and ( '||' and )*
 *   and     := unary ( '&&' unary )*
 *   unary   := '!' unary | compare
 *   compare := operand ( ( '==' | '!=' | '<' | '<=' | '>' | '>=' ) operand )?
 *   operand := path | number | string | true | false | null | '(' expr ')'
 *
 * Paths are those of path.ts: `blocks[65].state`, `zones[0].Movable.managedPages`,
 * `faults.length`, `tainted`. Numbers are decimal (may be negative or have
 * a fraction) or 0x hex; strings are "double" or 'single' quoted.
 *
 * Meaning:
 * - A path that names nothing is null: `blocks[99] == null` is true when
 *   block 99 does not exist, and `blocks[99].state != "online"` is true too.
 * - `==` / `!=` compare by value (objects and arrays deeply).
 * - `<`, `<=`, `>`, `>=` compare two numbers or two strings; any other pair
 *   (e.g. null < 1) is false.
 * - An operand used alone is a truth test: false, null, 0, "" and the empty
 *   array are false, everything else true — so `faults` means "there is a fault".
 *
 * Examples: `blocks[65].state == "online"`, `tainted`,
 * `zones[0].Movable.managedPages > 0`, `faults.length > 0 && !tainted`.
 */
import { isDeepStrictEqual } from 'node:util';
import type { World } from '../engine/world.ts';
import { parsePathAt, PathError, readInteger, readQuoted, type ParsedPath } from './path.ts';
import { evaluate } from './resolve.ts';

export class PredicateError extends Error {
  constructor(
    readonly source: string,
    readonly column: number,
    what: string,
  ) {
    super(`invalid predicate: ${what} at column ${column + 1}\n  ${source}\n  ${' '.repeat(column)}^`);
  }
}

type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type PredicateNode =
  | { kind: 'or' | 'and'; left: PredicateNode; right: PredicateNode }
  | { kind: 'not'; operand: PredicateNode }
  | { kind: 'cmp'; op: CmpOp; left: PredicateNode; right: PredicateNode }
  | { kind: 'path'; path: ParsedPath }
  | { kind: 'literal'; value: string | number | boolean | null };

export interface Predicate {
  readonly source: string;
  readonly ast: PredicateNode;
  /** Every path the predicate reads. */
  readonly paths: readonly ParsedPath[];
  test(world: World): boolean;
}

class Parser {
  pos = 0;
  readonly paths: ParsedPath[] = [];
  constructor(readonly src: string) {}

  fail(what: string, at = this.pos): never {
    throw new PredicateError(this.src, at, what);
  }
  skip(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }
  eat(tok: string): boolean {
    this.skip();
    if (this.src.startsWith(tok, this.pos)) {
      this.pos += tok.length;
      return true;
    }
    return false;
  }

  parse(): PredicateNode {
    const node = this.or();
    this.skip();
    if (this.pos < this.src.length) {
      if (this.src[this.pos] === '=' ) this.fail('"=" is not an operator (use "==")');
      this.fail(`unexpected ${JSON.stringify(this.src[this.pos])}`);
    }
    return node;
  }
  or(): PredicateNode {
    let left = this.and();
    while (this.eat('||')) left = { kind: 'or', left, right: this.and() };
    return left;
  }
  and(): PredicateNode {
    let left = this.unary();
    while (this.eat('&&')) left = { kind: 'and', left, right: this.unary() };
    return left;
  }
  unary(): PredicateNode {
    this.skip();
    if (this.src[this.pos] === '!' && this.src[this.pos + 1] !== '=') {
      this.pos++;
      return { kind: 'not', operand: this.unary() };
    }
    return this.compare();
  }
  compare(): PredicateNode {
    const left = this.operand();
    this.skip();
    for (const op of ['==', '!=', '<=', '>=', '<', '>'] as const) {
      if (this.src.startsWith(op, this.pos)) {
        this.pos += op.length;
        return { kind: 'cmp', op, left, right: this.operand() };
      }
    }
    return left;
  }
  operand(): PredicateNode {
    this.skip();
    const c = this.src[this.pos];
    if (c === undefined) this.fail('expected a value (a path, number, string, true, false or null) but the predicate ended');
    if (c === '(') {
      this.pos++;
      const inner = this.or();
      if (!this.eat(')')) this.fail('expected )');
      return inner;
    }
    if (c === '"' || c === "'") {
      try {
        const q = readQuoted(this.src, this.pos);
        this.pos = q.end;
        return { kind: 'literal', value: q.value };
      } catch (e) {
        if (e instanceof PathError) this.fail('unterminated string', e.column);
        throw e;
      }
    }
    if (/[-0-9]/.test(c)) {
      const neg = c === '-';
      const at = this.pos;
      if (neg) this.pos++;
      const hex = readInteger(this.src, this.pos);
      if (hex && /^0[xX]/.test(this.src.slice(this.pos))) {
        this.pos = hex.end;
        return { kind: 'literal', value: neg ? -hex.value : hex.value };
      }
      const m = /^[0-9]+(\.[0-9]+)?/.exec(this.src.slice(this.pos));
      if (!m) this.fail('expected a number', at);
      this.pos += m[0].length;
      return { kind: 'literal', value: (neg ? -1 : 1) * Number(m[0]) };
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos))?.[0];
    if (word === undefined) this.fail(`unexpected ${JSON.stringify(c)}`);
    const after = this.src[this.pos + word.length];
    if ((word === 'true' || word === 'false' || word === 'null') && after !== '.' && after !== '[') {
      this.pos += word.length;
      return { kind: 'literal', value: word === 'null' ? null : word === 'true' };
    }
    try {
      const { path, end } = parsePathAt(this.src, this.pos);
      this.pos = end;
      this.paths.push(path);
      return { kind: 'path', path };
    } catch (e) {
      if (e instanceof PathError) this.fail(e.message.replace(/ at column.*$/, ''), e.column);
      throw e;
    }
  }
}

const norm = (v: unknown): unknown => (v === undefined ? null : v);

export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '' && !Number.isNaN(v);
}

function value(node: PredicateNode, world: World): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'path':
      return norm(evaluate(world, node.path));
    case 'not':
      return !truthy(value(node.operand, world));
    case 'and':
      return truthy(value(node.left, world)) && truthy(value(node.right, world));
    case 'or':
      return truthy(value(node.left, world)) || truthy(value(node.right, world));
    case 'cmp': {
      const a = value(node.left, world);
      const b = value(node.right, world);
      if (node.op === '==') return isDeepStrictEqual(a, b);
      if (node.op === '!=') return !isDeepStrictEqual(a, b);
      const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
      if (!comparable) return false;
      const x = a as number | string;
      const y = b as number | string;
      return node.op === '<' ? x < y : node.op === '<=' ? x <= y : node.op === '>' ? x > y : x >= y;
    }
  }
}

/** Parses a predicate; throws PredicateError naming the column. */
export function parsePredicate(source: string): Predicate {
  const p = new Parser(source);
  if (source.trim() === '') p.fail('the predicate is empty');
  const ast = p.parse();
  return { source, ast, paths: p.paths, test: (world) => truthy(value(ast, world)) };
}
