/**
 * The questions `memhp why` answers, parsed from its words:
 *   memoryN | N-th block          why the block is where it is
 *   nodeN <zone>                  why the node's zone holds what it holds
 *   op N | seq N                  why operation N (run --json's index; or the op holding event N) returned what it did
 */
import { ZONE_NAMES, type ZoneName } from '../kernel/types.ts';

export type WhyQuestion =
  | { kind: 'block'; block: number; text: string }
  | { kind: 'zone'; node: number; zone: ZoneName; text: string }
  | { kind: 'op'; ref: { index: number } | { seq: number }; text: string };

/** A question that cannot be read: the message says what is accepted. */
export class QuestionError extends Error {}

const USAGE = 'ask about `memoryN`, `nodeN <zone>` (zone: DMA, DMA32, Normal, Movable) or `op N` (N: the operation\'s index, boot not counted; `seq N`: the operation holding event N)';

const int = (s: string | undefined): number | null => (s !== undefined && /^\d+$/.test(s) ? Number(s) : null);

export function parseQuestion(words: readonly string[]): WhyQuestion {
  const text = words.join(' ').trim();
  const [a, b, ...rest] = text.split(/\s+/);
  const bad = (why: string): never => { throw new QuestionError(`why ${JSON.stringify(text)}: ${why}; ${USAGE}`); };
  if (!a) return bad('no question');
  if (rest.length) bad('too many words');
  const block = /^memory(\d+)$/.exec(a);
  if (block) {
    if (b !== undefined) bad(`nothing follows memoryN`);
    return { kind: 'block', block: Number(block[1]), text };
  }
  const node = /^node(\d+)$/.exec(a);
  if (node) {
    const zone = ZONE_NAMES.find((z) => z.toLowerCase() === (b ?? '').toLowerCase());
    if (!zone) bad(b === undefined ? 'which zone of the node?' : `${JSON.stringify(b)} is not a zone`);
    return { kind: 'zone', node: Number(node[1]), zone: zone!, text };
  }
  if (a === 'op' || a === 'seq') {
    const n = int(b);
    if (n === null) bad(`${a} needs a number`);
    if (a === 'seq' && n === 0) bad('events are numbered from 1');
    return { kind: 'op', ref: a === 'op' ? { index: n! } : { seq: n! }, text };
  }
  const n = int(a);
  if (n !== null && b === undefined) return { kind: 'op', ref: { index: n }, text: `op ${n}` };
  return bad(`${JSON.stringify(a)} is not a block, a node or an operation`);
}
