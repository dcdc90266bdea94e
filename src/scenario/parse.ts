/**
 * Scenario files: JSON text → a validated Scenario with every default filled
 * in and every size in bytes (types in src/kernel/types.ts, defaults in
 * defaults.ts). Any invalid input throws one ScenarioError listing every
 * problem of the file with its JSON path.
 */
import { parseDocument } from 'yaml';
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { PROFILES } from '../kernel/profiles.ts';
import type { Scenario } from '../kernel/types.ts';
import { crossFieldProblems } from './checks.ts';
import type { LocatedProblem } from './errors.ts';
import { inDocumentOrder, problemAt, ScenarioError } from './errors.ts';
import { problemsFromIssue } from './issues.ts';
import { readJson } from './json-text.ts';
import { scenarioSchema } from './schema.ts';
import type { ParsedScenarioDocument } from './schema.ts';

/** See defaults.ts: every node the scenario uses must be node_possible(). */
function defaultPossibleNodes(doc: ParsedScenarioDocument): number {
  let highest = doc.boot.length - 1;
  for (const op of doc.ops) if ('node' in op && typeof op.node === 'number') highest = Math.max(highest, op.node);
  return highest + 1;
}

function finish(doc: ParsedScenarioDocument, file: string): Scenario {
  const scenario: Scenario = {
    name: doc.name ?? basename(file, extname(file)),
    kernel: doc.kernel,
    arch: doc.arch,
    machine: {
      hypervisor: doc.machine.hypervisor,
      sparsemem: doc.machine.sparsemem,
      possibleNodes: doc.machine.possibleNodes ?? defaultPossibleNodes(doc),
    },
    boot: doc.boot.map((b) => ({ ...b, maxFreeOrder: b.maxFreeOrder ?? PROFILES[doc.arch].maxPageOrder })),
    params: doc.params,
    // an optional field left out stays out (no `"blockSize": undefined` in the op)
    ops: doc.ops.map((op) => Object.fromEntries(Object.entries(op).filter(([, v]) => v !== undefined)) as typeof op),
  };
  if (doc.description !== undefined) scenario.description = doc.description;
  if (doc.machine.memoryBlockSize !== undefined) scenario.machine.memoryBlockSize = doc.machine.memoryBlockSize;
  return scenario;
}

function validate(value: unknown, file: string, earlier: LocatedProblem[]): Scenario {
  const result = scenarioSchema.safeParse(value);
  const problems = [...earlier];
  if (!result.success) for (const issue of result.error.issues) problems.push(...problemsFromIssue(issue, value));
  problems.push(...crossFieldProblems(value));
  if (problems.length > 0 || !result.success) throw new ScenarioError(file, inDocumentOrder(problems, value));
  return finish(result.data, file);
}

/** Validates an already-decoded JSON value (e.g. a scenario sent by the inspector). */
export function validateScenario(value: unknown, file: string): Scenario {
  return validate(value, file, []);
}

/** Parses scenario JSON text; `file` names the source in messages. Throws ScenarioError. */
/** Scenario files ending in .yaml or .yml are YAML; everything else is JSON. */
export const isYamlFile = (file: string) => /\.ya?ml$/i.test(file);

/** YAML: the same schema and the same error paths; syntax errors (and keys written twice) name line and column. */
function parseYamlScenario(text: string, file: string): Scenario {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => ({ path: '', line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col, message: `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` })),
    );
  }
  return validate(doc.toJS(), file, []);
}

export function parseScenario(text: string, file: string): Scenario {
  if (isYamlFile(file)) return parseYamlScenario(text, file);
  const json = readJson(text);
  if (!json.ok) {
    throw new ScenarioError(file, [{ path: '', line: json.line, column: json.column, message: `invalid JSON: ${json.message}` }]);
  }
  // JSON.parse keeps the last of two equal keys; a scenario that says a thing twice is a mistake.
  const duplicates = json.duplicates.map((d) => problemAt([...d.path, d.key], 'field written twice in one object'));
  return validate(json.value, file, duplicates);
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a scenario file',
  EACCES: 'permission denied',
};

/** Reads and parses a scenario file. A missing or unreadable file is a ScenarioError too. */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new ScenarioError(path, [{ path: '', message: FILE_ERRORS[code] ?? `cannot read: ${(err as Error).message}` }]);
  }
  return parseScenario(text, path);
}
