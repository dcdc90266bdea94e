/**
 * The map's vmemmap heads are kept sorted by head pfn; the model and the altmap
 * index both search them (a module of its own so neither imports the other).
 */

/** Index of the first entry whose headPfn is ≥ pfn. */
export function lowerBound(a: ReadonlyArray<{ headPfn: number }>, pfn: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.headPfn < pfn) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
