/**
 * Invalid scenario input is reported as one ScenarioError that lists every
 * problem found, one per line, each naming the file and the JSON path:
 *
 *   scenarios/x.json: ops[3].size: "12Q" is not a size
 *   scenarios/x.json:4:17: invalid JSON: expected "," or "}" after the value of "size", found "\""
 */
import type { JsonPath } from './json-text.ts';

export interface ScenarioProblem {
  /** JSON path such as `ops[3].size`; '' for the document as a whole. */
  path: string;
  /** The explanation without file or path: `"12Q" is not a size`. */
  message: string;
  /** Set for syntax errors, where a JSON path does not exist yet. */
  line?: number;
  column?: number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** ['ops', 3, 'size'] → `ops[3].size`; odd keys are quoted: `params["a b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** A problem while it is still being collected: its path as keys, so problems can be put in file order. */
export interface LocatedProblem {
  at: readonly PropertyKey[];
  message: string;
}

export function problemAt(at: JsonPath | readonly PropertyKey[], message: string): LocatedProblem {
  return { at, message };
}

/**
 * Sorts problems into the order their places appear in the document (keys in
 * the order the author wrote them; a missing key after the present ones), so
 * the list reads top to bottom like the file. The sort is stable.
 */
export function inDocumentOrder(problems: readonly LocatedProblem[], root: unknown): ScenarioProblem[] {
  const rank = (at: readonly PropertyKey[]): number[] => {
    const out: number[] = [];
    let node: unknown = root;
    for (const key of at) {
      if (node === null || typeof node !== 'object') break;
      const keys = Object.keys(node);
      const i = Array.isArray(node) ? Number(key) : keys.indexOf(String(key));
      out.push(i < 0 ? keys.length : i);
      node = (node as Record<PropertyKey, unknown>)[key];
    }
    return out;
  };
  const compare = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  };
  return problems
    .map((p) => ({ p, r: rank(p.at) }))
    .sort((x, y) => compare(x.r, y.r))
    .map(({ p }) => ({ path: formatPath(p.at), message: p.message }));
}

export function formatProblem(file: string, p: ScenarioProblem): string {
  const where = p.line !== undefined ? `${file}:${p.line}:${p.column ?? 1}` : file;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

export class ScenarioError extends Error {
  /** JSON path of the first problem (see `problems` for all of them). */
  readonly path: string;

  constructor(
    readonly file: string,
    readonly problems: readonly ScenarioProblem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ScenarioError';
    this.path = problems[0]?.path ?? '';
  }
}
