/** Left-aligned text columns (right-aligned where asked), two spaces apart, no trailing blanks. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** [64,65,66,68] → "64-66,68". */
export function compressIds(ids: readonly number[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** The kernel's way to print a physical range: [mem 0x200000000-0x207ffffff]. */
export function memRange(start: number, size: number): string {
  return `[mem ${hex(start)}-${hex(start + size - 1)}]`;
}
