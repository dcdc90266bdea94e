/**
 * Scenario files: JSON text → a validated Scenario with every default filled
 * in and every size in bytes (types in src/kernel/types.ts, defaults in
 * defaults.ts). Any invalid input throws one ScenarioError listing every
 * problem of the file with its JSON path.
 */
import { isCollection, isMap, isPair, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { readInputFile } from '../input/read-file.ts';
import { basename, extname } from 'node:path';
import { kernelConfig } from '../kernel/config.ts';
import { defaultOnlineType } from '../kernel/features.ts';
import { PROFILES } from '../kernel/profiles.ts';
import { DEFAULT_SPARSEMEM } from './defaults.ts';
import type { Scenario } from '../kernel/ops.ts';
import { crossFieldProblems } from './checks.ts';
import type { LocatedProblem } from './errors.ts';
import { inDocumentOrder, problemAt, ScenarioError } from './errors.ts';
import { problemsFromIssue } from './issues.ts';
import { MAX_NESTING, readJson } from './json-text.ts';
import { machineLimitProblems } from './machine-limits.ts';
import { DEFAULT_AGENT_ONLINE } from '../kernel/agents.ts';
import { scenarioSchema } from './schema.ts';
import type { ParsedScenarioDocument } from './schema.ts';

/** See defaults.ts: every node the scenario uses must be node_possible(). */
function defaultPossibleNodes(doc: ParsedScenarioDocument): number {
  let highest = doc.boot.length - 1;
  for (const op of doc.ops) if ('node' in op && typeof op.node === 'number') highest = Math.max(highest, op.node);
  return highest + 1;
}

function finish(doc: ParsedScenarioDocument, file: string): Scenario {
  const given = doc.machine.config;
  const vmemmap = given.SPARSEMEM_VMEMMAP ?? (doc.machine.sparsemem ?? DEFAULT_SPARSEMEM) === 'vmemmap';
  const sparsemem = vmemmap ? 'vmemmap' : 'classic';
  const explicit = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  // the log header records every option, so a later change of a default cannot change a recorded run
  const config = kernelConfig({ arch: doc.arch, kernel: doc.kernel, machine: { hypervisor: doc.machine.hypervisor, sparsemem, config: explicit } });
  const scenario: Scenario = {
    name: doc.name ?? basename(file, extname(file)),
    kernel: doc.kernel,
    arch: doc.arch,
    machine: {
      hypervisor: doc.machine.hypervisor,
      sparsemem,
      possibleNodes: doc.machine.possibleNodes ?? defaultPossibleNodes(doc),
      config,
    },
    boot: doc.boot.map(({ ranges, ...b }) => ({
      ...b,
      size: b.size ?? (ranges ?? []).reduce((sum, r) => sum + r.size, 0),
      maxFreeOrder: b.maxFreeOrder ?? PROFILES[doc.arch].maxPageOrder,
      // a zone is where an online range's pages are: an offline range has none
      ...(ranges ? { ranges: ranges.map(({ zone, ...r }) => (zone && r.online ? { ...r, zone } : r)) } : {}),
    })),
    params: { ...doc.params, auto_online_blocks: doc.params.auto_online_blocks ?? defaultOnlineType(config) },
    // an optional field left out stays out (no `"blockSize": undefined` in the op)
    ops: doc.ops.map((op) => Object.fromEntries(Object.entries(op).filter(([, v]) => v !== undefined)) as typeof op),
  };
  if (doc.description !== undefined) scenario.description = doc.description;
  if (doc.agents !== undefined) scenario.agents = doc.agents.map((a) => ({ name: a.name, online: a.online ?? DEFAULT_AGENT_ONLINE[a.name], react: a.react ?? 'at-once' }));
  if (doc.machine.memoryBlockSize !== undefined) scenario.machine.memoryBlockSize = doc.machine.memoryBlockSize;
  return scenario;
}

function validate(value: unknown, file: string, earlier: LocatedProblem[]): Scenario {
  const result = scenarioSchema.safeParse(value);
  const problems = [...earlier];
  if (!result.success) for (const issue of result.error.issues) problems.push(...problemsFromIssue(issue, value));
  problems.push(...crossFieldProblems(value));
  if (problems.length > 0 || !result.success) throw new ScenarioError(file, inDocumentOrder(problems, value));
  const scenario = finish(result.data, file);
  const limits = machineLimitProblems(scenario);
  if (limits.length > 0) throw new ScenarioError(file, inDocumentOrder(limits, value));
  return scenario;
}

/** Validates an already-decoded JSON value (e.g. a scenario sent by the inspector). */
export function validateScenario(value: unknown, file: string): Scenario {
  return validate(value, file, []);
}

/** Parses scenario JSON text; `file` names the source in messages. Throws ScenarioError. */
/** Scenario files ending in .yaml or .yml are YAML; everything else is JSON. */
export const isYamlFile = (file: string) => /\.ya?ml$/i.test(file);

/**
 * Alias expansions a YAML scenario may make (the yaml library's maxAliasCount, which
 * weighs each alias by the aliases inside what it names). Hand-written scenarios use a
 * handful; an alias bomb needs millions.
 */
export const MAX_YAML_ALIASES = 1000;

type YamlProblem = { offset: number | undefined; message: string };

/**
 * What YAML can say that a scenario cannot: nesting past MAX_NESTING and keys that are
 * mappings or sequences (`? [a, b] : 1`: JavaScript objects have only string keys).
 * Walked with an explicit stack: the document may be deeper than the call stack.
 */
function yamlShapeProblems(doc: Document.Parsed): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth >= MAX_NESTING) {
      problems.push({ offset: node.range?.[0], message: `nested more than ${MAX_NESTING} levels deep (a scenario needs at most 5)` });
      break;
    }
    for (const item of node.items) {
      if (isPair(item)) {
        if (isCollection(item.key)) {
          const kind = isMap(item.key) ? 'a mapping' : 'a sequence';
          problems.push({ offset: (item.key as { range?: [number] }).range?.[0], message: `a key must be a plain name, not ${kind} (scenario fields are named by strings)` });
          continue;
        }
        stack.push({ node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return problems;
}

/** YAML: the same schema and the same error paths; syntax errors (and keys written twice) name line and column. */
function parseYamlScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { uniqueKeys: true, lineCounter, logLevel: 'error' });
  } catch (e) {
    if (e instanceof RangeError) throw new ScenarioError(file, [{ path: '', message: `invalid YAML: nested too deeply to read (at most ${MAX_NESTING} levels)` }]);
    throw e;
  }
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => {
        const why = /Maximum call stack size exceeded/.test(e.message)
          ? `nested more than ${MAX_NESTING} levels deep (a scenario needs at most 5)`
          : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return { path: '', line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col, message: `invalid YAML: ${why}` };
      }),
    );
  }
  const shape = yamlShapeProblems(doc);
  if (shape.length > 0) throw new ScenarioError(file, shape.map((p) => ({ path: '', ...at(p.offset), message: `invalid YAML: ${p.message}` })));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    if (!(e instanceof ReferenceError) || !/alias/i.test(e.message)) throw e;
    let firstAlias: number | undefined;
    visit(doc, { Alias(_, node) { firstAlias ??= node.range?.[0]; return visit.BREAK; } });
    throw new ScenarioError(file, [
      { path: '', ...at(firstAlias), message: `invalid YAML: its aliases expand to more than ${MAX_YAML_ALIASES} nodes (memhp's limit on YAML aliases, which keeps an alias bomb from exhausting memory)` },
    ]);
  }
  return validate(value, file, []);
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
    text = readInputFile(path).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new ScenarioError(path, [{ path: '', message: FILE_ERRORS[code] ?? `cannot read: ${(err as Error).message}` }]);
  }
  return parseScenario(text, path);
}
