/**
 * One operation as a kernel person reads it — `remove_memory start=8G size=128M` —
 * and its result — `0` or `-EINVAL (Refuse to remove …)`. One wording for the
 * CLI, the stepper and the inspector.
 */
import { errnoName } from '../kernel/errno.ts';
import { OPS, type FieldKind, type Op, type OpName } from '../kernel/ops.ts';
import { formatSize } from '../input/size.ts';

const hex = (n: number) => `0x${n.toString(16)}`;

function sizeText(bytes: number): string {
  // formatSize is exact; an address that is no whole number of KiB reads better in hex.
  const s = formatSize(bytes);
  return /^\d+$/.test(s) && bytes >= 1024 ? hex(bytes) : s;
}

/** One field's value by its declared kind (src/kernel/ops.ts): sizes as sizes, errnos by name. */
function fieldText(kind: FieldKind | undefined, value: unknown): string {
  if (kind === 'size' && typeof value === 'number') return sizeText(value);
  if (kind === 'errno' && typeof value === 'number') return value === 0 ? '0' : `-${errnoName(value)}`;
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join('|');
  // A written string shows its newline, spaces or emptiness: "online_movable\n" is what the tool wrote.
  if (typeof value === 'string' && (value === '' || /[\s"\\\x00-\x1f]/.test(value))) return JSON.stringify(value);
  return String(value);
}

export function formatOp(op: Op): string {
  const fields: Record<string, { kind: FieldKind }> = Object.hasOwn(OPS, op.op) ? OPS[op.op as OpName].fields : {};
  const parts: string[] = [op.op];
  for (const [key, value] of Object.entries(op)) {
    if (key === 'op' || value === undefined) continue;
    const kind = fields[key]?.kind;
    if (kind === 'flags' && Array.isArray(value) && value.length === 0) continue;
    parts.push(`${key}=${fieldText(kind, value)}`);
  }
  return parts.join(' ');
}

export function formatResult(ret: number, errno: string | null, message?: string): string {
  if (ret === 0) return '0';
  const name = errno ?? errnoName(ret);
  return message ? `-${name} (${message})` : `-${name}`;
}
