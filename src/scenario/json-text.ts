/**
 * Reads JSON text for the scenario loader. JSON.parse builds the value; this
 * module adds what JSON.parse does not say: the line and column of a syntax
 * error (Node 20 often reports only a character offset, sometimes nothing) and
 * fields written twice in one object (JSON.parse silently keeps the last one,
 * which hides a typo-level mistake).
 */

export type JsonPath = (string | number)[];

/**
 * How deep a scenario document may nest. A scenario is at most five levels deep
 * (ops[3].flags[0]); 64 leaves room and keeps every recursive reader (this scanner,
 * the YAML parser, the schema) far from the call stack's limit.
 */
export const MAX_NESTING = 64;

export type JsonRead =
  | { ok: true; value: unknown; duplicates: { path: JsonPath; key: string }[] }
  | { ok: false; line: number; column: number; message: string };

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** A strict JSON scanner (RFC 8259): validates, tracks paths, builds nothing. */
class Scanner {
  pos = 0;
  readonly duplicates: { path: JsonPath; key: string }[] = [];

  constructor(private readonly text: string) {}

  fail(message: string, offset = this.pos): never {
    throw new JsonSyntaxError(message, offset);
  }

  describeHere(): string {
    if (this.pos >= this.text.length) return 'the end of the file';
    return JSON.stringify(this.text[this.pos]);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  document(): void {
    this.skipSpace();
    if (this.pos >= this.text.length) this.fail('the file is empty (expected a JSON object)');
    this.value([]);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describeHere()} after the end of the JSON value`);
  }

  value(path: JsonPath): void {
    this.skipSpace();
    const c = this.text[this.pos];
    if ((c === '{' || c === '[') && path.length >= MAX_NESTING)
      this.fail(`nested more than ${MAX_NESTING} levels deep (a scenario needs at most 5)`);
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"') return void this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    if (c === undefined) this.fail('unexpected end of the file (expected a value)');
    const bare = /^[A-Za-z_][\w.+-]*/.exec(this.text.slice(this.pos));
    if (bare) this.fail(`unexpected word "${bare[0]}" (strings need double quotes)`);
    this.fail(`unexpected ${this.describeHere()} (expected a value)`);
  }

  object(path: JsonPath): void {
    this.pos++; // {
    const seen = new Set<string>();
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') {
        if (this.text[this.pos] === '}') this.fail('trailing comma before "}"');
        this.fail(`expected a field name in double quotes, found ${this.describeHere()}`);
      }
      const key = this.string();
      if (seen.has(key)) this.duplicates.push({ path, key });
      seen.add(key);
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail(`expected ":" after the field name "${key}", found ${this.describeHere()}`);
      this.pos++;
      this.value([...path, key]);
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return;
      if (c !== ',') this.fail(`expected "," or "}" after the value of "${key}", found ${c === undefined ? 'the end of the file' : JSON.stringify(c)}`, this.pos - 1);
    }
  }

  array(path: JsonPath): void {
    this.pos++; // [
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      this.skipSpace();
      if (this.text[this.pos] === ']') this.fail('trailing comma before "]"');
      this.value([...path, index]);
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return;
      if (c !== ',') this.fail(`expected "," or "]" after a list element, found ${c === undefined ? 'the end of the file' : JSON.stringify(c)}`, this.pos - 1);
    }
  }

  /** Scans a string literal and returns its raw content (escapes are irrelevant for keys we compare). */
  string(): string {
    const start = this.pos;
    this.pos++; // "
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated string', start);
      if (c === '"') break;
      if (c < ' ') this.fail(c === '\n' ? 'line break inside a string (unterminated string?)' : 'control character inside a string');
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.fail('bad \\u escape (expected 4 hex digits)');
          this.pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail(`bad escape "\\${e ?? ''}" in a string`);
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
    this.pos++; // closing "
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  number(): void {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos));
    if (!m) this.fail('malformed number');
    const next = this.text[this.pos + m[0].length];
    if (next !== undefined && /[\w.]/.test(next)) {
      const token = /^[-\w.+]+/.exec(this.text.slice(this.pos))![0];
      this.fail(`malformed number "${token}" (sizes such as 128M need double quotes)`);
    }
    this.pos += m[0].length;
  }
}

/** 1-based line and column of a character offset (columns count UTF-16 units, as editors do). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export function readJson(input: string): JsonRead {
  // A byte-order mark is not JSON, but editors on some systems write one.
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const scanner = new Scanner(text);
  try {
    scanner.document();
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    return { ok: false, ...lineColumn(text, err.offset), message: err.message };
  }
  return { ok: true, value: JSON.parse(text), duplicates: scanner.duplicates };
}
