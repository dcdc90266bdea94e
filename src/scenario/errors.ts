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

export function problemAt(path: JsonPath | readonly PropertyKey[], message: string): ScenarioProblem {
  return { path: formatPath(path), message };
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
