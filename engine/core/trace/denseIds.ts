/**
 * Renames object ids to dense page ids in order of first appearance, identically for every encoding:
 * an id is its u64 value (given as two u32 halves), so '0042' in a text trace and 42 in a binary one
 * are the same object.
 *
 * Why not a Map: V8's Map holds at most 2^24 entries ("Map maximum size exceeded"), and a trace may
 * name up to 2^32 distinct objects (page ids are u32). This is an open-addressing hash table over typed
 * array (linear probing, load <= 3/4, 12 bytes per slot), no per-entry object, so memory and time
 * grow linearly with the input.
 */
import { TraceFormatError } from './types.ts';

/** Page ids are u32: at most this many distinct objects. */
export const MAX_DISTINCT = 0x1_0000_0000;

export class DenseIds {
  /**
   * Open addressing, 3 words per slot (key lo, key hi, id + 1; 0 = empty), so a probe touches one
   * cache line. Capacity (slots) is a power of two.
   */
  private table = new Uint32Array(3 << 12);
  private mask = (1 << 12) - 1;
  private size = 0;
  private out = new Uint32Array(1024);
  private n = 0;

  /** Records one request to the object whose u64 id is hi * 2^32 + lo. */
  pushU64(lo: number, hi: number): void {
    lo >>>= 0;
    hi >>>= 0;
    const t = this.table;
    let s = hashU64(lo, hi) & this.mask;
    let id: number;
    for (;;) {
      const at = s * 3;
      const v = t[at + 2];
      if (v === 0) {
        if (this.size >= MAX_DISTINCT - 1) throw new TraceFormatError('more than 2^32 distinct objects');
        id = this.size++;
        t[at] = lo;
        t[at + 1] = hi;
        t[at + 2] = id + 1;
        if (this.size * 4 > (this.mask + 1) * 3) this.rehash();
        break;
      }
      if (t[at] === lo && t[at + 1] === hi) {
        id = v - 1;
        break;
      }
      s = (s + 1) & this.mask;
    }
    if (this.n === this.out.length) this.out = grow(this.out);
    this.out[this.n++] = id;
  }

  /** A non-negative safe integer id. */
  push(value: number): void {
    this.pushU64(value % 0x1_0000_0000, Math.floor(value / 0x1_0000_0000));
  }

  get requests(): number {
    return this.n;
  }

  get distinct(): number {
    return this.size;
  }

  pageIds(): Uint32Array {
    return this.out.slice(0, this.n);
  }

  private rehash(): void {
    const old = this.table;
    const cap = (this.mask + 1) * 2;
    const t = new Uint32Array(cap * 3);
    const mask = cap - 1;
    for (let at = 0; at < old.length; at += 3) {
      if (old[at + 2] === 0) continue;
      let s = hashU64(old[at], old[at + 1]) & mask;
      while (t[s * 3 + 2] !== 0) s = (s + 1) & mask;
      t[s * 3] = old[at];
      t[s * 3 + 1] = old[at + 1];
      t[s * 3 + 2] = old[at + 2];
    }
    this.table = t;
    this.mask = mask;
  }
}

function grow(a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/** murmur3's 32-bit finaliser over both halves: consecutive ids spread over the table. */
function hashU64(lo: number, hi: number): number {
  let h = lo ^ Math.imul(hi, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Longest decimal id accepted (u64 max, 18446744073709551615, has 20 digits), leading zeros aside. */
export const MAX_ID_DIGITS = 20;
