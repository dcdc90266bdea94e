/**
 * Every WebSocket message is checked here before it reaches the backend; a
 * message that fails gets an error reply naming the JSON path and changes
 * nothing.
 */
import { z } from 'zod';
import { MHP_FLAGS, RUNTIME_PARAMS } from '../../kernel/types.ts';

const seq = z.number().int().min(0);
const u64 = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const eventType = z.enum(['op', 'transition', 'account', 'vmemmap', 'node', 'resource', 'fault', 'knob', 'warning', 'group', 'device']);

const filter = z.strictObject({
  actor: z.string().max(200).optional(),
  type: eventType.optional(),
  text: z.string().max(500).optional(),
});

const breakpoint = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('seq'), seq }),
  z.strictObject({ kind: z.literal('match'), filter }),
]);

const range = { start: u64, size: u64.min(1) };
const node = z.number().int().min(0).max(1023);
const device = z.string().regex(/^[A-Za-z0-9_.:-]+$/).max(64);
export const opSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('add_memory'), node: z.number().int().min(0).max(1023), ...range, flags: z.array(z.enum(MHP_FLAGS)).max(3) }),
  z.strictObject({ op: z.literal('probe'), addr: u64 }),
  // string values are the simulated kernel's to judge (src/kernel/parse.ts), as in scenarios
  z.strictObject({ op: z.literal('state'), block: seq, value: z.string().max(4096) }),
  z.strictObject({ op: z.literal('online'), block: seq, value: z.union([z.boolean(), z.string().max(4096)]) }),
  z.strictObject({ op: z.literal('remove_memory'), ...range }),
  z.strictObject({ op: z.literal('offline_and_remove_memory'), ...range }),
  z.strictObject({ op: z.literal('set'), param: z.enum(RUNTIME_PARAMS), value: z.union([z.string(), z.number(), z.boolean()]) }),
  z.strictObject({ op: z.literal('inject'), action: z.enum(['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE']), error: z.number().int() }),
  z.strictObject({ op: z.literal('pin'), block: seq }),
  z.strictObject({ op: z.literal('unpin'), block: seq }),
  z.strictObject({ op: z.literal('signal') }),
  z.strictObject({ op: z.literal('touch'), block: seq }),
  z.strictObject({ op: z.literal('write'), path: z.string().min(1).max(1024), value: z.string().max(4096) }),
  z.strictObject({ op: z.literal('acpi_dimm_add'), device, node, ...range }),
  z.strictObject({ op: z.literal('acpi_dimm_eject'), device }),
  z.strictObject({ op: z.literal('virtio_mem_add'), device, node, ...range, requested: u64, blockSize: u64.min(1).optional() }),
  z.strictObject({ op: z.literal('virtio_mem_resize'), device, requested: u64 }),
  z.strictObject({ op: z.literal('dax_kmem_add'), device, node, ...range, memmap_on_memory: z.boolean().optional() }),
  z.strictObject({ op: z.literal('dax_kmem_remove'), device }),
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
  req('invariants', z.strictObject({ seq })),
  req('accounting', z.strictObject({ points: z.number().int().min(2).max(4000) })),
  req('machines', none),
  req('actor', z.strictObject({ actor: z.string().min(1).max(200), seq })),
  req('continue', z.strictObject({ from: seq, direction: z.enum(['forward', 'backward']), breakpoints: z.array(breakpoint).max(1000) })),
  req('apply', z.strictObject({ op: opSchema, atSeq: seq })),
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
