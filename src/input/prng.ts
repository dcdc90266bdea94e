/**
 * mulberry32: a small seeded PRNG. Generated scenarios, benchmark workloads and
 * torture runs take their randomness from a seed, so the same seed gives the same
 * run everywhere and no Math.random reaches a world (principle 4).
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
