/**
 * Compares memhp (this worktree's) with recorded transcripts, without QEMU:
 *
 *   tsx scripts/conform/compare.ts <transcript.json | dir | corpus.jsonl.gz> … [--json] [--list]
 *
 * Prints per kernel: sequences, steps, fields compared and agreed, and the divergences
 * grouped by their first differing field (the operation, the kernel's and memhp's values).
 */
import { parseArgs } from 'node:util';
import { compareTranscript, summarise, type TranscriptComparison } from '../../src/conform/compare.ts';
import { readTranscripts } from '../../src/conform/corpus.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean' }, list: { type: 'boolean' } } });
if (positionals.length === 0) {
  console.error('usage: compare.ts <transcript.json | dir | corpus.jsonl.gz> … [--json] [--list]');
  process.exit(2);
}
const results: TranscriptComparison[] = positionals.flatMap((p) => readTranscripts(p)).map(compareTranscript);
const byKernel = new Map<string, TranscriptComparison[]>();
for (const r of results) byKernel.set(r.kernel, [...(byKernel.get(r.kernel) ?? []), r]);

/** A divergence's signature: the operation and the first thing that differed, with sizes and numbers blurred. */
function signature(r: TranscriptComparison): string {
  const st = r.steps[r.firstDivergence!]!;
  const what = st.result && st.result.kernel !== st.result.memhp ? `result kernel=${st.result.kernel} memhp=${st.result.memhp}` : `${st.diffs[0]!.key.replace(/memory\d+/g, 'memoryN').replace(/[0-9a-f]{8,}-[0-9a-f]+/g, 'RANGE').replace(/0x[0-9a-f]+-0x[0-9a-f]+/g, 'RANGE')}: kernel=${st.diffs[0]!.kernel} memhp=${st.diffs[0]!.memhp}`;
  return `${st.op.op}${'value' in st.op ? ` ${String(st.op.value)}` : ''} → ${what}`;
}

const report = [...byKernel].map(([kernel, rs]) => {
  const sum = summarise(rs);
  const groups = new Map<string, string[]>();
  for (const r of rs) if (r.firstDivergence !== null) groups.set(signature(r), [...(groups.get(signature(r)) ?? []), `${r.id}@${r.firstDivergence}`]);
  const hist = new Map<string, number>();
  for (const r of rs) for (const s of r.steps) if (s.verdict === 'history-dependent') hist.set(`${s.op.op} (${s.result?.kernel} vs memhp ${s.result?.memhp})`, (hist.get(`${s.op.op} (${s.result?.kernel} vs memhp ${s.result?.memhp})`) ?? 0) + 1);
  const nc = new Map<string, number>();
  for (const r of rs) for (const s of r.steps) if (s.verdict === 'not-comparable') nc.set(s.reason!.replace(/\d+/g, 'N'), (nc.get(s.reason!.replace(/\d+/g, 'N')) ?? 0) + 1);
  return { kernel, era: rs[0]!.era, summary: sum, divergences: [...groups].sort((a, b) => b[1].length - a[1].length).map(([sig, ids]) => ({ signature: sig, count: ids.length, examples: ids.slice(0, 5) })), historyDependent: Object.fromEntries(hist), notComparable: Object.fromEntries(nc) };
});

if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  for (const k of report) {
    const s = k.summary;
    console.log(`kernel ${k.kernel} (memhp era ${k.era}): ${s.sequences} sequences, ${s.agreedSequences} without divergence, ${s.divergedSequences} diverged`);
    console.log(`  steps ${s.steps}: agree ${s.agree}, diverge ${s.diverge}, history-dependent ${s.historyDependent}, not comparable ${s.notComparable}`);
    console.log(`  fields compared ${s.fields}, agreed ${s.fieldsAgreed} (${((100 * s.fieldsAgreed) / Math.max(1, s.fields)).toFixed(2)} %)`);
    for (const d of k.divergences) console.log(`  ${String(d.count).padStart(4)} × ${d.signature}   e.g. ${d.examples.join(' ')}`);
    for (const [h, n] of Object.entries(k.historyDependent)) console.log(`  history-dependent ${n} × ${h}`);
    for (const [h, n] of Object.entries(k.notComparable)) console.log(`  not comparable ${n} × ${h}`);
    if (values.list) for (const r of results.filter((r) => r.kernel === k.kernel && r.firstDivergence !== null)) {
      const st = r.steps[r.firstDivergence!]!;
      console.log(`    ${r.id} step ${st.index} ${JSON.stringify(st.op)} result ${JSON.stringify(st.result)} ${st.diffs.slice(0, 4).map((d) => `${d.key}: kernel=${d.kernel} memhp=${d.memhp}`).join('; ')}`);
    }
  }
}
process.exit(results.some((r) => r.firstDivergence !== null) ? 1 : 0);
