/**
 * Operation latency percentiles (sim/opHist.ts) against a reference: the exact percentile of the
 * sorted values. The histogram reports the upper bound of the bucket holding the rank, so it is
 * never below the exact value and at most one bucket width (1/64 of the value) above it.
 */
import { describe, expect, it } from 'vitest';
import { opBucket, opBucketUpper, opPercentile } from '../../engine/core/sim/opHist.ts';
import { OH_WORDS } from '../../engine/core/sim/simLayout.ts';
import { Prng } from '../../engine/core/sim/prng.ts';

function exact(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

describe('op latency histogram', () => {
  it.each([1, 2, 3])('seed %i: p50/p99/p99.9 within one bucket above the exact percentile', (seed) => {
    const prng = new Prng(seed, 1);
    const values: number[] = [];
    const h = new Float64Array(2 * OH_WORDS);
    for (let i = 0; i < 20_000; i++) {
      // Log-uniform 100 ns .. 10 ms, plus a heavy tail: like op latencies under reclaim.
      const v = Math.round(100 * 10 ** (prng.nextFloat() * 5)) + (prng.nextFloat() < 0.01 ? 5e6 : 0);
      values.push(v);
      h[OH_WORDS + opBucket(v)]++; // the second guest's histogram
    }
    values.sort((a, b) => a - b);
    for (const p of [0.5, 0.99, 0.999]) {
      const ref = exact(values, p);
      const got = opPercentile(h, [OH_WORDS], p);
      expect(got).toBeGreaterThanOrEqual(ref);
      expect(got).toBeLessThanOrEqual(ref * (1 + 1 / 64) + 1);
    }
    expect(opPercentile(h, [0], 0.5)).toBeNaN(); // the first guest recorded nothing
  });

  it('buckets tile the line: every value lies in (upper of the previous bucket, upper of its own]', () => {
    for (const v of [1, 2, 3, 63, 64, 65, 1000, 4095, 4096, 123_456_789]) {
      const b = opBucket(v);
      expect(v).toBeLessThan(opBucketUpper(b));
      if (b > 0) expect(v).toBeGreaterThanOrEqual(opBucketUpper(b - 1));
    }
  });

  it('sums several guests (the host figure)', () => {
    const h = new Float64Array(2 * OH_WORDS);
    h[opBucket(1000)] = 99;
    h[OH_WORDS + opBucket(1e6)] = 1;
    expect(opPercentile(h, [0, OH_WORDS], 0.5)).toBeLessThan(1100);
    expect(opPercentile(h, [0, OH_WORDS], 0.999)).toBeGreaterThanOrEqual(1e6);
  });
});
