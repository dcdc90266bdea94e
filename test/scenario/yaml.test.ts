/**
 * YAML scenarios: the same schema, defaults and error paths as JSON; syntax
 * errors and keys written twice name the line and column.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../src/scenario/index.ts';

const DIR = join(import.meta.dirname, '../../scenarios');

function errorOf(text: string, file = 'scenarios/x.yaml'): string {
  try {
    parseScenario(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

describe('YAML scenarios', () => {
  it('the shipped YAML seed story equals its JSON twin (but for the name)', () => {
    const y = loadScenarioFile(join(DIR, 'seed-reviewer-partial-remove.yaml'));
    const j = loadScenarioFile(join(DIR, 'seed-reviewer-partial-remove.json'));
    expect({ ...y, name: '' }).toEqual({ ...j, name: '' });
  });

  it('fills defaults like JSON', () => {
    const s = parseScenario('ops:\n  - { op: probe, addr: 8G }\n', 'p.yml');
    expect(s.kernel).toBe('6.8');
    expect(s.ops).toEqual([{ op: 'probe', addr: 8 * 2 ** 30 }]);
  });

  it('names the JSON path of a bad value', () => {
    expect(errorOf('ops:\n  - { op: add_memory, start: 8G, size: 12Q }\n')).toBe('scenarios/x.yaml: ops[0].size: "12Q" is not a size');
  });

  it('names line and column of a syntax error and of a key written twice', () => {
    expect(errorOf('ops:\n  - { op: add_memory, start: 8G\n')).toMatch(/^scenarios\/x\.yaml:3:1: invalid YAML: /);
    expect(errorOf('name: a\nname: b\n')).toMatch(/^scenarios\/x\.yaml:2:1: invalid YAML: Map keys must be unique/);
  });
});
