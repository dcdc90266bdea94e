/**
 * Reading the world's tables with their keys. The engine's tables hide their
 * keys (a block's id is its slot); the invariants check that slot and
 * contents agree, so they need both.
 */
import { TABLE_CHUNK, type Table } from '../engine/table.ts';

export function entries<T>(t: Table<T>): [number, T][] {
  const out: [number, T][] = [];
  t.chunks.forEach((chunk, ci) => {
    if (!chunk) return;
    chunk.forEach((v, j) => {
      if (v !== undefined) out.push([ci * TABLE_CHUNK + j, v]);
    });
  });
  return out;
}

export const hex = (n: number) => `0x${n.toString(16)}`;
/** The kernel's way to print a physical range: [mem 0x...-0x...]. */
export const memRange = (start: number, size: number) => `[mem ${hex(start)}-${hex(start + size - 1)}]`;
