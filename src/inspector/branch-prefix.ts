/**
 * How far two branches share their history. A fork shares its parent's events
 * 1..forkSeq (`forked from branch 0 after seq 295`); a fork of a fork shares
 * with its grandparent only up to the lower of the two fork points. Read by the
 * page (switching branch keeps the event, not the seq number) and by the
 * server's side-by-side comparison. No Node built-in: the page imports it.
 */
export interface BranchLink {
  id: number;
  parent: number | null;
  forkSeq: number | null;
  lastSeq: number;
}

/** The last seq branches a and b both hold as the same event (their lengths when a === b). */
export function commonPrefix(branches: readonly BranchLink[], a: number, b: number): number {
  const byId = new Map(branches.map((x) => [x.id, x]));
  // how far each ancestor of `from` shares `from`'s history
  const limits = (from: number): Map<number, number> => {
    const out = new Map<number, number>();
    let x = byId.get(from);
    let lim = x?.lastSeq ?? 0;
    while (x) {
      lim = Math.min(lim, x.lastSeq);
      out.set(x.id, lim);
      if (x.parent === null) break;
      lim = Math.min(lim, x.forkSeq ?? 0);
      x = byId.get(x.parent);
    }
    return out;
  };
  const la = limits(a);
  const lb = limits(b);
  // the nearest common ancestor: the first of b's line that is on a's
  let best = 0;
  for (const [id, limB] of lb) {
    const limA = la.get(id);
    if (limA !== undefined) { best = Math.min(limA, limB); break; }
  }
  return best;
}
