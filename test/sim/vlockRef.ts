/**
 * The reference model of sync/vlock.ts: its first implementation (plain arrays, Array.splice, the
 * log2 histogram bucket by Math.log2), kept unchanged as the slow model the typed-array VLock must
 * match bit for bit (test/sim/vlock.test.ts "matches the reference model").
 */
import {
  LH_BUCKETS,
  LH_READ_HOLD,
  LH_READ_WAIT,
  LH_WORDS,
  LH_WRITE_HOLD,
  LH_WRITE_WAIT,
} from '../../engine/core/sim/simLayout.ts';
import { vclock } from '../../engine/core/sync/vlock.ts';

/** The scheduler's floor: no actor of this worker is at an earlier virtual time (scheduler.ts runUntil). */

/** Words per write hold: arrival, start, end, aging (1/0). */
const W = 4;

export class VLockRef {
  private readonly hb: number;
  /** Of the last wait computed by read/write: the part caused by aging/harvest holds. */
  agingWaitNs = 0;
  /** Write holds, sorted by start (disjoint, so also by end). */
  private w: number[] = [];
  /** Union of read holds: disjoint [start, end) pairs sorted by start. */
  private r: number[] = [];

  constructor(
    guest: number,
    /** Hold/wait histograms (LH_*), or an empty array to keep none. */
    private readonly hist: Float64Array = new Float64Array(0),
    /**
     * Negative control only (vlockAgingWait.test.ts): the attribution bug fixed in session 5, each
     * pastWriters pass restarting agingWaitNs, so a write request keeps only its last pass's share.
     */
    private readonly lastPassOnlyAging = false,
  ) {
    this.hb = guest * LH_WORDS;
  }

  /** queued_read_lock at t for `hold` ns: the grant time (the hold is recorded). */
  read(t: number, hold: number, _aging: boolean): number {
    this.prune();
    this.agingWaitNs = 0;
    const s = this.pastWriters(t, t, hold);
    this.addRead(s, s + hold);
    this.account(LH_READ_WAIT, s - t);
    this.account(LH_READ_HOLD, hold);
    return s;
  }

  /** queued_write_lock at t for `hold` ns: the grant time (the hold is recorded). */
  write(t: number, hold: number, aging: boolean): number {
    this.prune();
    let s = t;
    this.agingWaitNs = 0; // summed over every pass
    for (;;) {
      const s0 = s;
      s = this.pastWriters(t, s, hold);
      s = this.pastReaders(s, hold);
      if (s === s0) break;
    }
    this.addWrite(t, s, s + hold, aging);
    this.account(LH_WRITE_WAIT, s - t);
    this.account(LH_WRITE_HOLD, hold);
    return s;
  }

  /** Pending holds (tests). */
  get pending(): { writes: number; reads: number } {
    return { writes: this.w.length / W, reads: this.r.length / 2 };
  }

  /**
   * From s: after every write hold that overlaps [s, s + hold) or that arrived at or before t (a
   * writer queued or holding before us; qrwlock lets no new reader or writer pass it).
   */
  private pastWriters(t: number, s: number, hold: number): number {
    const w = this.w;
    const n = w.length;
    if (this.lastPassOnlyAging) this.agingWaitNs = 0;
    for (let i = this.firstEndAfter(w, W, 2, s); i < n; i += W) {
      const end = w[i + 2];
      if (end <= s) continue;
      // Writers are granted in about their arrival order: the first one that starts after our hold
      // and arrived after us ends the scan.
      if (w[i + 1] >= s + hold && w[i] > t) break;
      if (w[i + 3] === 1) this.agingWaitNs += end - s;
      s = end;
    }
    return s;
  }

  /** From s: after every read hold that overlaps [s, s + hold) (a writer waits for readers to drain). */
  private pastReaders(s: number, hold: number): number {
    const r = this.r;
    for (let i = this.firstEndAfter(r, 2, 1, s); i < r.length; i += 2) {
      if (r[i] >= s + hold) break;
      if (r[i + 1] > s) s = r[i + 1];
    }
    return s;
  }

  /** Index of the first record (stride k, end at offset e) whose end is > s (binary search). */
  private firstEndAfter(a: number[], k: number, e: number, s: number): number {
    let lo = 0;
    let hi = a.length / k;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid * k + e] <= s) lo = mid + 1;
      else hi = mid;
    }
    return lo * k;
  }

  private addWrite(arrival: number, start: number, end: number, aging: boolean): void {
    const w = this.w;
    const i = this.firstEndAfter(w, W, 2, start);
    w.splice(i, 0, Math.min(arrival, start), start, end, aging ? 1 : 0);
  }

  private addRead(start: number, end: number): void {
    const r = this.r;
    // Merge with every interval it touches.
    const i = this.firstEndAfter(r, 2, 1, start - 1e-9);
    let j = i;
    let lo = start;
    let hi = end;
    while (j < r.length && r[j] <= end) {
      if (r[j] < lo) lo = r[j];
      if (r[j + 1] > hi) hi = r[j + 1];
      j += 2;
    }
    r.splice(i, j - i, lo, hi);
  }

  /** Drop holds that ended before the scheduler's floor: no one can ask about that time any more. */
  private prune(): void {
    const f = vclock.floor;
    const w = this.w;
    if (w.length > 0 && w[2] <= f) {
      const i = this.firstEndAfter(w, W, 2, f);
      w.splice(0, i);
    }
    const r = this.r;
    if (r.length > 0 && r[1] <= f) {
      const i = this.firstEndAfter(r, 2, 1, f);
      r.splice(0, i);
    }
  }

  private account(kind: number, ns: number): void {
    const h = this.hist;
    if (h.length === 0) return;
    h[this.hb + kind * LH_BUCKETS + log2BucketRef(ns)]++;
  }
}

/** Histogram bucket of a duration: 0 for < 1 ns, else 1 + floor(log2(ns)), capped. */
export function log2BucketRef(ns: number): number {
  if (ns < 1) return 0;
  const b = 1 + Math.floor(Math.log2(ns));
  return b < LH_BUCKETS ? b : LH_BUCKETS - 1;
}
