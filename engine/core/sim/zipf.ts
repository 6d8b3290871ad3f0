/**
 * Table-free Zipf sampler: rejection-inversion (W. Hörmann, G. Derflinger, "Rejection-inversion to
 * generate variates from monotone discrete distributions", 1996), as in Apache Commons RNG's
 * RejectionInversionZipfSampler. O(1) memory and expected O(1) time for any number of elements,
 * so a guest of millions of pages needs no cumulative table.
 *
 * Contract: `sample(u)` maps uniform numbers drawn from `prng` to a rank in [1, n]; P(k) ∝ k^-theta.
 * Any theta > 0 works (theta = 1 included, through the helper expansions).
 */
import { U32_TO_UNIT, type Prng } from './prng.ts';

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

  /**
   * A rank in [1, n]. The draw and hIntegralInverse / hIntegral / h / helper1 / helper2 are written out
   * here, the same operations in the same order (the same doubles): each of them returns a double, a heap
   * number per call when V8 does not inline it, and this method is inlined into VCpu.run, whose inlining
   * budget runs out (bench/_allocSpread.ts, 1 guest, 2 workers, 200 ms: hIntegralInverse 22.9 MB and
   * Prng.nextU32 21.8 MB of the run's 108.8 MB sampled allocation). Only an integer (a Smi) leaves it.
   */
  sample(prng: Prng): number {
    const theta = this.theta;
    const oneMinusTheta = 1 - theta;
    for (;;) {
      const u = this.hIntegralN + (prng.nextI32() >>> 0) * U32_TO_UNIT * (this.hIntegralX1 - this.hIntegralN);
      // x = hIntegralInverse(u)
      let ti = u * oneMinusTheta;
      if (ti < -1) ti = -1;
      const h1 = Math.abs(ti) > 1e-8 ? Math.log1p(ti) / ti : 1 - ti * (0.5 - ti * (1 / 3 - 0.25 * ti));
      const x = Math.exp(h1 * u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.s) return k;
      // u >= hIntegral(k + 0.5) - h(k)
      const logY = Math.log(k + 0.5);
      const y = oneMinusTheta * logY;
      const h2 = Math.abs(y) > 1e-8 ? Math.expm1(y) / y : 1 + y * 0.5 * (1 + (y / 3) * (1 + 0.25 * y));
      if (u >= h2 * logY - Math.exp(-theta * Math.log(k))) return k;
    }
  }
}
