/**
 * The known divergences of a corpus: per sequence that diverges, its first diverging step
 * and the fields that differ there. The committed list (test/fixtures/conform/
 * known-divergences.json) is what memhp is held to: a new divergence, or a listed one that
 * now agrees, fails test/conform/corpus.test.ts until the list is regenerated
 * (scripts/conform/pack.ts) and docs/conformance.md explains the change.
 */
import { compareTranscript } from './compare.ts';
import type { Transcript } from './transcript.ts';

export interface KnownDivergence {
  id: string;
  step: number;
  op: string;
  /** "result" when the results differ, else the first differing field keys (at most 4). */
  what: string[];
}

export function knownDivergences(ts: readonly Transcript[]): KnownDivergence[] {
  return ts.flatMap((t) => {
    const c = compareTranscript(t);
    if (c.firstDivergence === null) return [];
    const st = c.steps[c.firstDivergence]!;
    const what = st.result && st.result.kernel !== st.result.memhp ? [`result kernel=${st.result.kernel} memhp=${st.result.memhp}`] : st.diffs.slice(0, 4).map((d) => d.key);
    return [{ id: t.id, step: st.index, op: st.op.op, what }];
  });
}
