/**
 * Table-free Zipf sampler: rejection-inversion (W. Hörmann, G. Derflinger, "Rejection-inversion to
 * generate variates from monotone discrete distributions", 1996), as in Apache Commons RNG's
 * RejectionInversionZipfSampler. O(1) memory and expected O(1) time for any number of elements,
 * so a guest of millions of pages needs no cumulative table.
 *
 * Contract: `sample(u)` maps uniform numbers drawn from `prng` to a rank in [1, n]; P(k) ∝ k^-theta.
 * Any theta > 0 works (theta = 1 included, through the helper expansions).
 */
import type { Prng } from './prng.ts';

function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

export class ZipfSampler {
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly s: number;

  constructor(
    readonly n: number,
    readonly theta: number,
  ) {
    if (!(n >= 1) || !(theta > 0)) throw new RangeError(`zipf needs n >= 1 and theta > 0, got n=${n} theta=${theta}`);
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(n + 0.5);
    this.s = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  private h(x: number): number {
    return Math.exp(-this.theta * Math.log(x));
  }
  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.theta) * logX) * logX;
  }
  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.theta);
    if (t < -1) t = -1;
    return Math.exp(helper1(t) * x);
  }

  /** A rank in [1, n]. */
  sample(prng: Prng): number {
    for (;;) {
      const u = this.hIntegralN + prng.nextFloat() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.s || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }
}
