/**
 * Object id -> dense page id, for numeric ids (safe integers): an open-addressing hash table on typed
 * arrays (Float64Array keys, Int32Array values, linear probing, load ≤ 1/2). 24 bytes per distinct id
 * at most (12 B a slot, 2 slots an id), no object per entry, where a Map costs ~40-80 B per entry.
 * Ids beyond 2^53 are strings and stay in a Map (DenseIds).
 */
const EMPTY = -1;

export class IdTable {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.vals = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
  }

  private count = 0;

  /** The id stored for `key` (a safe non-negative integer); if none, stores `fresh` (≥ 0) and returns it. */
  getOrInsert(key: number, fresh: number): number {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v === EMPTY) {
        keys[i] = key;
        vals[i] = fresh;
        if (++this.count * 2 > mask + 1) this.grow();
        return fresh;
      }
      if (keys[i] === key) return v;
    }
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    const cap = (this.mask + 1) * 2;
    this.keys = new Float64Array(cap);
    this.vals = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    for (let j = 0; j < vals.length; j++) {
      if (vals[j] === EMPTY) continue;
      let i = hash(keys[j]) & this.mask;
      while (this.vals[i] !== EMPTY) i = (i + 1) & this.mask;
      this.keys[i] = keys[j];
      this.vals[i] = vals[j];
    }
  }
}

/** A 32-bit mix of a safe integer's low 32 and high 21 bits. */
function hash(key: number): number {
  const lo = key >>> 0;
  const hi = (key - lo) / 4294967296;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) ^ (h >>> 13);
}
