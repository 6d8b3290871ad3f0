/**
 * Statistics of a sweep point over its seeds: every numeric summary metric as mean and the
 * half-width of its 95 % confidence interval, Student t with n - 1 degrees of freedom
 * (mean ± t(0.975, n-1) · s / √n). The t quantile is computed (regularized incomplete beta, then
 * bisection), not read from a table, so any n works.
 */
import type { MetricStat, PointStats, RunSummary } from '../../protocol.ts';

/** ln Γ(x), Lanczos (g = 7, 9 terms), |error| < 1e-13 for x > 0. */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaCf(a, b, x)) / a : 1 - (front * betaCf(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

const quantileCache = new Map<number, number>();

/** The two-sided 95 % critical value t(0.975, df): 12.706 for df = 1, 2.262 for df = 9, → 1.960. */
export function t975(df: number): number {
  const hit = quantileCache.get(df);
  if (hit !== undefined) return hit;
  let lo = 0;
  let hi = 1000;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < 0.975) lo = mid;
    else hi = mid;
  }
  quantileCache.set(df, (lo + hi) / 2);
  return (lo + hi) / 2;
}

/** Mean and 95 % CI half-width of `xs` (NaN values, e.g. an undefined precision, are left out). */
export function meanCi(xs: readonly number[]): MetricStat {
  const v = xs.filter((x) => !Number.isNaN(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, ci95: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: NaN, n };
  const variance = v.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (n - 1);
  return { mean, ci95: (t975(n - 1) * Math.sqrt(variance)) / Math.sqrt(n), n };
}

/** Every numeric field of a run summary, plus missRatio (misses / accesses). */
export function summaryMetrics(s: RunSummary): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) if (typeof v === 'number') out[k] = v;
  out.missRatio = s.accesses > 0 ? s.misses / s.accesses : NaN;
  return out;
}

/** A point's statistics over the summaries of the seeds that have run. */
export function pointStats(summaries: readonly RunSummary[]): PointStats {
  const per = summaries.map(summaryMetrics);
  const keys = new Set(per.flatMap((m) => Object.keys(m)));
  const out: PointStats = {};
  for (const k of keys) out[k] = meanCi(per.map((m) => (k in m ? m[k] : NaN)));
  return out;
}
