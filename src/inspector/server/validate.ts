/**
 * Every WebSocket message is checked here before it reaches the backend; a
 * message that fails gets an error reply naming the JSON path and changes
 * nothing. An operation is checked by the scenario schema (the declaration of
 * every operation, src/kernel/ops.ts), so the page can send what a scenario may
 * hold, with the same reasons; event types are the log's.
 */
import { z } from 'zod';
import { EVENT_TYPES } from '../../log/schema.ts';
import { opSchema } from '../../scenario/ops-schema.ts';

const seq = z.number().int().min(0);
const eventType = z.enum(EVENT_TYPES);

const filter = z.strictObject({
  actor: z.string().max(200).optional(),
  type: eventType.optional(),
  text: z.string().max(500).optional(),
});

const breakpoint = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('seq'), seq }),
  z.strictObject({ kind: z.literal('match'), filter }),
]);

const none = z.strictObject({});
const req = <M extends string, P extends z.ZodType>(method: M, params: P) =>
  z.strictObject({ id: z.number().int().min(0), method: z.literal(method), params });

export const requestSchema = z.discriminatedUnion('method', [
  req('info', none),
  req('events', z.strictObject({ from: seq, to: seq }).refine((p) => p.to - p.from <= 5000, 'at most 5000 events per request')),
  req('rows', z.strictObject({ filter, offset: seq, limit: z.number().int().min(0).max(5000) })),
  req('rowOf', z.strictObject({ filter, seq })),
  req('frame', z.strictObject({ seq })),
  req('diff', z.strictObject({ seq })),
  req('step', z.strictObject({ seq, mapBase: seq.nullable(), actor: z.string().min(1).max(200).nullable(), invariants: z.boolean().optional() })),
  req('accountingByOp', z.strictObject({ fromOp: seq, toOp: seq, points: z.number().int().min(2).max(4000) })),
  req('outcome', none),
  req('branches', none),
  req('selectBranch', z.strictObject({ id: seq })),
  req('compare', z.strictObject({ a: seq, b: seq })),
  req('invariants', z.strictObject({ seq })),
  req('accounting', z.strictObject({ points: z.number().int().min(2).max(4000) })),
  req('machines', none),
  req('actor', z.strictObject({ actor: z.string().min(1).max(200), seq })),
  req('continue', z.strictObject({ from: seq, direction: z.enum(['forward', 'backward']), breakpoints: z.array(breakpoint).max(1000) })),
  req('apply', z.strictObject({ op: opSchema, atSeq: seq })),
  req('why', z.strictObject({ question: z.string().min(1).max(200), at: seq })),
]);

export type ValidRequest = z.infer<typeof requestSchema>;

/** Parse a raw message; on failure a one-line reason naming the JSON path. */
export function parseRequest(raw: string): { ok: true; req: ValidRequest } | { ok: false; id: number | null; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    return { ok: false, id: null, message: `message is not JSON: ${(e as Error).message}` };
  }
  const id = typeof json === 'object' && json !== null && Number.isInteger((json as { id?: unknown }).id)
    ? ((json as { id: number }).id) : null;
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length ? `$.${issue.path.join('.')}` : '$';
    return { ok: false, id, message: `${path}: ${issue.message}` };
  }
  return { ok: true, req: parsed.data };
}
