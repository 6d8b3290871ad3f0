/**
 * Renames object ids to dense page ids in order of first appearance, identically for every encoding:
 * an id is keyed by its numeric value (a number when it is a safe integer, else its canonical decimal
 * string), so '0042' in a text trace and 42 in a binary one are the same object.
 */
import { IdTable } from './idTable.ts';

export type ObjectKey = number | string;

export class DenseIds {
  /** Numeric ids in a typed-array hash (idTable.ts, ≤ 24 B per distinct id); ids beyond 2^53 (strings) in a Map. */
  private readonly table: IdTable;
  private readonly big = new Map<string, number>();
  private count = 0;
  private out: Uint32Array;
  private n = 0;

  /**
   * `expectedRequests`, when the parser knows it (records, lines): the output is allocated once at
   * that size and returned without a copy if it is exact, so a trace costs 4 B per request plus the table.
   */
  constructor(expectedRequests = 1024) {
    this.out = new Uint32Array(Math.max(1, expectedRequests));
    this.table = new IdTable(); // grows with the distinct ids (unknown up front; small tables stay in cache)
  }

  /** Records one request to object `key`. */
  push(key: ObjectKey): void {
    const fresh = this.count;
    let id: number;
    if (typeof key === 'number') id = this.table.getOrInsert(key, fresh);
    else {
      const known = this.big.get(key);
      id = known ?? fresh;
      if (known === undefined) this.big.set(key, fresh);
    }
    if (id === fresh) {
      if (fresh > 0xffff_ffff) throw new RangeError('more than 2^32 distinct objects');
      this.count++;
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
    return this.count;
  }

  pageIds(): Uint32Array {
    return this.n === this.out.length ? this.out : this.out.slice(0, this.n);
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
