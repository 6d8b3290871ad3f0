/**
 * Operation latency histogram (HdrHistogram-like, log-linear): a value v >= 1 ns falls in power of
 * two e = floor(log2 v) and, within [2^e, 2^(e+1)), in one of OH_SUB equal sub-buckets, so a
 * bucket's width is at most 1/OH_SUB of its lower bound (1.6 % with 64). Values below 1 ns go to
 * bucket 0. A percentile is reported as the upper bound of the bucket holding that rank (the
 * convention of memtier/HdrHistogram: never below the true value, at most one bucket above).
 */
import { OH_EXP, OH_SUB, OH_WORDS } from './simLayout.ts';

export function opBucket(ns: number): number {
  if (ns < 1) return 0;
  const e = Math.floor(Math.log2(ns));
  if (e >= OH_EXP) return OH_WORDS - 1;
  const lo = 2 ** e;
  const sub = Math.floor(((ns - lo) / lo) * OH_SUB);
  return e * OH_SUB + (sub < OH_SUB ? sub : OH_SUB - 1);
}

/** Upper bound (ns) of bucket b. */
export function opBucketUpper(b: number): number {
  const e = Math.floor(b / OH_SUB);
  const sub = b % OH_SUB;
  const lo = 2 ** e;
  return lo + ((sub + 1) * lo) / OH_SUB;
}

/**
 * The p-quantile (0 < p <= 1) of the histograms h at offsets `bases` (summed), NaN when empty:
 * the smallest bucket whose cumulative count reaches ceil(p * total).
 */
export function opPercentile(h: Float64Array, bases: readonly number[], p: number): number {
  let total = 0;
  for (const b of bases) for (let i = 0; i < OH_WORDS; i++) total += h[b + i];
  if (total === 0) return NaN;
  const rank = Math.max(1, Math.ceil(p * total));
  let cum = 0;
  for (let i = 0; i < OH_WORDS; i++) {
    for (const b of bases) cum += h[b + i];
    if (cum >= rank) return opBucketUpper(i);
  }
  return opBucketUpper(OH_WORDS - 1);
}
