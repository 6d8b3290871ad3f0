/**
 * Seeded pseudo-random numbers for the simulation: deterministic across runs and platforms
 * (32-bit integer arithmetic only), so a deterministic run is bit-identical on every repeat.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic), state seeded by splitmix32.
 * One `Prng` per actor (vCPU), seeded from (run seed, actor index): actors never share a stream,
 * so the interleaving of actors cannot change the numbers any one actor draws.
 */
/** 2^-32: a uniform 32-bit unsigned integer times this is uniform in [0, 1). */
export const U32_TO_UNIT = 2.3283064365386963e-10;

export class Prng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number, stream: number) {
    let s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    return this.nextI32() >>> 0;
  }

  /**
   * The same draw as nextU32 as a signed 32-bit integer (nextU32 = nextI32 >>> 0). The hot callers
   * (ZipfSampler.sample, WorkloadGen.isWrite) take this one and make their float in their own code
   * (`(nextI32() >>> 0) * U32_TO_UNIT`): an int32 is a Smi, whereas nextU32's values from 2^31 on and every
   * nextFloat are heap numbers when the call is not inlined (VCpu.run's inlining budget runs out: half the
   * draws of a 64-vCPU run allocated one, bench/_allocSpread.ts).
   */
  nextI32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    // One expression: storing the uncut sum (up to 2^32, not a Smi) in the field and cutting it after boxed a
    // HeapNumber per draw: 8 MB of a 200 ms 64-vCPU run's 58 MB of allocation (bench/_allocSpread.ts).
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return (this.nextI32() >>> 0) * U32_TO_UNIT;
  }

  /** Uniform integer in [0, n) for n <= 2^32 (multiply-shift; bias below 2^-32 * n, irrelevant here). */
  nextBelow(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }
}
