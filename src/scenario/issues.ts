/**
 * Turns zod issues into located problems with our wording. Most messages are
 * already ours (the value parsers); here we word the issues zod raises on its
 * own: wrong JSON types, unknown fields and unknown operations.
 */
import type { z } from 'zod';
import type { LocatedProblem } from './errors.ts';
import { problemAt } from './errors.ts';
import { showValue } from '../input/size.ts';

const TYPE_NAMES: Record<string, string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

/** The raw JSON value at a path, to show what the author actually wrote. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function problemsFromIssue(issue: z.core.$ZodIssue, root: unknown): LocatedProblem[] {
  const path = issue.path;
  const value = valueAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const why = issue.message.startsWith('unknown field') ? issue.message : 'unknown field';
      return issue.keys.map((key) => problemAt([...path, key], why));
    }
    case 'invalid_union': {
      // zod 4 adds the discriminator's allowed values as `options` (absent from its issue type).
      const options = (issue as { options?: unknown[] }).options;
      if (issue.discriminator === undefined || options === undefined) break;
      const expected = `expected one of ${options.join(', ')}`;
      const message = value === undefined ? `missing (${expected})` : `${showValue(value)} is not an operation (${expected})`;
      return [problemAt(path, message)];
    }
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      if (value === undefined) return [problemAt(path, `missing (expected ${expected})`)];
      return [problemAt(path, `expected ${expected}, got ${showValue(value)}`)];
    }
    case 'invalid_value':
      // Literals of the op union land here only through a bug in the schema; word them plainly.
      return [problemAt(path, `${showValue(value)} is not allowed (expected ${issue.values.map((v) => showValue(v)).join(' or ')})`)];
  }
  return [problemAt(path, issue.message)];
}
