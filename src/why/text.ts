/** An answer of `memhp why` as lines of text: the summary, then each rule with its kernel function and section. */
import type { WhyAnswer, WhyLine } from './answer.ts';

function ruleLine(l: WhyLine, n: number | null): string {
  const where = [l.fn ? `${l.fn}()` : null, l.cite ? `docs/kernel-model.md ${l.cite}` : null].filter(Boolean).join(', ');
  return `${n === null ? '  ' : `  ${n}. `}${l.text}${where ? `  [${where}]` : ''}`;
}

export function whyLines(a: WhyAnswer): string[] {
  const out = [`${a.summary}  (at event ${a.at})`];
  if (a.note) out.push(`  note: ${a.note}`);
  let n = 1;
  for (const l of a.chain) out.push(ruleLine(l, l.cite || l.fn ? n++ : null));
  for (const p of a.parts) {
    out.push(`  ${p.title}${p.seq !== null ? ` (event ${p.seq})` : ''}${p.source === 'recorded' ? '' : ` [${p.source}]`}:`);
    let k = 1;
    for (const l of p.chain) out.push(`  ${ruleLine(l, l.cite || l.fn ? k++ : null)}`);
  }
  if (a.more) out.push(`  … and ${a.more} more block${a.more === 1 ? '' : 's'} (ask about one with \`memoryN\`)`);
  return out;
}
