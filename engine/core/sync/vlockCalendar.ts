/**
 * The calendar of one VM's kvm->mmu_lock holds in virtual time (the data structure under vlock.ts, which
 * applies qrwlock's rules to it): the write holds (disjoint, sorted) and the union of the read holds
 * (disjoint intervals, sorted), kept from the scheduler's floor (the smallest actor clock, `vclock.floor`:
 * nobody can ask about an earlier time) on. No kernel counterpart: the kernel's lock is a word; the
 * simulator keeps the holds because its actors book them out of virtual-time order (vlock.ts says why).
 *
 * Representation (a fault or an eviction asks twice per miss, so this is on the replay's hot path):
 * each calendar is a Float64Array window [head, end) of fixed-stride records, sorted; pruning moves
 * the head, the common request (after every recorded hold) appends, an insertion in the middle shifts
 * with copyWithin; the array is compacted or doubled only when the window reaches its end. No
 * allocation per request. The results are bit-identical to the first implementation (plain arrays
 * and Array.splice, kept as the reference model in test/sim/vlockRef.ts): the same comparisons and
 * the same double arithmetic on the same values.
 *
 * A spread run shares one calendar per VM between its workers (vlockShared.ts: the same records in a
 * SharedArrayBuffer, one read list per worker, overriding room and pastReaders).
 */
import { DOUBLE_ZERO } from '../ownShape.ts';

/**
 * The scheduler's view (scheduler.ts runUntil): `floor`, no actor of this worker is at an earlier virtual
 * time; `others`, the smallest clock among the other actors of this worker than the one stepping
 * (+Infinity when it is alone or the others sleep): a request at or before it cannot be preceded by
 * anyone's later booking, so the stepping actor need not stop before booking it (Guest.fault).
 */
export const vclock = { floor: DOUBLE_ZERO, others: Infinity };

/** Doubles per write hold: arrival, start, end, aging (1; else the booker's tag, `tag`, negated: spanFromArrival). */
export const WRITE_DOUBLES = 4;
const W = WRITE_DOUBLES;
/** Doubles per read interval: start, end. */
export const READ_DOUBLES = 2;
const R = READ_DOUBLES;
/** Initial records per calendar (grown by doubling when a quantum holds more). */
const INITIAL = 64;

export abstract class VLockCalendar {
  /** Write holds in w[wh, we), stride W, sorted by start (disjoint, so also by end). */
  protected w: Float64Array<ArrayBufferLike> = new Float64Array(INITIAL * W);
  protected wh = 0;
  protected we = 0;
  /**
   * The last word of a non-aging write record (aging ones hold 1): 0 here; a shared calendar's
   * (SharedVLock) names the worker that booked it, so writeMeets can tell the other workers' holds.
   */
  protected tag = 0;
  /**
   * Set by the caller around one write request: its record counts for writeMeets from its arrival, not
   * its start (stored as -tag). mmu_notifier_invalidate_range_end's hold (Guest.invalidateEnd): the
   * invalidation stays in progress from the unmap's hold, which ended at its arrival, to its end
   * (kvm_mmu_invalidate_end runs under it).
   */
  spanFromArrival = false;
  /**
   * An upper bound on start − arrival (w[i + 1] − w[i]) over the spanFromArrival write records of the
   * window, kept since the window last emptied (prune): writeMeets skips, by a binary search on start,
   * the records that start at or after `to` plus it, none of which can meet (a simulator bound, no
   * kernel counterpart; the answers are those of the full scan, test/sim/vlockWriteMeets.test.ts).
   */
  protected gapMax = DOUBLE_ZERO;
  /** Union of read holds in r[rh, re): disjoint [start, end) pairs sorted by start. */
  protected r: Float64Array<ArrayBufferLike> = new Float64Array(INITIAL * R);
  protected rh = 0;
  protected re = 0;
  /**
   * An upper bound on the ends of the read holds recorded elsewhere than r (a shared calendar's other
   * workers' read lists, SharedVLock: +Infinity when they hold any; -Infinity here): writeReq's fast path
   * is taken only when it is <= t as well.
   */
  protected othersReadEnd = -Infinity;

  /**
   * Whether a non-aging write hold recorded here (an mmu-notifier invalidation's: Guest.evictOne's unmap
   * and range_end holds) meets (from, to): ends after `from` and starts before `to`. Spread runs read
   * mmu_invalidate_retry's answer here (MmuInvalidate.retry), the one record every worker's reclaim
   * writes; `othersOnly`: only holds another worker booked (a tag other than this one's, SharedVLock). A
   * range_end hold (spanFromArrival) counts from its arrival, the unmap's end.
   * Holds pruned before the floor are not seen.
   */
  writeMeets(from: number, to: number, othersOnly = false): boolean {
    const w = this.w;
    let i = this.we - W;
    // Most records start after the window (booked ahead in virtual time: measured ~14 scanned per call
    // on the 64-vCPU spread scenario, 99 % of them after `to`). A record meets only if its start, or for
    // a spanFromArrival one its arrival (>= start − gapMax), is before `to`: skip those starting at or
    // after to + gapMax (plus a margin of 1 ns and 2^-40 relative, far above the sums' rounding).
    if (i >= this.wh && w[i + 1] >= to) {
      const lim = to + this.gapMax;
      const skip = lim + 1 + Math.abs(lim) * 2 ** -40;
      if (w[i + 1] >= skip) i = firstStartAtOrAfter(w, this.wh, this.we, skip) - W;
    }
    // Sorted by start and disjoint, so by end too: walk back until one ends by `from`.
    for (; i >= this.wh; i -= W) {
      if (w[i + 2] <= from) break;
      const k = w[i + 3];
      if (k === 1) continue; // aging
      if ((k < 0 ? w[i] : w[i + 1]) < to && !(othersOnly && (k < 0 ? -k : k) === this.tag)) return true;
    }
    return false;
  }

  /** Pending holds (tests). */
  get pending(): { writes: number; reads: number } {
    return { writes: (this.we - this.wh) / W, reads: (this.re - this.rh) / R };
  }

  /**
   * From s: after every read hold that overlaps [s, s + hold) (a writer waits for readers to drain). A
   * shared calendar (SharedVLock) overrides it to pass the other workers' read lists too.
   */
  protected pastReaders(s: number, hold: number): number {
    return pastIntervals(this.r, this.rh, this.re, s, hold);
  }

  protected addWrite(arrival: number, start: number, end: number, aging: boolean): void {
    let n = this.we;
    let i = n === this.wh || this.w[n - W + 2] <= start ? n : firstEndAfter(this.w, this.wh, n, W, 2, start);
    if (n + W > this.w.length) {
      i -= this.wh;
      this.w = this.room(this.w, this.wh, n, W);
      n -= this.wh;
      this.wh = 0;
    }
    const w = this.w;
    if (i < n) w.copyWithin(i + W, i, n);
    w[i] = Math.min(arrival, start);
    w[i + 1] = start;
    w[i + 2] = end;
    w[i + 3] = aging ? 1 : this.spanFromArrival ? -this.tag : this.tag;
    this.we = n + W;
    if (!aging && this.spanFromArrival && start - w[i] > this.gapMax) this.gapMax = start - w[i];
  }

  protected addRead(start: number, end: number): void {
    let r = this.r;
    let n = this.re;
    // Merge with every interval it touches: those from the first that ends after start - 1e-9 on
    // while they start at or before end.
    const from = start - 1e-9;
    let i = n === this.rh || r[n - 1] <= from ? n : firstEndAfter(r, this.rh, n, R, 1, from);
    let j = i;
    let lo = start;
    let hi = end;
    while (j < n && r[j] <= end) {
      if (r[j] < lo) lo = r[j];
      if (r[j + 1] > hi) hi = r[j + 1];
      j += R;
    }
    if (j === i) {
      // Nothing merged: insert a record at i.
      if (n + R > r.length) {
        i -= this.rh;
        this.r = r = this.room(r, this.rh, n, R);
        n -= this.rh;
        this.rh = 0;
      }
      if (i < n) r.copyWithin(i + R, i, n);
      n += R;
    } else if (j > i + R) {
      // Several merged into one: close the gap.
      r.copyWithin(i + R, j, n);
      n -= j - i - R;
    }
    r[i] = lo;
    r[i + 1] = hi;
    this.re = n;
  }

  /** Drop holds that ended before the scheduler's floor: no one can ask about that time any more. */
  protected prune(): void {
    const f = vclock.floor;
    const w = this.w;
    if (this.we > this.wh && w[this.wh + 2] <= f) {
      // All of them (the usual case with one actor), else from the first that ends after f on.
      if (w[this.we - W + 2] <= f) {
        this.wh = this.we = 0;
        this.gapMax = 0;
      } else this.wh = firstEndAfter(w, this.wh, this.we, W, 2, f);
    }
    const r = this.r;
    if (this.re > this.rh && r[this.rh + 1] <= f) {
      if (r[this.re - 1] <= f) this.rh = this.re = 0;
      else this.rh = firstEndAfter(r, this.rh, this.re, R, 1, f);
    }
  }

  /** Room for one more record (see the module function room); a shared calendar overrides it (vlockShared.ts). */
  protected room(
    a: Float64Array<ArrayBufferLike>,
    head: number,
    end: number,
    k: number,
  ): Float64Array<ArrayBufferLike> {
    return room(a, head, end, k);
  }
}

/** Index of the first record in a[head, end) (stride k, end time at offset e) whose end is > s. */
export function firstEndAfter(
  a: Float64Array<ArrayBufferLike>,
  head: number,
  end: number,
  k: number,
  e: number,
  s: number,
): number {
  let lo = 0;
  let hi = (end - head) / k;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[head + mid * k + e] <= s) lo = mid + 1;
    else hi = mid;
  }
  return head + lo * k;
}

/**
 * From s: after every interval of the disjoint sorted read intervals r[head, end) (stride R) that overlaps
 * [s, s + hold): the first s' >= s, s or an interval's end, with [s', s' + hold) free of them.
 */
export function pastIntervals(
  r: Float64Array<ArrayBufferLike>,
  head: number,
  end: number,
  s: number,
  hold: number,
): number {
  if (end === head || r[end - 1] <= s) return s;
  for (let i = firstEndAfter(r, head, end, R, 1, s); i < end; i += R) {
    if (r[i] >= s + hold) break;
    if (r[i + 1] > s) s = r[i + 1];
  }
  return s;
}

/** Index of the first write record in w[head, end) (stride W) whose start is >= s (end if none). */
function firstStartAtOrAfter(w: Float64Array<ArrayBufferLike>, head: number, end: number, s: number): number {
  let lo = 0;
  let hi = (end - head) / W;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (w[head + mid * W + 1] < s) lo = mid + 1;
    else hi = mid;
  }
  return head + lo * W;
}

/**
 * Room for one more record of stride k in the window a[head, end) at the array's end: the window
 * moved to the front, in a doubled array when it fills more than half.
 */
function room(a: Float64Array<ArrayBufferLike>, head: number, end: number, k: number): Float64Array<ArrayBufferLike> {
  const live = end - head;
  if (live + k <= a.length >> 1) {
    a.copyWithin(0, head, end);
    return a;
  }
  const b = new Float64Array(a.length * 2);
  b.set(a.subarray(head, end));
  return b;
}
