/**
 * Glue between the value parsers (values.ts) and zod: a field runs one
 * parser and turns its reason into a zod issue at the field's path, so the
 * messages stay ours while zod walks the document and collects every issue.
 */
import { z } from 'zod';
import type { Parser } from '../input/values.ts';

/** A field that must be present. */
export function required<T>(parser: Parser<T>) {
  return z.unknown().transform((input, ctx): T => {
    const r = parser(input);
    if (r.ok) return r.value;
    ctx.issues.push({ code: 'custom', message: r.reason, input });
    return z.NEVER;
  });
}

/** A field that may be absent and then takes `fallback`. */
export function withDefault<T>(parser: Parser<T>, fallback: T) {
  return z
    .unknown()
    .optional()
    .transform((input, ctx): T => {
      if (input === undefined) return fallback;
      const r = parser(input);
      if (r.ok) return r.value;
      ctx.issues.push({ code: 'custom', message: r.reason, input });
      return z.NEVER;
    });
}

/** A field that may be absent and then stays undefined. */
export function optional<T>(parser: Parser<T>) {
  return withDefault<T | undefined>(parser as Parser<T | undefined>, undefined);
}

/** An object that rejects unknown fields, naming the fields it knows (catches typos). */
export function strictObject<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = `expected one of ${Object.keys(shape).join(', ')}`;
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field (${known})` : undefined),
  });
}
