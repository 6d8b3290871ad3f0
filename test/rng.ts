/**
 * The tests' seeded PRNG (mulberry32): small, fast, good enough for generated cases and schedules,
 * so a failing seed reproduces. Floats in [0, 1). (The simulation's own generator is
 * engine/core/sim/prng.ts; tests keep this one so their seeded cases stay what they were.)
 */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
