/**
 * Renames object ids to dense page ids in order of first appearance, identically for every encoding:
 * an id is keyed by its numeric value (a number when it is a safe integer, else its canonical decimal
 * string), so '0042' in a text trace and 42 in a binary one are the same object.
 */
export type ObjectKey = number | string;

export class DenseIds {
  private readonly ids = new Map<ObjectKey, number>();
  private out = new Uint32Array(1024);
  private n = 0;

  /** Records one request to object `key`. */
  push(key: ObjectKey): void {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      if (id > 0xffff_ffff) throw new RangeError('more than 2^32 distinct objects');
      this.ids.set(key, id);
    }
    if (this.n === this.out.length) {
      const grown = new Uint32Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.n++] = id;
  }

  get requests(): number {
    return this.n;
  }

  get distinct(): number {
    return this.ids.size;
  }

  pageIds(): Uint32Array {
    return this.out.slice(0, this.n);
  }
}

/** Key of a u64 given as two u32 halves. */
export function keyOfU64(lo: number, hi: number): ObjectKey {
  // hi < 2^21 <=> value < 2^53: exact as a number.
  if (hi < 0x20_0000) return hi * 0x1_0000_0000 + lo;
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** Key of a decimal string of digits (already checked to be digits only). */
export function keyOfDecimal(digits: string): ObjectKey {
  if (digits.length <= 15) return Number(digits);
  const big = BigInt(digits);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}
