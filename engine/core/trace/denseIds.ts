/**
 * Renames object ids to dense page ids in order of first appearance, identically for every encoding:
 * an id is its u64 value (given as two u32 halves), so '0042' in a text trace and 42 in a binary one
 * are the same object.
 *
 * Why not a Map: V8's Map holds at most 2^24 entries ("Map maximum size exceeded"), and a trace may
 * name up to 2^32 distinct objects (page ids are u32). This is an open-addressing hash table over typed
 * arrays (linear probing, load <= 3/4): 12 bytes per distinct id plus 4 bytes per slot, no per-entry
 * object, so memory and time grow linearly with the input.
 */
import { TraceFormatError } from './types.ts';

/** Page ids are u32: at most this many distinct objects. */
export const MAX_DISTINCT = 0x1_0000_0000;

export class DenseIds {
  /** Slot -> id + 1 (0 = empty). Length is a power of two. */
  private slots = new Uint32Array(1 << 12);
  private mask = (1 << 12) - 1;
  /** Id -> its key halves. */
  private keyLo = new Uint32Array(1 << 11);
  private keyHi = new Uint32Array(1 << 11);
  private size = 0;
  private out = new Uint32Array(1024);
  private n = 0;

  /** Records one request to the object whose u64 id is hi * 2^32 + lo. */
  pushU64(lo: number, hi: number): void {
    lo >>>= 0;
    hi >>>= 0;
    let s = hashU64(lo, hi) & this.mask;
    let id = -1;
    for (;;) {
      const v = this.slots[s];
      if (v === 0) break;
      if (this.keyLo[v - 1] === lo && this.keyHi[v - 1] === hi) {
        id = v - 1;
        break;
      }
      s = (s + 1) & this.mask;
    }
    if (id < 0) {
      if (this.size >= MAX_DISTINCT - 1) throw new TraceFormatError('more than 2^32 distinct objects');
      id = this.size++;
      if (id === this.keyLo.length) {
        this.keyLo = grow(this.keyLo);
        this.keyHi = grow(this.keyHi);
      }
      this.keyLo[id] = lo;
      this.keyHi[id] = hi;
      this.slots[s] = id + 1;
      if (this.size * 4 > this.slots.length * 3) this.rehash();
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
    const cap = this.slots.length * 2;
    const slots = new Uint32Array(cap);
    const mask = cap - 1;
    for (let id = 0; id < this.size; id++) {
      let s = hashU64(this.keyLo[id], this.keyHi[id]) & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = id + 1;
    }
    this.slots = slots;
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
const U64_MAX = (1n << 64n) - 1n;

/**
 * The u64 halves of a decimal id of digits only (already checked), or a refusal reason. Bounded work:
 * leading zeros are skipped, more than 20 significant digits is refused without arithmetic.
 */
export function u64OfDecimal(digits: string): [number, number] | string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  const sig = digits.length - i;
  if (sig > MAX_ID_DIGITS) return `has ${sig} digits; object ids are u64 (at most ${MAX_ID_DIGITS} digits)`;
  if (sig <= 15) {
    const v = Number(digits.slice(i));
    return [v % 0x1_0000_0000, Math.floor(v / 0x1_0000_0000)];
  }
  const big = BigInt(digits.slice(i));
  if (big > U64_MAX) return 'is larger than 2^64 - 1; object ids are u64';
  return [Number(big & 0xffff_ffffn), Number(big >> 32n)];
}
