/**
 * The schema of one scenario operation, derived from the declaration of every
 * operation (src/kernel/ops.ts): an object whose `op` field selects the fields it
 * may have, each run through its declared parser so a bad value gets our reason at
 * its JSON path. The inspector checks an operation it is sent with this same schema.
 */
import { z } from 'zod';
import { opDeclaration, OP_NAMES, type Field, type Op } from '../kernel/ops.ts';
import { optional, required, strictObject, withDefault } from './zod-fields.ts';

/** A list field: each element checked at its own index; an element named twice is a mistake, not an intent. */
function listSchema(f: Field, element: NonNullable<Field['element']>) {
  const list = z.array(required(element)).transform((items, ctx) => {
    items.forEach((item, i) => {
      if (items.indexOf(item) < i) ctx.issues.push({ code: 'custom', message: `${item} is listed twice`, path: [i], input: item });
    });
    return items;
  });
  if (f.need === 'required') return list;
  return list.optional().transform((items) => items ?? [...(f.fallback as unknown[])]);
}

function fieldSchema(f: Field) {
  if (f.element) return listSchema(f, f.element);
  switch (f.need) {
    case 'required': return required(f.parse);
    case 'default': return withDefault(f.parse, f.fallback);
    case 'optional': return optional(f.parse);
  }
}

const OP_SCHEMAS = OP_NAMES.map((name) => {
  const fields = opDeclaration(name).fields;
  return strictObject({ op: z.literal(name), ...Object.fromEntries(Object.entries(fields).map(([key, f]) => [key, fieldSchema(f)])) });
});

export const opSchema = z.discriminatedUnion('op', OP_SCHEMAS as [(typeof OP_SCHEMAS)[number], ...(typeof OP_SCHEMAS)[number][]]) as unknown as z.ZodType<Op, unknown>;
