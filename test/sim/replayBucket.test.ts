// The replay's eviction-time bucket range (sim/replayMmu.ts bucketLo / bucketHi, session 16 (d)): every
// time in [bucketLo(b), bucketHi(b)) has Guest.bucketOf's result for b, so ReplayMmu.evictBucket may skip
// the division there. Negative control (session 16 (d)): with BUCKET_MARGIN = 0 both cases fail (the range
// starts at the edge itself; with 0.3 ns buckets, t = 5.699999999999999 < 19 * 0.3 gives bucket 19 for b 18).
import { describe, expect, it } from 'vitest';
import { bucketHi, bucketLo } from '../../engine/core/sim/replayMmu.ts';

/** Guest.bucketOf. */
const bucketOf = (t: number, ns: number, buckets: number): number => {
  const b = Math.floor(t / ns);
  return b < buckets ? b : buckets - 1;
};

/** The doubles next to x (one ulp down and up). */
function around(x: number): number[] {
  const f = new Float64Array(1);
  const i = new BigInt64Array(f.buffer);
  f[0] = x;
  const v = i[0];
  const out = [x];
  for (const d of [-2n, -1n, 1n, 2n]) {
    i[0] = v + d;
    out.push(f[0]);
  }
  return out.filter((y) => y >= 0 && Number.isFinite(y));
}

describe('replay eviction bucket range', () => {
  it('hand-computed: 100 ms buckets, 10 of them', () => {
    const ns = 100e6;
    expect(bucketLo(0, ns)).toBe(0);
    expect(bucketLo(3, ns)).toBeGreaterThan(300e6);
    expect(bucketLo(3, ns)).toBeLessThan(300e6 + 1e-2);
    expect(bucketHi(3, ns, 10)).toBeLessThan(400e6);
    expect(bucketHi(3, ns, 10)).toBeGreaterThan(400e6 - 1e-2);
    expect(bucketHi(9, ns, 10)).toBe(Infinity); // the last bucket takes every later time (the cap)
    expect(bucketHi(12, ns, 10)).toBe(Infinity);
  });

  it('every time near the range ends that is inside gets bucketOf of b', () => {
    for (const ns of [0.3, 0.1, 1e6 / 3, 100e6, 7.7e5, 1e9 / 7]) {
      const buckets = 64;
      for (let b = 0; b < 80; b++) {
        const lo = bucketLo(b, ns);
        const hi = bucketHi(b, ns, buckets);
        const edges = [lo, b * ns, (b + 1) * ns];
        if (hi !== Infinity) edges.push(hi);
        for (const e of edges)
          for (const t of around(e)) {
            if (t < lo || t >= hi) continue;
            expect(bucketOf(t, ns, buckets), `ns ${ns} b ${b} t ${t}`).toBe(b < buckets ? b : buckets - 1);
          }
      }
    }
  });
});
